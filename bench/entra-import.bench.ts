// Import of BENCH_ENTRA_USERS (default 100,000) users from the Graph emulator, time and peak memory:
// - listing: the Entra connector alone lists the sync group's transitive members over HTTPS
//   (msal-node token, $select, $top=999, @odata.nextLink pages);
// - sync: the directory engine imports them into an empty database (PostgreSQL; BENCH_ENGINES=
//   pglite,postgres for both), creating one employee and one directory account each.
// The emulator runs in its own process (test/entra-emulator/serve.ts), so the memory measured is
// Tessera's: the peak RSS and heap of this process, sampled every 20 ms, above its level at start.
// Run: npm run bench -- entra   Settings: BENCH_ENTRA_USERS=100000 BENCH_ENGINES=postgres BENCH_PHASES=listing,sync
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig } from '../src/config/config.js';
import { openDatabase, pgliteTemplatePath } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { createConnector } from '../src/directory/connector-factory.js';
import { domainCreate } from '../src/directory/directory.schemas.js';
import { createEntraConnector } from '../src/directory/entra/entra-connector.js';
import { entraSettings } from '../src/directory/entra/entra.schemas.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/lib/clock.js';
import { cliContext } from '../src/lib/context.js';
import { masterKeyFromBytes } from '../src/security/master-key.js';
import { fetchTrusting } from '../test/entra-emulator/index.js';
import { createCleanup } from './lib/cleanup.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { countQueries } from './lib/query-count.js';
import { createScratchPostgres } from './lib/scratch-postgres.js';
import { repoRoot } from './lib/server-process.js';

const settings = {
  users: Number(process.env.BENCH_ENTRA_USERS ?? 100_000),
  engines: (process.env.BENCH_ENGINES ?? 'postgres').split(',').map((e) => e.trim()) as ('pglite' | 'postgres')[],
  phases: (process.env.BENCH_PHASES ?? 'listing,sync').split(',').map((p) => p.trim()),
};
const MB = 1024 * 1024;

/** Peak RSS and heap of this process while `fn` runs, above what they were before. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number; peakHeapMb: number; rssBeforeMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss,
    peakHeap = before.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const started = performance.now();
  try {
    const result = await fn();
    const m = process.memoryUsage();
    return {
      result,
      seconds: (performance.now() - started) / 1000,
      peakRssMb: (Math.max(peakRss, m.rss) - before.rss) / MB,
      peakHeapMb: (Math.max(peakHeap, m.heapUsed) - before.heapUsed) / MB,
      rssBeforeMb: before.rss / MB,
    };
  } finally {
    clearInterval(timer);
  }
}

const cleanup = createCleanup();
try {
  console.log(`Starting the Graph emulator with ${settings.users} users...`);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/entra-emulator/serve.ts'), String(settings.users)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  cleanup.defer('emulator', () => {
    child.kill('SIGTERM');
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const emu = JSON.parse(line) as { loginUrl: string; graphUrl: string; tenantId: string; clientId: string; secret: string; caPem: string };
  const fetchImpl = fetchTrusting(emu.caPem);
  const domainSettings = {
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    loginBaseUrl: emu.loginUrl,
    graphBaseUrl: emu.graphUrl,
    pageSize: 999,
    timeoutMs: 120000,
  };
  const rows: (string | number)[][] = [];
  const results: Record<string, unknown>[] = [];

  if (settings.phases.includes('listing')) {
    const connector = createEntraConnector(entraSettings.parse(domainSettings), emu.secret, { fetch: fetchImpl });
    const m = await measured(() => connector.listGroupMembers('Tessera Users Sync'));
    if (m.result.users.length !== settings.users) throw new Error(`listed ${m.result.users.length} of ${settings.users}`);
    rows.push([
      'listing',
      '-',
      m.result.users.length,
      m.seconds.toFixed(1),
      Math.round(m.result.users.length / m.seconds),
      '-',
      '-',
      m.peakRssMb.toFixed(0),
      m.peakHeapMb.toFixed(0),
    ]);
    results.push({
      phase: 'listing',
      users: m.result.users.length,
      seconds: m.seconds,
      peakRssMb: m.peakRssMb,
      peakHeapMb: m.peakHeapMb,
      rssBeforeMb: m.rssBeforeMb,
    });
  }

  for (const engine of settings.phases.includes('sync') ? settings.engines : []) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-entra-'));
    cleanup.defer('data dir', () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const databaseUrl = engine === 'postgres' ? (await createScratchPostgres(cleanup)).url : undefined;
    const database = await openDatabase({ databaseUrl, dataDir, template: pgliteTemplatePath() });
    cleanup.defer('database', () => database.close());
    await runMigrations(database);
    const services = createServices({
      config: loadConfig({ PUBLIC_URL: 'http://localhost:8080', DATA_DIR: dataDir }),
      database,
      masterKey: masterKeyFromBytes(crypto.randomBytes(32)),
      clock: systemClock,
      connectorFactory: (d, s) => (d.kind === 'entra' ? createEntraConnector(entraSettings.parse(d.settings), s, { fetch: fetchImpl }) : createConnector(d, s)),
    });
    const domain = await services.domains.create(
      cliContext(),
      domainCreate.parse({
        kind: 'entra',
        name: 'contoso.onmicrosoft.com',
        secret: emu.secret,
        removalThresholdPercent: 100,
        passwordChangeDays: 0,
        settings: domainSettings,
      }),
    );
    const counted = await countQueries(() => measured(() => services.directorySync.syncDomain(cliContext(), domain.id, { trigger: 'manual' })));
    const m = counted.result;
    if (m.result.status !== 'succeeded') throw new Error(`sync ${m.result.status}: ${m.result.error}`);
    const [{ n }] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM employees`);
    const queries = engine === 'postgres' ? counted.queries : null;
    rows.push([
      `sync (${engine})`,
      engine,
      n,
      m.seconds.toFixed(1),
      Math.round(n / m.seconds),
      queries === null ? '-' : queries,
      queries === null ? '-' : (queries / n).toFixed(2),
      m.peakRssMb.toFixed(0),
      m.peakHeapMb.toFixed(0),
    ]);
    results.push({
      phase: 'sync',
      engine,
      employees: n,
      counts: m.result.counts,
      seconds: m.seconds,
      queries,
      peakRssMb: m.peakRssMb,
      peakHeapMb: m.peakHeapMb,
      rssBeforeMb: m.rssBeforeMb,
    });
  }

  console.log();
  printTable(['phase', 'engine', 'users', 'seconds', 'users/s', 'queries', 'queries/user', 'peak RSS +MB', 'peak heap +MB'], rows);
  console.log(`\nresults: ${writeResults('entra-import', { machine: describeMachine(), settings, results })}`);
} finally {
  await cleanup.run();
}
