import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyBaseLogger, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import { packageRoot } from '../lib/package-root.js';
import { trustHops } from '../security/client-address.js';
import { declareScopeAccess, installAuth, type Access, type GuardDeps } from './auth.js';
import { installErrorHandler, sendError, type ErrorAnswer } from './error-handler.js';
import { installTextGuard } from './text-guard.js';
import type { App } from './types.js';

export interface HttpAppOptions {
  config: Config;
  /** What the route guard asks: API keys, sessions, the people behind them (src/http/auth.ts). */
  guard: GuardDeps;
  /** Hears of every refused change by a signed-in admin or an API key (the audit log). */
  onRefused: (request: FastifyRequest, answer: ErrorAnswer) => Promise<void>;
  /** For /readyz: the database engine when it is reachable and migrated, else why not. */
  readiness: () => Promise<{ engine: string } | { problem: string }>;
  logger?: FastifyBaseLogger | boolean;
  /** Folder of the built console; defaults to dist/web in the package. */
  webRoot?: string;
  /** Per-IP requests a minute on the whole API. */
  apiRateLimit?: number;
  /** What the OpenAPI document says of the whole API (src/app/api-document.ts): its description and tags. */
  apiDocument?: { description: string; tags: { name: string; description: string }[] };
}

/**
 * Who may call an operation, in words, added to its description in the OpenAPI document (the
 * route's `config.access`, which the guard enforces, is the one source of both).
 */
export const ACCESS_TEXT: Record<Access, string> = {
  public: 'public: no credentials needed.',
  partial: 'an admin who signed in with a password and still owes the second factor or its enrolment (console session; never an API key).',
  session: 'a fully signed-in admin in the console (session cookie and CSRF header; never an API key).',
  read: 'a signed-in admin, or an API key of scope `read`, `write` or `admin`.',
  write: 'a signed-in admin, or an API key of scope `write` or `admin`.',
  admin: 'a signed-in admin, or an API key of scope `admin`.',
  employee: 'a signed-in employee (employee session cookie; CSRF header on changes).',
  employee_partial: 'an employee who passed the first factor and still owes the second.',
  agent: 'the agent of an approved workstation, by a signed assertion (see /docs/agent-protocol).',
  agent_pending: 'the agent of any enrolled workstation, approved or not, by a signed assertion.',
};

/** The paragraph that starts the access part of every operation's description. */
export const ACCESS_HEADING = '**Access:**';

/**
 * The HTTP infrastructure every feature's routes run in: parsers, security headers, rate limits,
 * the route guard, the text guard, the error handler, the OpenAPI document, health, and the web
 * pages. It knows no feature: the composition root (src/app/app.ts) registers their routes on it.
 */
export async function createHttpApp(opts: HttpAppOptions): Promise<{ app: App; redis?: Redis }> {
  const { config } = opts;
  const app = Fastify({
    loggerInstance: typeof opts.logger === 'object' ? opts.logger : undefined,
    logger: typeof opts.logger === 'boolean' ? opts.logger : undefined,
    // A hop count (TRUST_PROXY=true is 1) trusts that many proxies on private networks; addresses as written.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: config.bodyLimit,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    // A path the router cannot read (malformed or overlong UTF-8, a lone surrogate, a parameter
    // past maxParamLength) is refused before any route or hook: in the API's error form with a
    // stable code, like every other bad request, and without repeating the path, which may hold a token.
    frameworkErrors: (err, request, reply) => {
      // No hooks run for these: an upgrade request's socket is closed here (see onResponse below).
      if (isUpgrade(request.raw)) reply.raw.once('finish', () => request.raw.socket.destroy());
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, 414, 'request.uri_too_long', 'A part of the request path is too long');
      return sendError(reply, 400, 'request.invalid_url', 'The request path is not valid: malformed percent-encoding or UTF-8');
    },
  }).withTypeProvider<ZodTypeProvider>();

  // A WebSocket upgrade that no WebSocket route took (a 404, a refusal, any page or endpoint) is
  // answered over the bare socket Node handed to the 'upgrade' listener: no HTTP timeouts apply to
  // it, and Node keeps it half-open after the client's FIN, so each one would stay open for good
  // (a stranger's way to run the server out of file descriptors, and a close that never ends).
  // @fastify/websocket closes such sockets only for the routes of the scope it is registered in.
  app.addHook('onResponse', async (request) => {
    if (isUpgrade(request.raw)) request.raw.socket.destroy();
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON (and forms, for the protocol endpoints to come); a text body is refused
  // with 415 rather than handed to a route that declares no body.
  app.removeContentTypeParser('text/plain');
  installErrorHandler(app as unknown as FastifyInstance, { onRefused: opts.onRefused });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: config.bodyLimit });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Mantine sets inline styles; no inline script is ever allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: config.isSecure ? [] : null,
      },
    },
    strictTransportSecurity: config.isSecure ? { maxAge: 31536000 } : false,
  });

  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  if (redis) {
    redis.on('error', (err) => app.log.warn({ err: err.message }, 'redis unavailable: rate limits are not enforced until it is back'));
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  await app.register(fastifyRateLimit, {
    global: true,
    max: opts.apiRateLimit ?? 1200,
    timeWindow: '1 minute',
    // Shared by every node through Redis; without it each node counts on its own.
    ...(redis ? { redis, nameSpace: `${config.redisPrefix}rl:` } : {}),
    // A Redis outage must not lock everyone out; per-account lockout (in the database) still applies.
    skipOnError: true,
    // Only the API counts (decided by the route that matched); static console files do not, and the
    // protocol endpoints set their own limits.
    // Agents sign every request and spend the credential budget when they fail; an office of
    // workstations behind one address must not share one request budget.
    allowList: (request) => !request.routeOptions.url?.startsWith('/api/') || String(request.routeOptions.config?.access).startsWith('agent'),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: { code: 'rate_limit.exceeded', message: `Too many requests: try again in ${Math.ceil(ctx.ttl / 1000)} s` },
    }),
  });

  // From here on every route must declare its access (src/http/auth.ts): the guard is attached as
  // routes are registered, and a route without a declaration stops the start.
  installAuth(app as unknown as FastifyInstance, opts.guard);
  // NUL and lone surrogates answer 400 before validation, on the API and the protocol endpoints.
  installTextGuard(app as unknown as FastifyInstance);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Tessera API',
        version: '1',
        description:
          opts.apiDocument?.description ??
          'REST API of the Tessera identity server. Authenticate with an admin session (console) or `Authorization: Bearer <API key>`. Each operation names who may call it in `x-tessera-access`.',
      },
      ...(opts.apiDocument ? { tags: opts.apiDocument.tags } : {}),
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          // docs/agent-protocol.md §3: an ES256 JWS signed with the workstation's own key, one per request.
          agentAssertion: { type: 'http', scheme: 'bearer', bearerFormat: 'tessera-agent+jwt' },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const access = input.route.config?.access;
      const own = typeof out.schema.description === 'string' ? out.schema.description : undefined;
      const description = access ? [own, `${ACCESS_HEADING} ${ACCESS_TEXT[access]}`].filter(Boolean).join('\n\n') : own;
      return {
        ...out,
        schema: {
          ...out.schema,
          ...(description ? { description } : {}),
          'x-tessera-access': access,
          ...(access === 'public' || access?.startsWith('employee')
            ? { security: [] }
            : access?.startsWith('agent')
              ? { security: [{ agentAssertion: [] }] }
              : {}),
        },
      };
    },
  });
  await app.register(async (docs) => {
    declareScopeAccess(docs as unknown as FastifyInstance, 'public');
    await docs.register(fastifySwaggerUi, {
      routePrefix: '/api/docs',
      staticCSP: true,
      theme: {
        title: 'Tessera API',
        favicon: [{ filename: 'favicon.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: TESSERA_LOGO }],
        css: [{ filename: 'tessera.css', content: SWAGGER_CSS }],
      },
      logo: { type: 'image/svg+xml', content: TESSERA_LOGO, href: '/docs', target: '_self' },
      uiConfig: { docExpansion: 'list', deepLinking: true, filter: true, defaultModelsExpandDepth: 0, displayRequestDuration: true },
    });
  });

  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());

  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    const state = await opts.readiness().catch(() => ({ problem: 'Database is not reachable' }));
    if ('problem' in state) return sendError(reply, 503, 'internal.unavailable', state.problem);
    // Redis carries the shared rate limits and the agents' bus: a node without it is not ready.
    if (redis && !(await pingRedis(redis))) return sendError(reply, 503, 'internal.unavailable', 'Redis is not reachable');
    return { status: 'ready', database: state.engine, ...(redis ? { redis: 'ok' } : {}) };
  });

  await registerConsole(app, opts.webRoot ?? path.join(packageRoot(), 'dist', 'web'));
  return { app, redis };
}

/** PING within a second; false when Redis is down or slow (the client queues nothing offline). */
async function pingRedis(redis: Redis): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), 1000);
  });
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
/** The mark of the favicon (web/public/favicon.svg), for the API reference's header and tab. */
const TESSERA_LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32"><rect width="32" height="32" rx="7" fill="#4c6ef5"/><path d="M8 8h7v7H8zM17 8h7v7h-7zM8 17h7v7H8z" fill="#fff"/><path d="M17 17h7v7h-7z" fill="#fff" opacity=".55"/></svg>';
/** Swagger UI in Tessera's colours: a light header with the mark, the brand blue for links and buttons. */
const SWAGGER_CSS = `.swagger-ui .topbar{background:#fff;border-bottom:1px solid #dee2e6;padding:8px 0}
.swagger-ui .topbar a{max-width:48px}
.swagger-ui .topbar .download-url-wrapper{display:none}
.swagger-ui .info .title{color:#212529}
.swagger-ui .info a,.swagger-ui .opblock-tag small a{color:#364fc7}
.swagger-ui .btn.authorize{color:#4c6ef5;border-color:#4c6ef5}
.swagger-ui .btn.authorize svg{fill:#4c6ef5}
.swagger-ui .opblock-tag small{color:#495057}`;

/** Node marks the requests it handed to the 'upgrade' listener (not in @types/node). */
const isUpgrade = (raw: IncomingMessage) => (raw as IncomingMessage & { upgrade?: boolean }).upgrade === true;

function decodedPath(url: string): string | undefined {
  try {
    return decodeURIComponent(url.split('?')[0]);
  } catch {
    return undefined;
  }
}

/** Pages of the employee bundle (portal.html): sign-in, invitation and portal, and anything below them. */
const EMPLOYEE_PAGE = /^\/(signin|enroll|portal)(?=$|[/?#])/;

/**
 * The web pages: static files; portal.html for the employee pages (/signin, /enroll, /portal), so
 * that employees never load the admin console; index.html for any other GET outside the API.
 */
async function registerConsole(app: App, webRoot: string) {
  const index = path.join(webRoot, 'index.html');
  const hasConsole = fs.existsSync(index);
  if (hasConsole) {
    // reply.sendFile for the not-found handler below (no routes: `serve: false`); the file routes live in their own public scope.
    await app.register(fastifyStatic, { root: webRoot, serve: false });
    await app.register(async (files) => {
      declareScopeAccess(files as unknown as FastifyInstance, 'public');
      await files.register(fastifyStatic, {
        root: webRoot,
        prefix: '/',
        wildcard: false,
        index: false,
        decorateReply: false,
        setHeaders: (reply, file) =>
          reply.header('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
      });
    });
  }
  app.setNotFoundHandler((request, reply) => {
    // No route matched, so nothing is served but a page of the single-page apps: decided on the
    // decoded path, the same one the router tried.
    const pathname = decodedPath(request.url);
    const isPage =
      request.method === 'GET' && pathname !== undefined && !/^\/api(\/|$)/i.test(pathname) && (request.headers.accept ?? '').includes('text/html');
    if (!isPage) return sendError(reply, 404, 'request.not_found', `No route ${request.method} ${request.url.split('?')[0].slice(0, 200)}`);
    if (!hasConsole) return reply.code(503).type('text/plain').send('The console is not built: run `npm run build`.');
    return reply.header('Cache-Control', 'no-cache').sendFile(EMPLOYEE_PAGE.test(pathname) ? 'portal.html' : 'index.html');
  });
}
