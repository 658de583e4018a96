// Active Directory import against a real Samba AD DC (test/helpers/samba.ts), time and peak memory:
// - full import of BENCH_AD_USERS (default 10,000) members of the sync group into an empty database
//   (LDAPS paged search with pageSize 1000, one employee + one directory account each, one transaction);
// - no-change re-sync, full listing (every record compared, nothing written);
// - no-change re-sync, incremental (uSNChanged: ids of members only, no record changed).
// Seeding: users (enabled, no password) written offline into sam.ldb with ldbmodify (test/helpers/samba.ts).
// Needs root (adds 127.0.0.30 to lo) and Samba installed (scripts/test-setup.sh).
// Run: npm run bench -- directory   Settings: BENCH_AD_USERS=10000 BENCH_ENGINES=postgres,pglite
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { openDatabase, pgliteTemplatePath } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { domainCreate } from '../src/directory/directory.schemas.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/lib/clock.js';
import { cliContext } from '../src/lib/context.js';
import { masterKeyFromBytes } from '../src/security/master-key.js';
import { startSamba } from '../test/helpers/samba.js';
import { createCleanup } from './lib/cleanup.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { countQueries } from './lib/query-count.js';
import { createScratchPostgres } from './lib/scratch-postgres.js';

const settings = {
  users: Number(process.env.BENCH_AD_USERS ?? 10_000),
  engines: (process.env.BENCH_ENGINES ?? 'postgres,pglite').split(',').map((e) => e.trim()) as ('pglite' | 'postgres')[],
  pageSize: 1000,
};
const MB = 1024 * 1024;

async function measured<T>(fn: () => Promise<T>) {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  try {
    const result = await fn();
    return {
      result,
      seconds: (performance.now() - started) / 1000,
      peakRssMb: (Math.max(peakRss, process.memoryUsage().rss) - before.rss) / MB,
      rssMb: Math.max(peakRss, process.memoryUsage().rss) / MB,
    };
  } finally {
    clearInterval(timer);
  }
}

const cleanup = createCleanup();
try {
  console.log('Provisioning Samba AD...');
  const dc = await startSamba({ ip: '127.0.0.30' });
  cleanup.defer('samba', () => dc.stop());
  await dc.addGroup('Tessera Users Sync');
  await dc.addGroup('Tessera Key Auto Password Change');
  const names = Array.from({ length: settings.users }, (_, i) => `bench${String(i).padStart(6, '0')}`);
  const seedStart = performance.now();
  await dc.bulkAddUsers(
    names.map((u, i) => ({
      username: u,
      givenName: `Given${i}`,
      surname: `Surname${i}`,
      mail: `${u}@corp.example.test`,
      department: `Dept ${i % 20}`,
      company: 'Corp Ltd',
      title: `Title ${i % 15}`,
      phone: `+44 20 7946 ${String(i % 10000).padStart(4, '0')}`,
    })),
    'Tessera Users Sync',
  );
  console.log(`Seeded ${settings.users} users in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const rows: (string | number)[][] = [];
  const results: Record<string, unknown>[] = [];
  for (const engine of settings.engines) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-ad-'));
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
    });
    const domain = await services.domains.create(
      cliContext(),
      domainCreate.parse({
        kind: 'ad',
        name: 'corp.example.test',
        secret: dc.adminPassword,
        removalThresholdPercent: 100,
        passwordChangeDays: 0,
        ssoEnabled: false,
        settings: {
          urls: [dc.ldapsUrl],
          bindUser: dc.adminUpn,
          caCertificate: dc.caPem,
          tlsServerName: dc.tlsServerName,
          pageSize: settings.pageSize,
          timeoutMs: 120000,
        },
      }),
    );
    for (const [phase, opts] of [
      ['full import', { full: true }],
      ['re-sync, no change (full)', { full: true }],
      ['re-sync, no change (incremental)', {}],
    ] as const) {
      const counted = await countQueries(() => measured(() => services.directorySync.syncDomain(cliContext(), domain.id, { trigger: 'manual', ...opts })));
      const m = counted.result;
      const queries = engine === 'postgres' ? counted.queries : null;
      if (m.result.status !== 'succeeded') throw new Error(`${phase}: ${m.result.status} ${m.result.error}`);
      rows.push([
        phase,
        engine,
        m.result.mode,
        m.result.counts.listed,
        m.result.counts.created,
        m.seconds.toFixed(1),
        Math.round(m.result.counts.listed / m.seconds),
        queries ?? '-',
        queries === null ? '-' : (queries / m.result.counts.listed).toFixed(2),
        m.peakRssMb.toFixed(0),
        m.rssMb.toFixed(0),
      ]);
      results.push({
        phase,
        engine,
        mode: m.result.mode,
        counts: m.result.counts,
        seconds: m.seconds,
        queries,
        peakRssAboveStartMb: m.peakRssMb,
        peakRssMb: m.rssMb,
      });
    }
    const [{ n }] = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM employees');
    if (n !== settings.users) throw new Error(`${engine}: ${n} employees, expected ${settings.users}`);
  }
  console.log();
  printTable(['phase', 'engine', 'mode', 'listed', 'created', 'seconds', 'users/s', 'queries', 'queries/user', 'peak RSS +MB', 'peak RSS MB'], rows);
  console.log(`\nresults: ${writeResults('directory-sync', { machine: describeMachine(), settings, results })}`);
} finally {
  await cleanup.run();
}
