import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { createDocsLibrary } from '../docs/docs.library.js';
import { docsRoutes } from '../docs/docs.routes.js';
import { createHttpApp } from '../http/app.js';
import type { App } from '../http/types.js';
import { metricsRoutes } from '../metrics/metrics.routes.js';
import { packageRoot } from '../lib/package-root.js';
import { registerOidc } from '../sso/oidc/oidc.routes.js';
import { samlProtocolRoutes } from '../sso/saml/saml.routes.js';
import { wsfedRoutes } from '../sso/wsfed/wsfed.routes.js';
import { API_DESCRIPTION, API_TAGS } from './api-document.js';
import { guardDeps } from './auth-subjects.js';
import { registerRoutes } from './routes.js';
import type { Services } from './services.js';

export interface BuildAppOptions {
  services: Services;
  logger?: FastifyBaseLogger | boolean;
  /** Folder of the built console; defaults to dist/web in the package. */
  webRoot?: string;
  /** Folder of the Markdown documents served at /docs; defaults to docs/ in the package. */
  docsRoot?: string;
  /** Per-IP requests a minute on the sign-in endpoints. */
  signInRateLimit?: number;
  /** Per-IP requests a minute on the whole API. */
  apiRateLimit?: number;
  /** True once the node is shutting down: /readyz answers 503 so load balancers move away first. */
  isDraining?: () => boolean;
}

/**
 * The application the server runs and the tests build: the HTTP infrastructure (src/http/app.ts)
 * with every feature's routes on it, wired from one service graph (src/app/services.ts).
 */
export async function buildApp(opts: BuildAppOptions): Promise<App> {
  const { services } = opts;
  const { app, redis } = await createHttpApp({
    config: services.config,
    guard: guardDeps(services),
    // A refused change is an admin action too: who tried what, and why it was refused.
    onRefused: (request, answer) =>
      services.audit.record(request.ctx, {
        action: 'api.request_refused',
        outcome: 'failure',
        target: { type: 'route', id: null, label: `${request.method} ${request.routeOptions.url ?? '(no route)'}` },
        details: { status: answer.status, code: answer.code, message: answer.message },
      }),
    readiness: async () => {
      if (opts.isDraining?.()) return { problem: 'This node is shutting down' };
      return (await services.isSchemaCurrent()) ? { engine: services.database.engine } : { problem: 'Database migrations are not applied' };
    },
    logger: opts.logger,
    webRoot: opts.webRoot,
    apiRateLimit: opts.apiRateLimit,
    apiDocument: { description: API_DESCRIPTION, tags: API_TAGS },
  });
  // Every answer is counted by its matched route pattern (never the raw path, which a client picks).
  app.addHook('onResponse', async (request, reply) => {
    services.metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });
  metricsRoutes(app, services);
  // Anonymous-failure summaries still counted are written before the database closes.
  app.addHook('onClose', async () => {
    await services.audit.close();
  });

  await app.register(async (api) => registerRoutes(api, services, { signInRateLimit: opts.signInRateLimit ?? 30 }), { prefix: '/api' });
  // OpenID Connect provider at PUBLIC_URL/oidc (src/sso/oidc).
  await registerOidc(app, services, { redis });
  // SAML 2.0 IdP at PUBLIC_URL/saml and WS-Federation at PUBLIC_URL/wsfed (src/sso/saml, src/sso/wsfed).
  await samlProtocolRoutes(app, services);
  await wsfedRoutes(app, services);
  // The repository's documents as pages at PUBLIC_URL/docs (src/docs).
  await docsRoutes(app, { library: createDocsLibrary({ dir: opts.docsRoot ?? path.join(packageRoot(), 'docs') }) });
  return app;
}
