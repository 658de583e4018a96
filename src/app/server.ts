import pino, { type Logger } from 'pino';
import { applyDeclarativeConfig } from './declarative-config.js';
import { loadConfig, type Config } from '../config/config.js';
import { openDatabase, pgliteTemplatePath, type Database } from '../db/connection.js';
import type { AcquireOptions } from '../db/data-dir-lock.js';
import { runMigrations } from '../db/migrate.js';
import type { App } from '../http/types.js';
import { buildApp } from './app.js';
import { createServices, type Services } from './services.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { logSerializers } from '../lib/log-serializers.js';
import { startMailWorker } from '../mail/mail.worker.js';
import { startAuditForwarder } from '../audit/audit-forward.worker.js';
import { directoryJobs, recoverDirectoryState } from '../directory/directory.jobs.js';
import { entraPasskeyJobs } from '../directory/entra/entra-passkey.jobs.js';
import { startJobRunner } from '../jobs/job-runner.js';
import { startMetricsListener } from '../metrics/metrics.routes.js';
import { loadMasterKey, type LoadedMasterKey } from '../security/master-key.js';

/** Redacted wherever they appear in a log line: secrets never reach the logs. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.oldPassword',
  '*.secret',
  '*.token',
  '*.clientSecret',
  '*.passphrase',
  'req.headers["x-tessera-backup-passphrase"]',
];

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  // Serializers: request URLs without their tokens, errors without query values (src/lib/log-serializers.ts).
  return pino({ level: config.logLevel, redact: { paths: LOG_REDACT, censor: '[redacted]' }, serializers: logSerializers });
}

export interface Runtime {
  config: Config;
  logger: Logger;
  database: Database;
  services: Services;
  masterKey: LoadedMasterKey;
}

/** Config → master key → database → migrations → services: what the server and every CLI command need. */
export async function openRuntime(opts: { env?: NodeJS.ProcessEnv; clock?: Clock; logger?: Logger; lock?: AcquireOptions } = {}): Promise<Runtime> {
  const config = loadConfig(opts.env);
  const logger = opts.logger ?? createLogger(config);
  // On PGlite this takes DATA_DIR's lock first (src/db/data-dir-lock.ts): one process owns the
  // folder, and a process refused changes nothing in it (not even a new master.key).
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, template: pgliteTemplatePath(), lock: opts.lock });
  let loaded: LoadedMasterKey;
  try {
    loaded = loadMasterKey({ envKey: config.masterKey, envPrevious: config.previousMasterKeys, dataDir: config.dataDir });
    const { applied, changed, unknown } = await runMigrations(database);
    if (applied.length) logger.info({ applied }, 'database migrations applied');
    if (changed.length) logger.warn({ changed }, "migrations recorded as applied differ from this version's files");
    if (unknown.length) logger.warn({ unknown }, 'the database has migrations this version does not know: it was used by a newer Tessera');
  } catch (err) {
    await database.close();
    throw err;
  }
  const { masterKey, previous, created, source } = loaded;
  if (created) logger.warn({ file: source }, 'created a new master key: back it up with the database, or sealed secrets cannot be read again');
  const services = createServices({ config, database, masterKey, previousKeys: previous, clock: opts.clock ?? systemClock });
  return { config, logger, database, services, masterKey: { masterKey, previous, created, source } };
}

export interface RunningServer {
  app: App;
  runtime: Runtime;
  url: string;
  stop(): Promise<void>;
}

/** Starts the HTTP server; prints where it is and how the first admin gets in. */
/** How long requests in flight may still run once the node stops accepting (well inside the CLI's stop timeout). */
const STRAGGLER_GRACE_MS = 3_000;
/** How long a running background job may finish at shutdown when the drain is shorter. */
const JOB_GRACE_MS = 5_000;

export async function startServer(opts: { env?: NodeJS.ProcessEnv; print?: (line: string) => void; lock?: AcquireOptions } = {}): Promise<RunningServer> {
  const runtime = await openRuntime({ env: opts.env, lock: opts.lock ?? { command: 'serve' } });
  const { config, logger, services, database } = runtime;
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  try {
    if (config.configFile) await applyDeclarativeConfig(services, config.configFile, opts.env ?? process.env, logger);
  } catch (err) {
    await database.close();
    throw err;
  }
  let isDraining = false;
  const app = await buildApp({
    services,
    logger,
    isDraining: () => isDraining,
    signInRateLimit: config.signInRateLimit,
    apiRateLimit: config.apiRateLimit,
  });
  // Before listening: a rotation cut off by a crash is resolved (AD and Tessera agree) before anything else runs.
  await recoverDirectoryState({ ...services, logger }).catch((err) =>
    logger.warn({ err }, 'directory recovery at start failed; it is retried by the rotation job'),
  );
  // Issued before listening, so that the link is printed by the time the server answers /readyz.
  const setupToken = await services.adminAuth.issueSetupToken();
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  // Housekeeping: expired sessions and WebAuthn challenges are removed every ten minutes (idle
  // sessions and expired challenges are refused at once anyway).
  const timer = setInterval(() => {
    services.sessions.purgeExpired().catch((err) => logger.warn({ err }, 'session purge failed'));
    services.webauthn.purgeExpiredChallenges().catch((err) => logger.warn({ err }, 'WebAuthn challenge purge failed'));
  }, 10 * 60_000);
  timer.unref();
  // Outgoing mail: due mails are sent every few seconds, failures retried with backoff.
  const mailWorker = startMailWorker({ mail: services.mail, logger });
  // Audit forwarding to SIEMs: each destination delivered by one node at a time, soon after new records.
  const auditForwarder = startAuditForwarder({
    forwarding: services.auditForwarding,
    logger,
    nodeId: services.directoryNodeId,
  });
  // Background jobs (directory syncs, password rotation), each run once across all nodes.
  const jobRunner = startJobRunner({
    db: services.db,
    clock: services.clock,
    logger,
    nodeId: services.directoryNodeId,
    jobs: [...directoryJobs({ ...services, logger }), ...entraPasskeyJobs({ ...services, logger })],
  });

  services.metrics.setSources({ jobLag: () => jobRunner.lag() });
  services.metrics.startProcessMetrics();
  // GET /metrics on a port of its own, when TESSERA_METRICS_PORT says so (src/metrics/metrics.routes.ts).
  const metricsListener = await startMetricsListener(services).catch(async (err) => {
    await jobRunner.stop();
    await mailWorker.stop();
    await auditForwarder.stop();
    await app.close();
    await database.close();
    throw err;
  });
  if (metricsListener) print(`Metrics at http://${config.metricsHost}:${metricsListener.port}/metrics`);

  const where = database.engine === 'pglite' ? `embedded PostgreSQL (PGlite) in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  print(`Tessera is running at ${config.publicUrl} (listening on ${config.host}:${port}; database: ${where})`);
  if (setupToken) {
    print('No admin exists yet. Create the first admin by opening this one-time link (valid 24 hours):');
    print(`  ${config.publicUrl}/setup?token=${setupToken}`);
    print('  or from the shell: npx tessera admin create --email you@example.com --name "Your Name"');
  } else {
    print(`Sign in to the console at ${config.publicUrl}/login`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Drain first: /readyz says 503 while requests are still served, so a load balancer's health
      // check takes this node out before it stops accepting (TESSERA_SHUTDOWN_DRAIN_SECONDS).
      isDraining = true;
      // No new background job starts from here; one running gets the drain time (5 s at least) to
      // finish, and one still running then hands its lease back so another node runs it at once.
      const jobsStopped = jobRunner.stop({ graceMs: Math.max(config.shutdownDrainMs, JOB_GRACE_MS) });
      if (config.shutdownDrainMs > 0) {
        logger.info({ seconds: config.shutdownDrainMs / 1000 }, 'draining: /readyz answers 503 before the node stops');
        await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
      }
      clearInterval(timer);
      await metricsListener?.close();
      await mailWorker.stop();
      await auditForwarder.stop();
      await jobsStopped;
      // app.close() waits for every open connection, and a closed server no longer enforces its
      // header and request timeouts: one client keeping a request half-sent would hold the stop
      // until the CLI's last resort (exit 1, database not closed). Requests in flight get a few
      // seconds to finish; whatever is still open then is cut.
      const cut = setTimeout(() => app.server.closeAllConnections(), STRAGGLER_GRACE_MS);
      cut.unref();
      await app.close();
      clearTimeout(cut);
      await database.close();
    })();
    return stopping;
  };
  return { app, runtime, url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`, stop };
}
