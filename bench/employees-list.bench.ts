// Requests per second and latency of the employee list (GET /api/employees, page 1 of 50, sorted
// by last name) with 10,000 employees, on PGlite and on PostgreSQL, with variants that show where
// the time goes. Run: node --import tsx bench/employees-list.bench.ts (or npm run bench).
// Settings (environment): BENCH_ENGINES=pglite,postgres  BENCH_EMPLOYEES=10000  BENCH_CONNECTIONS=10
// BENCH_WARMUP=2  BENCH_DURATION=10  BENCH_CASES=list,list-search  BENCH_LOG_LEVEL=warn
// BENCH_BUILT=1 (the server from dist/ instead of src/)  BENCH_PROFILE=1 (CPU profile of the server)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, pgliteTemplatePath, type Database } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { employeeIdsWithTotp } from '../src/authn/employee-auth.repository.js';
import { employeeIdsWithCredentialKind } from '../src/authn/webauthn.repository.js';
import { findEmployees, type EnrolmentSources } from '../src/employees/employee.repository.js';
import { employeeIdsEverInvited, employeeIdsWithOpenInvitation } from '../src/invitations/invitation.repository.js';
import { employeeQuery } from '../src/employees/employee.schemas.js';
import { createCleanup, type Cleanup } from './lib/cleanup.js';
import { cpuBetween, machineLoadBetween, readMachineCpu, snapshotCpu } from './lib/cpu.js';
import { measure, warmUp, type LoadResult } from './lib/load.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { createScratchPostgres } from './lib/scratch-postgres.js';
import { seedEmployees } from './lib/seed-employees.js';
import { repoRoot, startServerProcess } from './lib/server-process.js';

type Engine = 'pglite' | 'postgres';

const settings = {
  engines: (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((e) => e.trim()) as Engine[],
  cases: process.env.BENCH_CASES?.split(',').map((c) => c.trim()),
  employees: Number(process.env.BENCH_EMPLOYEES ?? 10_000),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 2),
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
  server: process.env.BENCH_BUILT === '1' ? 'dist (bin/tessera.js)' : 'src (node --import tsx)',
};

/** Matches two of the sixty last names (Anderson, Andersson): a person typing part of a name. */
const SEARCH_TERM = 'ander';

interface Case {
  name: string;
  path: string;
  isAuthenticated: boolean;
  measures: string;
}

const CASES: Case[] = [
  { name: 'healthz', path: '/healthz', isAuthenticated: false, measures: 'HTTP floor: Fastify, security headers, no auth, no database' },
  {
    name: 'get-one',
    path: '/api/employees/:id',
    isAuthenticated: true,
    measures: 'authenticated floor: API key check (SHA-256 + indexed lookup), rate limit, one employee by primary key with its 3 joins',
  },
  {
    name: 'list',
    path: '/api/employees?page=1&pageSize=50',
    isAuthenticated: true,
    measures: 'page 1 of 50 by last name: 3 left joins, sort, count(*) over 10,000',
  },
  {
    name: 'list-search',
    path: `/api/employees?page=1&pageSize=50&q=${SEARCH_TERM}`,
    isAuthenticated: true,
    measures: `the same with q=${SEARCH_TERM}: five ILIKE '%…%' per row; no index serves them, so count(*) reads all 10,000 rows`,
  },
];

interface CaseResult extends LoadResult {
  engine: Engine;
  case: string;
  path: string;
  matching?: number;
  responseBytes: number;
  /** CPU milliseconds per request: the server process, the PostgreSQL backends (PGlite runs inside the server), the load generator. */
  cpu: { serverMsPerRequest?: number; postgresMsPerRequest?: number; loadGeneratorMsPerRequest: number };
  /** What else the machine did meanwhile, in % of all its CPU: taken by the hypervisor, used by other processes. */
  machineLoad?: { stealPercent: number; otherPercent: number };
}
/** The repository call alone; cpuMs is this process's CPU, which for PGlite includes the database itself. */
interface DirectResult {
  engine: Engine;
  query: string;
  calls: number;
  meanMs: number;
  cpuMs: number;
}

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits));

/** Serial calls of fn for about budgetMs after a short warm-up: the database's share, without HTTP. */
async function timeSerial(fn: () => Promise<unknown>, budgetMs = 1500): Promise<{ calls: number; meanMs: number; cpuMs: number }> {
  for (let i = 0; i < 20; i++) await fn();
  const start = performance.now();
  const cpu = process.cpuUsage();
  let calls = 0;
  while (performance.now() - start < budgetMs) {
    await fn();
    calls++;
  }
  const used = process.cpuUsage(cpu);
  return { calls, meanMs: (performance.now() - start) / calls, cpuMs: (used.user + used.system) / 1000 / calls };
}

/** Creates, migrates and seeds the database the server will open, and times the list query directly. */
async function prepareDatabase(engine: Engine, dataDir: string, databaseUrl: string | undefined): Promise<{ version: string; direct: DirectResult[] }> {
  const database: Database = await openDatabase({ databaseUrl, dataDir, template: pgliteTemplatePath() });
  try {
    await runMigrations(database);
    const started = performance.now();
    await seedEmployees(database, settings.employees);
    // PostgreSQL's autovacuum would analyse the new rows within a minute; PGlite has no autovacuum.
    // Analysing both makes the engines compare like for like (see the README for PGlite without it).
    await database.query('ANALYZE');
    console.log(`  seeded ${settings.employees} employees in ${Math.round(performance.now() - started)} ms`);
    const [{ server_version: version }] = await database.query<{ server_version: string }>('SHOW server_version');
    const direct: DirectResult[] = [];
    for (const [query, q] of [
      ['list', {}],
      ['list-search', { q: SEARCH_TERM }],
    ] as const) {
      const parsed = employeeQuery.parse({ page: 1, pageSize: 50, ...q });
      // The rollout state the list computes per employee, wired as src/app/services.ts does.
      const enrolment = (): EnrolmentSources => ({
        methods: {
          passkey: employeeIdsWithCredentialKind(database.db, 'passkey'),
          security_key: employeeIdsWithCredentialKind(database.db, 'security_key'),
          second_factor_key: employeeIdsWithCredentialKind(database.db, 'second_factor_key'),
          totp: employeeIdsWithTotp(database.db),
        },
        openInvitation: employeeIdsWithOpenInvitation(database.db, new Date()),
        anyInvitation: employeeIdsEverInvited(database.db),
      });
      direct.push({ engine, query, ...(await timeSerial(() => findEmployees(database.db, parsed, { enrolment: enrolment() }))) });
    }
    return { version, direct };
  } finally {
    await database.close();
  }
}

async function runEngine(engine: Engine, cleanup: Cleanup): Promise<{ version: string; results: CaseResult[]; direct: DirectResult[] }> {
  console.log(`\n${engine}:`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  cleanup.defer(`temp folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  const scratch = engine === 'postgres' ? await createScratchPostgres(cleanup) : undefined;
  const databaseUrl = scratch?.url;
  const { version, direct } = await prepareDatabase(engine, dir, databaseUrl);

  const apiKey = crypto.randomBytes(32).toString('base64url');
  const configFile = path.join(dir, 'tessera.yaml');
  fs.writeFileSync(configFile, 'apiKeys:\n  - name: bench\n    scope: read\n    secret: { env: BENCH_KEY }\n');
  const server = await startServerProcess({
    cleanup,
    env: {
      DATA_DIR: dir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      PUBLIC_URL: 'http://127.0.0.1',
      TESSERA_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
      TESSERA_CONFIG: configFile,
      BENCH_KEY: apiKey,
      LOG_LEVEL: settings.logLevel,
      // The per-IP API limit (1,200 a minute) would otherwise answer 429 within a second.
      TESSERA_API_RATE_LIMIT: '100000000',
    },
  });
  console.log(`  server pid ${server.pid} at ${server.url}`);

  const auth = { authorization: `Bearer ${apiKey}` };
  const someone = await fetch(`${server.url}/api/employees?page=2&pageSize=1`, { headers: auth });
  if (someone.status !== 200) throw new Error(`${engine}: the employee list answered ${someone.status}: ${(await someone.text()).slice(0, 300)}`);
  const employeeId = ((await someone.json()) as { items: { id: string }[] }).items[0].id;

  const results: CaseResult[] = [];
  for (const c of CASES.filter((x) => !settings.cases || settings.cases.includes(x.name))) {
    const headers: Record<string, string> = c.isAuthenticated ? auth : {};
    const url = server.url + c.path.replace(':id', employeeId);
    const probe = await fetch(url, { headers });
    const body = await probe.text();
    if (probe.status !== 200) throw new Error(`${engine} ${c.name}: GET ${c.path} answered ${probe.status}: ${body.slice(0, 300)}`);
    const total = (JSON.parse(body) as { total?: number }).total;

    await warmUp(url, { ...settings, headers });
    const pids = async () => (scratch ? await scratch.backendPids() : []);
    const before = { server: snapshotCpu([server.pid]), database: snapshotCpu(await pids()), client: process.cpuUsage(), machine: readMachineCpu() };
    const load = await measure(url, { ...settings, headers });
    const serverMs = cpuBetween(before.server, snapshotCpu([server.pid]));
    const databaseMs = scratch ? cpuBetween(before.database, snapshotCpu(await pids())) : undefined;
    const client = process.cpuUsage(before.client);
    const clientMs = (client.user + client.system) / 1000;
    const machineLoad = machineLoadBetween(before.machine, readMachineCpu(), (serverMs ?? 0) + (databaseMs ?? 0) + clientMs);
    const perRequest = (ms: number | undefined) => (ms === undefined ? undefined : ms / load.totalRequests);
    const cpu = {
      serverMsPerRequest: perRequest(serverMs),
      postgresMsPerRequest: perRequest(databaseMs),
      loadGeneratorMsPerRequest: clientMs / load.totalRequests,
    };
    results.push({ engine, case: c.name, path: c.path, matching: total, responseBytes: Buffer.byteLength(body), ...load, cpu, machineLoad });
    console.log(
      `  ${c.name.padEnd(12)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${load.latencyMs.p50} ms  p99 ${load.latencyMs.p99} ms  server CPU ${fmt(cpu.serverMsPerRequest)} ms/req${scratch ? `  PostgreSQL CPU ${fmt(cpu.postgresMsPerRequest)} ms/req` : ''}${total !== undefined ? `  (${total} matching)` : ''}${load.timeouts ? `  ${load.timeouts} TIMEOUTS` : ''}`,
    );
  }
  await cleanup.run();
  return { version, results, direct };
}

async function main() {
  const machine = describeMachine();
  const loadAverage = os.loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(
    `employees-list: ${settings.employees} employees, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per case, server from ${settings.server}, LOG_LEVEL=${settings.logLevel}`,
  );
  console.log(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; load average ${loadAverage.join(' ')}`,
  );

  const cleanup = createCleanup();
  const versions: Record<string, string> = {};
  const results: CaseResult[] = [];
  const direct: DirectResult[] = [];
  try {
    for (const engine of settings.engines) {
      const r = await runEngine(engine, cleanup);
      versions[engine] = r.version;
      results.push(...r.results);
      direct.push(...r.direct);
    }
  } finally {
    await cleanup.run();
  }

  const pglite = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version as string;
  const engineLabel = (e: Engine) => (e === 'pglite' ? `PGlite ${pglite} (PG ${versions[e]})` : `PostgreSQL ${versions[e]}`);
  console.log(`\nHTTP, ${settings.connections} connections, ${settings.durationSeconds} s per case (${machine.cpus} cores, Node ${machine.node}):`);
  printTable(
    ['engine', 'case', 'req/s', 'p50 ms', 'p99 ms', 'timeouts', 'server CPU ms/req', 'PostgreSQL CPU ms/req', 'steal %', 'others %'],
    results.map((r) => [
      engineLabel(r.engine),
      r.case,
      Math.round(r.requestsPerSecond),
      r.latencyMs.p50,
      r.latencyMs.p99,
      r.timeouts,
      fmt(r.cpu.serverMsPerRequest),
      fmt(r.cpu.postgresMsPerRequest),
      fmt(r.machineLoad?.stealPercent, 0),
      fmt(r.machineLoad?.otherPercent, 0),
    ]),
  );
  const worst = Math.max(0, ...results.map((r) => (r.machineLoad ? r.machineLoad.stealPercent + r.machineLoad.otherPercent : 0)));
  if (worst > 15)
    console.log(
      `\nNote: up to ${worst.toFixed(0)}% of the machine's CPU went to the hypervisor (steal) or to other processes during a case: req/s and latency are lower than on a quiet machine; CPU ms/req are steadier.`,
    );
  console.log('\nThe list query alone (findEmployees: page + count), serial, no HTTP (Node CPU includes PGlite, not PostgreSQL):');
  printTable(
    ['engine', 'query', 'ms/call', 'Node CPU ms/call', 'calls'],
    direct.map((d) => [engineLabel(d.engine), d.query, fmt(d.meanMs), fmt(d.cpuMs), d.calls]),
  );

  const file = writeResults('employees-list', {
    bench: 'employees-list',
    at: new Date().toISOString(),
    machine,
    loadAverageAtStart: loadAverage,
    settings: { ...settings, searchTerm: SEARCH_TERM },
    versions: { ...versions, pglitePackage: pglite },
    cases: CASES,
    results,
    direct,
  });
  console.log(`\nresults written to ${file}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
