// Signed SAML responses per second on one core.
// - sign: in-process, one thread, no database: build a SAML 2.0 Assertion (NameID, conditions,
//   AuthnStatement, 3 attributes), sign it, wrap it in a Response and sign that (RSA-2048,
//   RSA-SHA256, exclusive c14n) — what every answer to an SP costs in CPU, serially.
// - http: a server process (one JavaScript thread) answering GET /saml/start/:sp (IdP-initiated
//   sign-in) for a signed-in employee: session and employee lookup, the two signatures, the
//   employee's SAML session row and the audit record, the auto-post HTML page. autocannon drives it.
// Run: node --import tsx bench/saml.bench.ts   (npm run bench -- saml)
// Settings (environment): BENCH_ENGINES=pglite,postgres  BENCH_CASES=sign,http  BENCH_CONNECTIONS=4
// BENCH_WARMUP=5  BENCH_DURATION=10  BENCH_LOG_LEVEL=warn
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { openDatabase, pgliteTemplatePath } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/lib/clock.js';
import { cliContext } from '../src/lib/context.js';
import { masterKeyFromBytes } from '../src/security/master-key.js';
import { buildAssertion20 } from '../src/sso/saml-core/assertion.js';
import { generateSigningCertificate } from '../src/sso/saml-core/keys.js';
import { signElement } from '../src/sso/saml-core/signature.js';
import { buildResponse, STATUS } from '../src/sso/saml/messages.js';
import { createCleanup, type Cleanup } from './lib/cleanup.js';
import { cpuBetween, machineLoadBetween, readMachineCpu, snapshotCpu } from './lib/cpu.js';
import { measure, warmUp } from './lib/load.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { createScratchPostgres } from './lib/scratch-postgres.js';
import { startServerProcess } from './lib/server-process.js';

type Engine = 'pglite' | 'postgres';
const settings = {
  engines: (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((e) => e.trim()) as Engine[],
  cases: (process.env.BENCH_CASES ?? 'sign,http').split(',').map((c) => c.trim()),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 4),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 5),
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
};
const ORIGIN = 'http://localhost:8080';
const SP = { entityId: 'https://app.bench.example/saml', acs: 'https://app.bench.example/saml/acs' };

interface Row {
  engine: string;
  case: string;
  perSecond: number;
  p50: number;
  p99: number;
  serverCpuMs?: number;
  postgresCpuMs?: number;
  steal?: number;
  others?: number;
  count: number;
}

/** The CPU cost of one signed response, serially on this thread. */
async function signCase(): Promise<Row> {
  const pem = await generateSigningCertificate('bench', new Date());
  // As the key store does: the private key parsed once.
  const key = { certificate: pem.certificate, privateKey: crypto.createPrivateKey(pem.privateKey) };
  const one = () => {
    const now = new Date();
    const id = `_${crypto.randomBytes(20).toString('hex')}`;
    const assertion = signElement(
      buildAssertion20({
        id,
        issuer: `${ORIGIN}/saml/metadata`,
        issueInstant: now,
        subject: { nameId: 'grace.hopper@corp.example', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', spNameQualifier: SP.entityId },
        audience: SP.entityId,
        notBefore: now,
        notOnOrAfter: new Date(now.getTime() + 300_000),
        confirmation: { recipient: SP.acs, inResponseTo: '_request' },
        authn: { instant: now, contextClassRef: 'https://refeds.org/profile/mfa', sessionIndex: `_${crypto.randomBytes(20).toString('hex')}` },
        attributes: [
          { name: 'email', values: ['grace.hopper@corp.example'] },
          { name: 'firstName', values: ['Grace'] },
          { name: 'lastName', values: ['Hopper'] },
        ],
      }),
      key,
      { localName: 'Assertion', id },
    );
    const rid = `_${crypto.randomBytes(20).toString('hex')}`;
    return signElement(
      buildResponse({
        id: rid,
        issuer: `${ORIGIN}/saml/metadata`,
        issueInstant: now,
        destination: SP.acs,
        inResponseTo: '_request',
        status: { top: STATUS.success },
        assertion,
      }),
      key,
      { localName: 'Response', id: rid },
    );
  };
  const until = (s: number) => {
    const end = performance.now() + s * 1000;
    const times: number[] = [];
    while (performance.now() < end) {
      const t = performance.now();
      one();
      times.push(performance.now() - t);
    }
    return times;
  };
  until(settings.warmupSeconds);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const times = until(settings.durationSeconds).sort((a, b) => a - b);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    engine: '-',
    case: 'sign',
    perSecond: times.length / seconds,
    p50: times[Math.floor(times.length / 2)],
    p99: times[Math.floor(times.length * 0.99)],
    serverCpuMs: (used.user + used.system) / 1000 / times.length,
    count: times.length,
  };
}

/** Migrates, registers an IdP-initiated SP, creates an employee and a signed-in session; returns the cookie. */
async function prepare(dir: string, databaseUrl: string | undefined, masterKey: Buffer) {
  const database = await openDatabase({ databaseUrl, dataDir: dir, template: pgliteTemplatePath() });
  try {
    await runMigrations(database);
    const services = createServices({
      config: loadConfig({ PUBLIC_URL: ORIGIN, DATA_DIR: dir }),
      database,
      masterKey: masterKeyFromBytes(masterKey),
      clock: systemClock,
    });
    const sp = await services.serviceProviders.create(cliContext(), 'saml', {
      name: 'Bench app',
      entityId: SP.entityId,
      acsEndpoints: [{ url: SP.acs }],
      idpInitiated: true,
      startUrl: '/home',
      attributes: [
        { name: 'email', field: 'email' },
        { name: 'firstName', field: 'firstName' },
        { name: 'lastName', field: 'lastName' },
      ],
    });
    const employee = await services.employees.create(cliContext(), { email: 'grace.hopper@corp.example', firstName: 'Grace', lastName: 'Hopper' });
    const { token } = await services.sessions.create({
      subjectType: 'employee',
      subjectId: employee.id,
      stage: 'full',
      idleSeconds: 86_400,
      absoluteSeconds: 86_400,
      ip: null,
      userAgent: 'bench',
      data: { authentication: { method: 'passkey', time: Math.floor(Date.now() / 1000) } },
    });
    const [{ server_version: version }] = await database.query<{ server_version: string }>('SHOW server_version');
    return { spId: sp.id, cookie: `tessera_employee_session=${token}`, version };
  } finally {
    await database.close();
  }
}

async function httpCase(engine: Engine, cleanup: Cleanup): Promise<Row> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-saml-'));
  cleanup.defer(`temp folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  const scratch = engine === 'postgres' ? await createScratchPostgres(cleanup) : undefined;
  const masterKey = crypto.randomBytes(32);
  const prepared = await prepare(dir, scratch?.url, masterKey);
  const server = await startServerProcess({
    cleanup,
    env: {
      DATA_DIR: dir,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      PUBLIC_URL: ORIGIN,
      TESSERA_MASTER_KEY: masterKey.toString('base64'),
      LOG_LEVEL: settings.logLevel,
      TESSERA_API_RATE_LIMIT: '100000000',
    },
  });
  const url = `${server.url}/saml/start/${prepared.spId}`;
  const opts = {
    connections: settings.connections,
    warmupSeconds: settings.warmupSeconds,
    durationSeconds: settings.durationSeconds,
    headers: { cookie: prepared.cookie },
  };
  const probe = await fetch(url, { headers: opts.headers });
  const body = await probe.text();
  if (probe.status !== 200 || !body.includes('SAMLResponse')) throw new Error(`GET /saml/start answered ${probe.status}: ${body.slice(0, 300)}`);
  await warmUp(url, opts);
  const pids = async () => (scratch ? await scratch.backendPids() : []);
  const before = { server: snapshotCpu([server.pid]), database: snapshotCpu(await pids()), client: process.cpuUsage(), machine: readMachineCpu() };
  const r = await measure(url, opts);
  const serverMs = cpuBetween(before.server, snapshotCpu([server.pid]));
  const databaseMs = scratch ? cpuBetween(before.database, snapshotCpu(await pids())) : undefined;
  const client = process.cpuUsage(before.client);
  const load = machineLoadBetween(before.machine, readMachineCpu(), (serverMs ?? 0) + (databaseMs ?? 0) + (client.user + client.system) / 1000);
  await cleanup.run();
  const label = engine === 'pglite' ? `PGlite (PG ${prepared.version})` : `PostgreSQL ${prepared.version}`;
  return {
    engine: label,
    case: 'http',
    perSecond: r.requestsPerSecond,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    count: r.totalRequests,
    serverCpuMs: serverMs === undefined ? undefined : serverMs / r.totalRequests,
    postgresCpuMs: databaseMs === undefined ? undefined : databaseMs / r.totalRequests,
    steal: load?.stealPercent,
    others: load?.otherPercent,
  };
}

async function main() {
  const machine = describeMachine();
  console.log(
    `saml: ${settings.cases.join(', ')}; ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per case; ${settings.connections} connections (http)`,
  );
  console.log(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows: Row[] = [];
  const cleanup = createCleanup();
  try {
    if (settings.cases.includes('sign')) {
      rows.push(await signCase());
      console.log(`  sign: ${rows.at(-1)!.perSecond.toFixed(0)} responses/s`);
    }
    if (settings.cases.includes('http'))
      for (const engine of settings.engines) {
        rows.push(await httpCase(engine, cleanup));
        console.log(`  http ${engine}: ${rows.at(-1)!.perSecond.toFixed(0)} responses/s`);
      }
  } finally {
    await cleanup.run();
  }
  const f = (n: number | undefined, d = 2) => (n === undefined ? '-' : n.toFixed(d));
  console.log(
    `\nSigned SAML responses (Response and Assertion signed, RSA-2048 / RSA-SHA256), one JavaScript thread (${machine.cpus} cores, Node ${machine.node}):`,
  );
  printTable(
    ['case', 'storage', 'responses/s', 'p50 ms', 'p99 ms', 'server CPU ms/response', 'PostgreSQL CPU ms/response', 'steal %', 'others %'],
    rows.map((r) => [r.case, r.engine, r.perSecond.toFixed(0), f(r.p50), f(r.p99), f(r.serverCpuMs), f(r.postgresCpuMs), f(r.steal, 0), f(r.others, 0)]),
  );
  console.log(`\nresults written to ${writeResults('saml', { bench: 'saml', at: new Date().toISOString(), machine, settings, results: rows })}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
