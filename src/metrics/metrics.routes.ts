import crypto from 'node:crypto';
import http from 'node:http';
import type { Config } from '../config/config.js';
import type { App } from '../http/types.js';
import { AppError } from '../lib/errors.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import type { Metrics } from './metrics.js';

export interface MetricsRoutesDeps {
  config: Config;
  metrics: Pick<Metrics, 'render' | 'contentType'>;
  credentialLimiter: Pick<CredentialLimiter, 'guard'>;
}

const sameToken = (given: string, expected: string) => {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
};

/**
 * GET /metrics on the main port, only with TESSERA_METRICS_TOKEN set and given as a bearer token
 * (a wrong one spends the address's credential budget like any credential). Without a token the
 * route answers 404 as an unknown path does: nothing is exposed unless the operator chose to.
 */
export function metricsRoutes(app: App, deps: MetricsRoutesDeps): void {
  const token = deps.config.metricsToken;
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (!token) throw new AppError('request.not_found', 'No route GET /metrics');
    const header = request.headers.authorization ?? '';
    const given = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
    await deps.credentialLimiter.guard(request, reply, async () => {
      if (!given || !sameToken(given, token)) {
        reply.header('www-authenticate', 'Bearer realm="tessera-metrics"');
        throw new AppError('auth.required', 'Metrics need the bearer token set in TESSERA_METRICS_TOKEN');
      }
    });
    reply.header('cache-control', 'no-store');
    return reply.type(deps.metrics.contentType).send(await deps.metrics.render());
  });
}

/**
 * The metrics on a port of their own (TESSERA_METRICS_PORT, on TESSERA_METRICS_HOST, 127.0.0.1 by
 * default): a plain listener that answers GET /metrics and nothing else, for a scraper on the same
 * host or a management network. No token there unless TESSERA_METRICS_TOKEN is set too.
 */
export async function startMetricsListener(deps: Pick<MetricsRoutesDeps, 'config' | 'metrics'>): Promise<{ port: number; close(): Promise<void> } | undefined> {
  const { metricsPort, metricsHost, metricsToken } = deps.config;
  if (metricsPort === undefined) return undefined;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served here\n');
      return;
    }
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (metricsToken && !(given && sameToken(given, metricsToken))) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="tessera-metrics"' }).end('Bearer token required\n');
      return;
    }
    deps.metrics.render().then(
      (body) => res.writeHead(200, { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics could not be collected\n'),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(metricsPort, metricsHost, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : metricsPort,
    // server.close() alone waits for every open connection, and once closed the server no longer
    // enforces headersTimeout/requestTimeout: a client that keeps a request half-sent would hold the
    // node's shutdown forever. A scrape has nothing worth finishing, so every connection is cut.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
