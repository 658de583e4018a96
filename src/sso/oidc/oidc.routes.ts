import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../../metrics/metrics.js';
import type { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import type { App } from '../../http/types.js';
import { employeeSessionCookieName, sessionCookieName } from '../../http/auth.js';
import { csrfCookieName, csrfCookieOptions, issueCsrfToken } from '../../http/csrf.js';
import { AppError } from '../../lib/errors.js';
import type { CredentialReservation } from '../../security/credential-limiter.js';
import { createAdapterFactory, purgeExpired } from './oidc.adapter.js';
import { rewriteEamHint } from './oidc.eam.js';
import { recordBackchannelFailure } from './oidc.backchannel.js';
import { createProvider } from './oidc.provider.js';
import { oidcInteractionRoutes } from './oidc-interaction.routes.js';
import type { EmployeeAttributeSource } from '../employee-attributes.js';
import { WALK_STATE, type OidcSingleLogoutDeps } from './oidc.logout.js';
import type { CredentialLimiter } from '../../security/credential-limiter.js';
import type { OidcInteractionRoutesDeps } from './oidc-interaction.routes.js';
import type { OidcService } from './oidc.service.js';
import type { Config } from '../../config/config.js';
import type { SettingsService } from '../../settings/settings.service.js';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { PortalService } from '../../portal/portal.service.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { AuditService } from '../../audit/audit.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcRoutesDeps = {
  audit: AuditService;
  sessions: SessionService;
  csrfKey: Buffer;
  portal: PortalService;
  clock: Clock;
  db: Db;
  config: Config;
  oidc: OidcService;
  credentialLimiter: CredentialLimiter;
  employeeAttributes: Pick<EmployeeAttributeSource, 'of'>;
  metrics: Pick<Metrics, 'countToken'>;
  settings: Pick<SettingsService, 'get'>;
} & OidcInteractionRoutesDeps &
  OidcSingleLogoutDeps;

/** How often a node checks the signing keys (rotation, or another node's rotation) and purges expired artefacts. */
const KEY_CHECK_MS = 15 * 60_000;
const PURGE_MS = 10 * 60_000;

/**
 * Mounts oidc-provider at PUBLIC_URL/oidc inside the Fastify app. The provider reads request bodies
 * itself, so its routes have a content-type parser that leaves the body stream alone; its pages
 * get their own CSP (form_post must post to the client, and oidc-provider adds the hash of its
 * auto-submit script to `script-src`). The interaction pages are ordinary Fastify routes.
 */
export async function registerOidc(app: App, services: OidcRoutesDeps, opts: { redis?: Redis }) {
  const { oidc, config } = services;
  const adapter = createAdapterFactory({ db: services.db, clock: services.clock, redis: opts.redis, redisPrefix: config.redisPrefix });
  const clientAdapter = { find: (id: string) => oidc.clients.providerMetadata(id) };
  const { cookieKeys } = oidc;

  await oidc.keys.ensureCurrent();
  let { jwks, version } = await oidc.keys.privateJwks();
  const build = () => {
    const p = createProvider({ services, adapter, clientAdapter }, jwks, cookieKeys);
    onEvents(p);
    return p;
  };
  let provider: Provider = build();
  oidc.runtime.provider = provider;
  let callback = provider.callback();

  const refreshKeys = async () => {
    try {
      await oidc.keys.ensureCurrent();
      const next = await oidc.keys.privateJwks();
      if (next.version === version) return;
      ({ jwks, version } = next);
      provider = build();
      oidc.runtime.provider = provider;
      callback = provider.callback();
      app.log.info({ keys: version }, 'oidc signing keys changed: provider rebuilt');
      // The other nodes rebuild too (a node that rebuilt on this notice says it again: a no-op for the rest).
      await oidc.keysChanged();
    } catch (err) {
      app.log.error({ err }, 'oidc signing key check failed');
    }
  };
  oidc.runtime.refreshKeys = refreshKeys;
  await oidc.onKeysChanged(() => void refreshKeys())?.catch((err) => app.log.warn({ err }, 'oidc key notices unavailable: keys are checked periodically'));
  const timers = [
    setInterval(() => {
      void refreshKeys();
    }, KEY_CHECK_MS),
    setInterval(() => {
      void purgeExpired(services.db, services.clock.now()).catch((err) => app.log.warn({ err }, 'oidc purge failed'));
    }, PURGE_MS),
  ];
  for (const t of timers) t.unref();
  app.addHook('onClose', async () => {
    for (const t of timers) clearInterval(t);
  });

  const publicUrl = new URL(config.publicUrl);
  const isEamClient = async (clientId: string) => (await oidc.clients.findByClientId(clientId))?.kind === 'eam';
  const csp = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action *; frame-ancestors 'none'; base-uri 'none'";
  // Requests in which a client failed to authenticate (set by the events below): they keep their
  // unit of the per-IP credential budget.
  const clientAuthFailed = new WeakSet<object>();

  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        const raw = request.raw as typeof request.raw & { originalUrl?: string };
        const url = new URL(request.url, 'http://x');
        // The provider's paths are fixed words: a percent-encoded one (/oidc/%61uth) would slip past
        // the checks below that name a path, so it is no endpoint of ours (RFC 3986 §6.2.2.2).
        if (url.pathname.includes('%'))
          return reply.code(404).type('application/json').send({ error: 'invalid_request', error_description: 'unknown endpoint' });
        // EAM: Entra's id_token_hint is not ours to verify as an ID token (oidc.eam.ts).
        if (url.pathname === '/oidc/auth') {
          if (request.method === 'GET' && (await rewriteEamHint(url.searchParams, isEamClient))) raw.url = `${url.pathname}?${url.searchParams}`;
          // OIDC Core §3.1.2.1: the authorization endpoint accepts POST too. oidc-provider would then
          // want its session cookie SameSite=None; instead the same request continues as a GET.
          if (request.method === 'POST') {
            if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
              return reply.code(415).type('text/plain').send('Unsupported Media Type');
            const chunks: Buffer[] = [];
            let size = 0;
            for await (const chunk of raw) {
              size += (chunk as Buffer).length;
              if (size > 16 * 1024) return reply.code(413).type('text/plain').send('Payload Too Large');
              chunks.push(chunk as Buffer);
            }
            const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
            await rewriteEamHint(params, isEamClient);
            return reply.code(303).header('Cache-Control', 'no-store').redirect(`/oidc/auth?${params}`);
          }
        }
        // PUBLIC_URL is the one truth for the URLs the provider writes (issuer, endpoints, redirects),
        // however the request reached this node; the client address is the one Fastify settled on
        // (X-Forwarded-For only when TRUST_PROXY says so).
        raw.headers['x-forwarded-host'] = publicUrl.host;
        raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
        raw.headers['x-forwarded-for'] = request.ip;
        // Client authentication (token, introspection, revocation: all POST) is a credential check in
        // the per-IP budget shared with the sign-in endpoints. Every POST reserves a unit, whatever
        // its path's spelling, and gives it back unless a client failed to authenticate in it.
        let reservation: CredentialReservation | undefined;
        if (request.method === 'POST') {
          try {
            reservation = await services.credentialLimiter.reserve(request.ip);
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            // The token endpoint's own error form (RFC 6749 §5.2). Of the codes it defines only
            // invalid_request fits; slow_down belongs to the device grant (RFC 8628 §3.5) and
            // invalid_client would tell a client with the right secret that it is wrong. The 429
            // and Retry-After say that waiting helps.
            const seconds = (err.details as { retryAfterSeconds: number }).retryAfterSeconds;
            return reply
              .code(429)
              .header('retry-after', String(seconds))
              .header('cache-control', 'no-store')
              .send({ error: 'invalid_request', error_description: `too many failed client authentications from this address: retry in ${seconds} s` });
          }
        }
        reply.hijack();
        reply.raw.setHeader('Content-Security-Policy', csp);
        raw.originalUrl = raw.url;
        raw.url = raw.url!.slice('/oidc'.length) || '/';
        await callback(raw, reply.raw);
        if (reservation && !clientAuthFailed.has(raw)) await reservation.release();
      };
      scope.all('/', { config: { access: 'public' }, schema: { hide: true } }, handler);
      scope.all('/*', { config: { access: 'public' }, schema: { hide: true } }, handler);
    },
    { prefix: '/oidc' },
  );

  await oidcInteractionRoutes(app, services, () => provider);

  services.portal.addApplicationSource(() => oidc.applications());
  // A logout started by SAML, WS-Fed or the portal ends the OIDC side of the Tessera session too.
  services.samlLogout.addParticipant(oidc.logout);
  // An RP-initiated logout also ends the Tessera employee session it was built on.
  function endEmployeeSession(ctx: {
    cookies: { get(n: string): string | undefined; set(n: string, v: string | null, o: object): void };
    state: Record<string, unknown>;
    oidc?: { params?: { logout?: unknown } };
  }) {
    // "No, stay signed in" (no `logout`): only the asking client's part of the provider session
    // ends (oidc-provider); the employee stays signed in to Tessera and the other applications.
    if (!ctx.oidc?.params?.logout) return;
    const name = employeeSessionCookieName(config.isSecure);
    const token = ctx.cookies.get(name);
    if (!token) return;
    try {
      ctx.cookies.set(name, null, { path: '/', httpOnly: true, sameSite: 'lax', signed: false });
      // The CSRF token was bound to the session that ends here (src/http/csrf.ts): the portal gets
      // one for the sessions the browser keeps, as every other sign-out gives it.
      const csrf = issueCsrfToken(services.csrfKey, { admin: ctx.cookies.get(sessionCookieName(config.isSecure)) });
      ctx.cookies.set(csrfCookieName(config.isSecure), csrf, { ...csrfCookieOptions(config.isSecure), signed: false });
    } catch {
      // Koa refuses a Secure cookie on what it thinks is plain HTTP; the session ends anyway below.
    }
    // "Yes, sign me out": the single-logout walk ends the session itself, after reading which
    // SAML and WS-Fed applications it reached (oidc.logout.ts).
    if (ctx.state[WALK_STATE]) return;
    void services.sessions
      .resolve(token)
      .then(({ session }) => session && services.sessions.revoke(session.id))
      .catch(() => undefined);
  }
  function onEvents(p: Provider) {
    // A token answered at /oidc/token, counted by grant type (GET /metrics).
    p.on('grant.success', (ctx) => {
      services.metrics.countToken((ctx as { oidc?: { params?: { grant_type?: unknown } } }).oidc?.params?.grant_type);
    });
    p.on('end_session.success', (ctx) => {
      endEmployeeSession(ctx as never);
      const accountId = (ctx as { oidc?: { session?: { accountId?: string } } }).oidc?.session?.accountId;
      void services.audit
        .record(
          { actor: { type: 'employee', id: accountId ?? null, label: null }, ip: ctx.ip, userAgent: ctx.get('user-agent') || null },
          { action: 'oidc.logout' },
        )
        .catch(() => undefined);
    });
    // Single sign-on without a login step (an existing session, prompt=none) is an authentication
    // to that application too; the interactive ones are recorded by the interaction (with method).
    p.on('authorization.success', (ctx) => {
      const o = (ctx as { oidc: { route: string; session?: { accountId?: string; acr?: string; amr?: string[] }; client?: { clientId: string } } }).oidc;
      if (o.route === 'resume' || !o.session?.accountId) return;
      void services.audit
        .record(
          { actor: { type: 'employee', id: o.session.accountId, label: null }, ip: ctx.ip, userAgent: ctx.get('user-agent') || null },
          {
            action: 'oidc.sign_in',
            target: { type: 'oidc_client', id: null, label: o.client?.clientId ?? null },
            details: { sso: true, acr: o.session.acr ?? null, amr: o.session.amr ?? null },
          },
        )
        .catch((err) => app.log.warn({ err }, 'audit of an OIDC sign-in failed'));
    });
    // A client that fails to authenticate at the token, introspection or revocation endpoint is
    // audited like a bad API key (the secret tried is never recorded).
    for (const event of ['grant.error', 'introspection.error', 'revocation.error']) {
      p.on(event, (ctx, err: { error?: string; error_description?: string }) => {
        if (err?.error !== 'invalid_client') return;
        clientAuthFailed.add(ctx.req);
        const clientId = (ctx as { oidc?: { params?: { client_id?: string } } }).oidc?.params?.client_id ?? basicUser(ctx.get('authorization'));
        // Anyone can send a wrong secret at request speed: counted per source and minute, not one record each.
        services.audit.recordAnonymousFailure(
          { actor: { type: 'anonymous', id: null, label: null }, ip: ctx.ip, userAgent: ctx.get('user-agent') || null },
          {
            action: 'oidc.client_auth_failed',
            details: { endpoint: event.split('.')[0], clientId: clientId?.slice(0, 200) ?? null, reason: err.error_description ?? null },
          },
        );
      });
    }
    // A client that RP-initiated logout could not reach is audited as in every other logout path.
    p.on('backchannel.error', (ctx, err: Error, client: { clientId: string }, accountId: string) => {
      void recordBackchannelFailure(
        services.audit,
        { actor: { type: 'employee', id: accountId ?? null, label: null }, ip: ctx.ip, userAgent: ctx.get('user-agent') || null },
        { clientId: client.clientId, accountId: accountId ?? null, reason: err.message },
      );
    });
    p.on('server_error', (_ctx, err) => app.log.error({ err }, 'oidc-provider server error'));
  }
}

/** The client id of an HTTP Basic header (RFC 6749 §2.3.1: form-urlencoded), or undefined. */
function basicUser(header: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const user = Buffer.from(m[1], 'base64').toString('utf8').split(':')[0];
  try {
    return decodeURIComponent(user.replace(/\+/g, ' ')).slice(0, 200);
  } catch {
    return undefined;
  }
}
