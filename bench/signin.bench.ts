// Employee sign-ins per second against one server process (one Node thread: "one core" for the
// server's JavaScript), on PostgreSQL and on PGlite:
// - passkey: POST /api/signin/webauthn/options {} → ES256 assertion by a software authenticator
//   (test/helpers/soft-authenticator.ts) → POST /api/signin/webauthn/verify → session cookie;
// - password: POST /api/signin/password (argon2id) → POST /api/signin/totp → session cookie.
// Each sign-in is dependent requests, so a custom loop of BENCH_WORKERS concurrent workers drives
// it for BENCH_DURATION seconds (not autocannon). Run: node --import tsx bench/signin.bench.ts
// Settings (environment): BENCH_ENGINES=postgres,pglite  BENCH_CASES=passkey,password  BENCH_WORKERS=4
// BENCH_WARMUP=10  BENCH_DURATION=10  BENCH_PASSWORD_EMPLOYEES=3000  BENCH_LOG_LEVEL=warn  BENCH_BUILT=1
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, pgliteTemplatePath } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { loadConfig } from '../src/config/config.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/lib/clock.js';
import { cliContext } from '../src/lib/context.js';
import { masterKeyFromBytes } from '../src/security/master-key.js';
import { hashPassword } from '../src/security/passwords.js';
import { newTotpSecret, totpCode, TOTP_PERIOD } from '../src/security/totp.js';
import { employeeTotpAad } from '../src/authn/employee-auth.service.js';
import { upsertEmployeeAuth } from '../src/authn/employee-auth.repository.js';
import { SoftAuthenticator } from '../test/helpers/soft-authenticator.js';
import { createCleanup, type Cleanup } from './lib/cleanup.js';
import { cpuBetween, machineLoadBetween, readMachineCpu, snapshotCpu } from './lib/cpu.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { createScratchPostgres } from './lib/scratch-postgres.js';
import { seedEmployees } from './lib/seed-employees.js';
import { repoRoot, startServerProcess } from './lib/server-process.js';

type Engine = 'pglite' | 'postgres';
type CaseName = 'passkey' | 'password';

const settings = {
  engines: (process.env.BENCH_ENGINES ?? 'postgres,pglite').split(',').map((e) => e.trim()) as Engine[],
  cases: (process.env.BENCH_CASES ?? 'passkey,password').split(',').map((c) => c.trim()) as CaseName[],
  workers: Number(process.env.BENCH_WORKERS ?? 4),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 10),
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  /** Each can sign in with a password + TOTP once per 30 s step (a TOTP code is single-use). */
  passwordEmployees: Number(process.env.BENCH_PASSWORD_EMPLOYEES ?? 3000),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
  server: process.env.BENCH_BUILT === '1' ? 'dist (bin/tessera.js)' : 'src (node --import tsx)',
};

/** PUBLIC_URL of the server: relying party id `localhost`, the origin the "browser" reports. */
const ORIGIN = 'http://localhost:8080';
const PASSWORD = 'bench: correct horse battery staple 42';

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits));

/** A minimal browser for one worker: cookies (CSRF, session) and the CSRF header, over keep-alive fetch. */
class Browser {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async request(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: any }> {
    // The sign-in API wants the CSRF cookie's value back in a header: fetched once, as the console does.
    if (method === 'POST' && !this.cookies.has('tessera_csrf')) await this.request('GET', '/api/auth/csrf');
    const headers: Record<string, string> = { origin: ORIGIN };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      const csrf = this.cookies.get('tessera_csrf');
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    const res = await fetch(this.base + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }
  /** Forgets every cookie but the CSRF one: the next sign-in starts signed out, like a new visit. */
  signOutLocally() {
    // The CSRF token is bound to the sessions it was issued with: it goes with them.
    this.cookies.clear();
  }
}

interface PasswordAccount {
  email: string;
  secret: string;
  lastStep: number;
}

interface Prepared {
  version: string;
  /** One discoverable credential per worker (one authenticator each: sign counters stay in order). */
  authenticators: SoftAuthenticator[];
  accounts: PasswordAccount[];
}

/** Migrates, seeds employees, sets the policy, registers passkeys and gives passwords + TOTP, in-process. */
async function prepareDatabase(_engine: Engine, dataDir: string, databaseUrl: string | undefined, masterKey: Buffer): Promise<Prepared> {
  const database = await openDatabase({ databaseUrl, dataDir, template: pgliteTemplatePath() });
  try {
    await runMigrations(database);
    const started = performance.now();
    const employeeCount = Math.max(settings.passwordEmployees + settings.workers, 100) * 1.2;
    await seedEmployees(database, Math.ceil(employeeCount));
    await database.query('ANALYZE');
    const [{ server_version: version }] = await database.query<{ server_version: string }>('SHOW server_version');
    const config = loadConfig({ PUBLIC_URL: ORIGIN, DATA_DIR: dataDir });
    const services = createServices({ config, database, masterKey: masterKeyFromBytes(masterKey), clock: systemClock });
    await services.settings.update(cliContext(), {
      authenticators: { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'], userVerification: 'required', signCountPolicy: 'refuse' },
    });
    const rows = await database.query<{ id: string; email: string; first_name: string; last_name: string }>(
      `SELECT id, email, first_name, last_name FROM employees WHERE status = 'active' ORDER BY email`,
    );
    if (rows.length < settings.workers + settings.passwordEmployees) throw new Error(`only ${rows.length} active employees`);

    const authenticators: SoftAuthenticator[] = [];
    for (const e of rows.slice(0, settings.workers)) {
      const key = new SoftAuthenticator({ aaguid: 'ee882879-721c-4913-9775-3dfcce97072a', attachment: 'cross-platform', transports: ['usb', 'nfc'] });
      const subject = { type: 'employee' as const, id: e.id, name: e.email, displayName: `${e.first_name} ${e.last_name}` };
      const { ceremonyId, options } = await services.webauthn.startRegistration(subject, 'security_key');
      await services.webauthn.finishRegistration(cliContext(), { subject, ceremonyId, response: key.register(options, { origin: ORIGIN }) });
      authenticators.push(key);
    }

    // One argon2id hash for all (each verification costs the same); a TOTP seed of their own each.
    const passwordHash = await hashPassword(PASSWORD);
    const accounts: PasswordAccount[] = [];
    for (const e of rows.slice(settings.workers, settings.workers + settings.passwordEmployees)) {
      const secret = newTotpSecret();
      await upsertEmployeeAuth(database.db, e.id, {
        passwordHash,
        totpSecret: services.sealer.seal(secret, employeeTotpAad(e.id)),
        totpLastStep: null,
        failedAttempts: 0,
        lockedUntil: null,
      });
      accounts.push({ email: e.email, secret, lastStep: -1 });
    }
    console.log(
      `  seeded ${rows.length} active employees, ${authenticators.length} passkeys, ${accounts.length} password + TOTP in ${Math.round(performance.now() - started)} ms`,
    );
    return { version, authenticators, accounts };
  } finally {
    await database.close();
  }
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

interface LoopResult {
  signIns: number;
  seconds: number;
  latencies: number[];
  stepMs: Record<string, number[]>;
}

/** Runs `workers` loops of signIn() for `seconds`; each loop's sign-ins are serial. */
async function runLoop(
  workers: Browser[],
  seconds: number,
  signIn: (b: Browser, worker: number, steps: Record<string, number[]>) => Promise<boolean>,
): Promise<LoopResult> {
  const latencies: number[] = [];
  const stepMs: Record<string, number[]> = {};
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    workers.map(async (b, i) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        if (!(await signIn(b, i, stepMs))) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { signIns: latencies.length, seconds: (performance.now() - start) / 1000, latencies, stepMs };
}

function expect(what: string, res: { status: number; body: any }, status = 200) {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
}

function timed<T>(steps: Record<string, number[]>, name: string, p: Promise<T>): Promise<T> {
  const t0 = performance.now();
  return p.finally(() => {
    (steps[name] ??= []).push(performance.now() - t0);
  });
}

interface CaseResult {
  engine: Engine;
  case: CaseName;
  workers: number;
  seconds: number;
  signIns: number;
  signInsPerSecond: number;
  latencyMs: { p50: number; p99: number; mean: number };
  stepsMs: Record<string, { p50: number; mean: number }>;
  cpu: { serverMsPerSignIn?: number; postgresMsPerSignIn?: number; loadGeneratorMsPerSignIn: number };
  machineLoad?: { stealPercent: number; otherPercent: number };
}

async function runEngine(engine: Engine, cleanup: Cleanup): Promise<{ version: string; results: CaseResult[] }> {
  console.log(`\n${engine}:`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  cleanup.defer(`temp folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  const scratch = engine === 'postgres' ? await createScratchPostgres(cleanup) : undefined;
  const databaseUrl = scratch?.url;
  const masterKey = crypto.randomBytes(32);
  const prepared = await prepareDatabase(engine, dir, databaseUrl, masterKey);

  const server = await startServerProcess({
    cleanup,
    env: {
      DATA_DIR: dir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      PUBLIC_URL: ORIGIN,
      TESSERA_MASTER_KEY: masterKey.toString('base64'),
      LOG_LEVEL: settings.logLevel,
      // Per-IP sign-in limit (30 a minute by default) and API limit out of the way.
      TESSERA_SIGNIN_RATE_LIMIT: '1000000',
      TESSERA_API_RATE_LIMIT: '100000000',
    },
  });
  console.log(`  server pid ${server.pid} at ${server.url}`);

  const browsers = await Promise.all(
    Array.from({ length: settings.workers }, async () => {
      const b = new Browser(server.url);
      expect('GET /api/auth/csrf', await b.request('GET', '/api/auth/csrf'));
      if (!b.cookies.has('tessera_csrf')) throw new Error('no tessera_csrf cookie');
      return b;
    }),
  );

  const passkey = async (b: Browser, worker: number, steps: Record<string, number[]>) => {
    b.signOutLocally();
    const start = await timed(steps, 'options', b.request('POST', '/api/signin/webauthn/options', {}));
    expect('webauthn/options', start);
    const t0 = performance.now();
    const response = prepared.authenticators[worker].authenticate(start.body.options, { origin: ORIGIN });
    (steps.sign ??= []).push(performance.now() - t0);
    const done = await timed(steps, 'verify', b.request('POST', '/api/signin/webauthn/verify', { ceremonyId: start.body.ceremonyId, response }));
    expect('webauthn/verify', done);
    if (done.body.status !== 'ok' || ![...b.cookies.keys()].some((k) => k.includes('employee_session')))
      throw new Error(`no session after verify: ${JSON.stringify(done.body)}`);
    return true;
  };

  // A TOTP code is single-use per employee (the server refuses any step at or before the last one
  // used), so each sign-in takes an employee who has not signed in during the current 30 s step.
  let next = 0;
  const takeAccount = (): PasswordAccount | undefined => {
    const step = Math.floor(Date.now() / 1000 / TOTP_PERIOD);
    for (let i = 0; i < prepared.accounts.length; i++) {
      const a = prepared.accounts[(next + i) % prepared.accounts.length];
      if (a.lastStep < step) {
        next = (next + i + 1) % prepared.accounts.length;
        a.lastStep = step;
        return a;
      }
    }
    return undefined;
  };
  let starved = 0;
  const password = async (b: Browser, _worker: number, steps: Record<string, number[]>) => {
    const account = takeAccount();
    if (!account) {
      starved++;
      return false;
    }
    b.signOutLocally();
    const first = await timed(steps, 'password', b.request('POST', '/api/signin/password', { email: account.email, password: PASSWORD }));
    expect('signin/password', first);
    if (first.body.status !== 'second_factor_required') throw new Error(`password: ${JSON.stringify(first.body)}`);
    const code = totpCode(account.secret, account.lastStep * TOTP_PERIOD * 1000 + 1000);
    const done = await timed(steps, 'totp', b.request('POST', '/api/signin/totp', { code }));
    expect('signin/totp', done);
    if (done.body.status !== 'ok') throw new Error(`totp: ${JSON.stringify(done.body)}`);
    return true;
  };

  const results: CaseResult[] = [];
  for (const name of settings.cases) {
    const signIn = name === 'passkey' ? passkey : password;
    await runLoop(browsers, settings.warmupSeconds, signIn);
    starved = 0;
    const pids = async () => (scratch ? await scratch.backendPids() : []);
    const before = { server: snapshotCpu([server.pid]), database: snapshotCpu(await pids()), client: process.cpuUsage(), machine: readMachineCpu() };
    const loop = await runLoop(browsers, settings.durationSeconds, signIn);
    const serverMs = cpuBetween(before.server, snapshotCpu([server.pid]));
    const databaseMs = scratch ? cpuBetween(before.database, snapshotCpu(await pids())) : undefined;
    const client = process.cpuUsage(before.client);
    const clientMs = (client.user + client.system) / 1000;
    const machineLoad = machineLoadBetween(before.machine, readMachineCpu(), (serverMs ?? 0) + (databaseMs ?? 0) + clientMs);
    if (starved) console.log(`  WARNING: ${starved} times no employee was free for a TOTP code this step: raise BENCH_PASSWORD_EMPLOYEES`);
    const per = (ms: number | undefined) => (ms === undefined ? undefined : ms / loop.signIns);
    const sorted = [...loop.latencies].sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const stepsMs = Object.fromEntries(
      Object.entries(loop.stepMs).map(([k, xs]) => [
        k,
        {
          p50: percentile(
            [...xs].sort((a, b) => a - b),
            50,
          ),
          mean: mean(xs),
        },
      ]),
    );
    const r: CaseResult = {
      engine,
      case: name,
      workers: settings.workers,
      seconds: loop.seconds,
      signIns: loop.signIns,
      signInsPerSecond: loop.signIns / loop.seconds,
      latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: mean(sorted) },
      stepsMs,
      cpu: { serverMsPerSignIn: per(serverMs), postgresMsPerSignIn: per(databaseMs), loadGeneratorMsPerSignIn: clientMs / loop.signIns },
      machineLoad,
    };
    results.push(r);
    console.log(
      `  ${name.padEnd(9)} ${r.signInsPerSecond.toFixed(1).padStart(7)} sign-ins/s  p50 ${r.latencyMs.p50.toFixed(1)} ms  p99 ${r.latencyMs.p99.toFixed(1)} ms  server CPU ${fmt(r.cpu.serverMsPerSignIn)} ms/sign-in${scratch ? `  PostgreSQL CPU ${fmt(r.cpu.postgresMsPerSignIn)} ms/sign-in` : ''}  steps (mean ms): ${Object.entries(
        stepsMs,
      )
        .map(([k, v]) => `${k} ${v.mean.toFixed(1)}`)
        .join(', ')}`,
    );
  }
  await cleanup.run();
  return { version: prepared.version, results };
}

async function main() {
  const machine = describeMachine();
  const loadAverage = os.loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(
    `signin: ${settings.cases.join(', ')}; ${settings.workers} workers, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per case, server from ${settings.server}, LOG_LEVEL=${settings.logLevel}`,
  );
  console.log(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; load average ${loadAverage.join(' ')}`,
  );

  const cleanup = createCleanup();
  const versions: Record<string, string> = {};
  const results: CaseResult[] = [];
  try {
    for (const engine of settings.engines) {
      const r = await runEngine(engine, cleanup);
      versions[engine] = r.version;
      results.push(...r.results);
    }
  } finally {
    await cleanup.run();
  }

  const pglite = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version as string;
  const engineLabel = (e: Engine) => (e === 'pglite' ? `PGlite ${pglite} (PG ${versions[e]})` : `PostgreSQL ${versions[e]}`);
  console.log(
    `\nSign-ins, one server process (one JavaScript thread), ${settings.workers} concurrent clients, ${settings.durationSeconds} s per case (${machine.cpus} cores, Node ${machine.node}):`,
  );
  printTable(
    ['engine', 'case', 'sign-ins/s', 'p50 ms', 'p99 ms', 'server CPU ms/sign-in', 'PostgreSQL CPU ms/sign-in', 'steal %', 'others %'],
    results.map((r) => [
      engineLabel(r.engine),
      r.case,
      r.signInsPerSecond.toFixed(1),
      r.latencyMs.p50.toFixed(1),
      r.latencyMs.p99.toFixed(1),
      fmt(r.cpu.serverMsPerSignIn),
      fmt(r.cpu.postgresMsPerSignIn),
      fmt(r.machineLoad?.stealPercent, 0),
      fmt(r.machineLoad?.otherPercent, 0),
    ]),
  );
  console.log('\nPer step, mean ms as the client saw it:');
  printTable(
    ['engine', 'case', 'step', 'mean ms', 'p50 ms'],
    results.flatMap((r) => Object.entries(r.stepsMs).map(([k, v]) => [engineLabel(r.engine), r.case, k, v.mean.toFixed(1), v.p50.toFixed(1)])),
  );
  const worst = Math.max(0, ...results.map((r) => (r.machineLoad ? r.machineLoad.stealPercent + r.machineLoad.otherPercent : 0)));
  if (worst > 15)
    console.log(
      `\nNote: up to ${worst.toFixed(0)}% of the machine's CPU went to the hypervisor (steal) or to other processes during a case: sign-ins/s and latency are lower than on a quiet machine; CPU ms/sign-in are steadier.`,
    );

  const file = writeResults('signin', {
    bench: 'signin',
    at: new Date().toISOString(),
    machine,
    loadAverageAtStart: loadAverage,
    settings,
    versions: { ...versions, pglitePackage: pglite },
    results,
  });
  console.log(`\nresults written to ${file}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
