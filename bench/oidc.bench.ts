// OIDC token endpoint throughput against one server process (one Node thread: "one core" for the
// server's JavaScript) on PostgreSQL, the figures Keycloak publishes for sizing (120 per second per
// vCPU each):
// - client_credentials: POST /oidc/token grant_type=client_credentials, client_secret_basic;
// - refresh_token: POST /oidc/token grant_type=refresh_token on a rotating refresh token (each
//   answer's new refresh token is used for the next grant, as a relying party does).
// Each worker's refresh token comes from a real code + PKCE flow of its own employee (passkey
// sign-in on the API, authorize, interaction, code exchange). BENCH_WORKERS concurrent workers
// drive each case for BENCH_DURATION seconds after BENCH_WARMUP seconds.
// Run: npm run bench -- oidc   Settings: BENCH_WORKERS=4 BENCH_WARMUP=5 BENCH_DURATION=10 BENCH_LOG_LEVEL=warn
import crypto from 'node:crypto';
import { openDatabase } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { loadConfig } from '../src/config/config.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/lib/clock.js';
import { cliContext } from '../src/lib/context.js';
import { masterKeyFromBytes } from '../src/security/master-key.js';
import { Browser, pkce } from '../test/helpers/oidc.js';
import { softKeys } from '../test/helpers/soft-authenticator.js';
import { createCleanup } from './lib/cleanup.js';
import { cpuBetween, machineLoadBetween, readMachineCpu, snapshotCpu } from './lib/cpu.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { createScratchPostgres } from './lib/scratch-postgres.js';
import { startServerProcess } from './lib/server-process.js';

const settings = {
  workers: Number(process.env.BENCH_WORKERS ?? 4),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 5),
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
};
/** PUBLIC_URL: the relying party id and origin the software authenticator reports. */
const ORIGIN = 'http://localhost:8080';
const REDIRECT = 'http://127.0.0.1:9/cb';

async function main() {
  const cleanup = createCleanup();
  try {
    const scratch = await createScratchPostgres(cleanup);
    const masterKey = crypto.randomBytes(32);
    const database = await openDatabase({ databaseUrl: scratch.url, dataDir: '' });
    cleanup.defer('bench database connection', () => database.close());
    await runMigrations(database);
    const services = createServices({
      config: loadConfig({ PUBLIC_URL: ORIGIN, DATA_DIR: '/nonexistent' }),
      database,
      masterKey: masterKeyFromBytes(masterKey),
      clock: systemClock,
    });

    const secret = crypto.randomBytes(32).toString('base64url');
    const base = {
      tokenEndpointAuthMethod: 'client_secret_basic' as const,
      scopes: ['openid', 'profile', 'email', 'offline_access'] as ('openid' | 'profile' | 'email' | 'offline_access')[],
      claims: ['email', 'name'] as ('email' | 'name')[],
      groupsClaim: 'names' as const,
      firstParty: true,
      kind: 'web' as const,
      postLogoutRedirectUris: [],
    };
    await services.oidc.clients.create(
      cliContext(),
      { ...base, clientId: 'bench-service', name: 'Bench service', grantTypes: ['client_credentials'], redirectUris: [] },
      { secret },
    );
    await services.oidc.clients.create(
      cliContext(),
      { ...base, clientId: 'bench-web', name: 'Bench web', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT] },
      { secret },
    );
    const keys = [];
    for (let i = 0; i < settings.workers; i++) {
      const employee = await services.employees.create(cliContext(), { email: `bench.oidc${i}@corp.example`, firstName: 'Bench', lastName: `Worker${i}` });
      const key = softKeys.yubikey();
      const subject = { type: 'employee' as const, id: employee.id, name: employee.email, displayName: 'Bench' };
      const { ceremonyId, options } = await services.webauthn.startRegistration(subject, 'security_key');
      await services.webauthn.finishRegistration(cliContext(), { subject, ceremonyId, response: key.register(options, { origin: ORIGIN }) });
      keys.push(key);
    }

    const server = await startServerProcess({
      cleanup,
      env: {
        DATABASE_URL: scratch.url,
        TESSERA_MASTER_KEY: masterKey.toString('base64'),
        PUBLIC_URL: ORIGIN,
        DATA_DIR: '/nonexistent',
        LOG_LEVEL: settings.logLevel,
        TESSERA_SIGNIN_RATE_LIMIT: '100000',
        TESSERA_API_RATE_LIMIT: '100000000',
      },
    });
    const basic = `Basic ${Buffer.from(`${encodeURIComponent('bench-service')}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const webBasic = `Basic ${Buffer.from(`bench-web:${encodeURIComponent(secret)}`).toString('base64')}`;
    const token = async (auth: string, body: Record<string, string>) => {
      const res = await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
      const json = (await res.json()) as Record<string, string>;
      if (res.status !== 200) throw new Error(`token endpoint ${res.status}: ${JSON.stringify(json)}`);
      return json;
    };

    // One refresh token per worker, from a real code + PKCE flow.
    const refreshTokens: string[] = [];
    for (const key of keys) {
      // The server's PUBLIC_URL is ORIGIN; requests go to the port it listens on.
      const browser = new Browser(ORIGIN, (url) => new URL(url.pathname + url.search, server.url));
      const start = await browser.api('POST', '/api/signin/webauthn/options', {});
      const done = await browser.api('POST', '/api/signin/webauthn/verify', {
        ceremonyId: start.json.ceremonyId,
        response: key.authenticate(start.json.options, { origin: ORIGIN }),
      });
      if (done.status !== 200) throw new Error(`sign-in failed: ${done.text}`);
      const verifier = pkce();
      const { location } = await browser.follow(
        `/oidc/auth?${new URLSearchParams({ client_id: 'bench-web', response_type: 'code', scope: 'openid email profile', redirect_uri: REDIRECT, code_challenge: verifier.challenge, code_challenge_method: 'S256', state: 's' })}`,
      );
      const code = new URL(location).searchParams.get('code');
      if (!code) throw new Error(`no code: ${location}`);
      const tokens = await token(webBasic, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier.verifier });
      refreshTokens.push(tokens.refresh_token);
    }

    const cases: Record<string, (worker: number) => Promise<void>> = {
      client_credentials: async () => {
        await token(basic, { grant_type: 'client_credentials' });
      },
      refresh_token: async (worker) => {
        refreshTokens[worker] = (await token(webBasic, { grant_type: 'refresh_token', refresh_token: refreshTokens[worker] })).refresh_token;
      },
    };
    const run = async (fn: (worker: number) => Promise<void>, seconds: number) => {
      const until = Date.now() + seconds * 1000;
      const latencies: number[] = [];
      await Promise.all(
        Array.from({ length: settings.workers }, async (_, worker) => {
          while (Date.now() < until) {
            const t0 = performance.now();
            await fn(worker);
            latencies.push(performance.now() - t0);
          }
        }),
      );
      return latencies.sort((a, b) => a - b);
    };

    const rows: (string | number)[][] = [];
    const results: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(cases)) {
      await run(fn, settings.warmupSeconds);
      const pids = await scratch.backendPids();
      const before = { server: snapshotCpu([server.pid]), database: snapshotCpu(pids), machine: readMachineCpu() };
      const started = performance.now();
      const latencies = await run(fn, settings.durationSeconds);
      const elapsed = (performance.now() - started) / 1000;
      const serverMs = cpuBetween(before.server, snapshotCpu([server.pid])) ?? 0;
      const databaseMs = cpuBetween(before.database, snapshotCpu(await scratch.backendPids())) ?? 0;
      const load = machineLoadBetween(before.machine, readMachineCpu(), serverMs + databaseMs);
      const perSecond = latencies.length / elapsed;
      const serverCpuPerReq = serverMs / latencies.length;
      const row = {
        perSecond,
        p50: latencies[Math.floor(latencies.length / 2)],
        p99: latencies[Math.floor(latencies.length * 0.99)],
        serverCpuMsPerReq: serverCpuPerReq,
        postgresCpuMsPerReq: databaseMs / latencies.length,
        /** What one fully busy server core would do: 1000 ms / server CPU ms per grant. */
        perCoreSecond: 1000 / serverCpuPerReq,
        stealPercent: load?.stealPercent,
        otherPercent: load?.otherPercent,
      };
      results[name] = row;
      rows.push([
        name,
        row.perSecond.toFixed(0),
        row.p50.toFixed(1),
        row.p99.toFixed(1),
        row.serverCpuMsPerReq.toFixed(2),
        row.postgresCpuMsPerReq.toFixed(2),
        row.perCoreSecond.toFixed(0),
        load ? `${load.stealPercent.toFixed(0)} / ${load.otherPercent.toFixed(0)}` : '-',
      ]);
    }
    printTable(
      ['grant', 'grants/s', 'p50 ms', 'p99 ms', 'server CPU ms/grant', 'PostgreSQL CPU ms/grant', 'grants/s per server core', 'steal % / others %'],
      rows,
    );
    console.log(`written to ${writeResults('oidc', { machine: describeMachine(), settings, results })}`);
  } finally {
    await cleanup.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
