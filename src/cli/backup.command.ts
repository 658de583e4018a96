import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { PGlite } from '@electric-sql/pglite';
import { Command } from 'commander';
import pg from 'pg';
import { z } from 'zod';
import type { Runtime } from '../app/server.js';
import { createServices } from '../app/services.js';
import { loadConfig, type Config } from '../config/config.js';
import {
  BackupFileError,
  backupWriter,
  isSignedWith,
  describeMigrations,
  FORMAT_VERSION,
  keyManifest,
  matchingKey,
  openBackup,
  payloadStream,
  tesseraVersion,
  type BackupErrorCode,
  type BackupManifest,
  type OpenedBackup,
} from '../db/backup-file.js';
import { openDatabase, type Database } from '../db/connection.js';
import { acquireDataDirLock, DataDirLockedError } from '../db/data-dir-lock.js';
import { listMigrations, runMigrations } from '../db/migrate.js';
import { systemClock } from '../lib/clock.js';
import { cliContext } from '../lib/context.js';
import { sealedColumns } from '../security/key-rotation.js';
import { readMasterKey, type LoadedMasterKey, type MasterKey } from '../security/master-key.js';
import { createSealer, SealError } from '../security/sealing.js';
import { controlSocketPath, socketAddress } from './control-protocol.js';
import { cliLock, runDataCommand, type DataCommand } from './data-command.js';
import { CliError, processOutput, type CommandOutput } from './io.js';
import { existingFile, newFile } from './vault.command.js';

/**
 * `tessera backup --out FILE` and `tessera restore FILE`: the whole database, in one file
 * (format: db/backup-file.ts). The embedded database is copied by the server that owns it, over
 * its control channel, while it serves (PGlite's dumpDataDir, between transactions), or by this
 * process when no server runs; PostgreSQL by `pg_dump --format=custom`. A restore checks the whole
 * file, the master key (the manifest's check value, then one sealed value of the payload opened)
 * and the target before it writes anything, then migrates what it restored to this version's
 * schema. The master key itself is never in the file: it is backed up apart (README).
 */

export class BackupError extends CliError {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    exitCode = 1,
  ) {
    super(`${message} (${code})`, exitCode);
  }
}

const PG_CLIENT_PACKAGE =
  'install the PostgreSQL client tools of the same major version as the server, or newer (Debian and Ubuntu: apt-get install postgresql-client; RHEL: dnf install postgresql)';

/**
 * pg_dump/pg_restore's connection: the URL without its password, which goes in PGPASSWORD (not on
 * a command line `ps` shows), with the TLS checks the server itself makes. node-postgres reads
 * sslmode=require, prefer and verify-ca as verify-full; libpq reads require as "encrypt, check
 * nothing", so the tools are given verify-full for those (unless uselibpqcompat=true asks for
 * libpq's meanings), and the node-only no-verify becomes libpq's require.
 */
export function pgToolConnection(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password) || url.searchParams.get('password') || '';
  url.password = '';
  url.searchParams.delete('password');
  const libpqMeanings = url.searchParams.get('uselibpqcompat') === 'true';
  url.searchParams.delete('uselibpqcompat');
  const sslmode = url.searchParams.get('sslmode');
  if (!libpqMeanings && (sslmode === 'require' || sslmode === 'prefer' || sslmode === 'verify-ca')) url.searchParams.set('sslmode', 'verify-full');
  if (sslmode === 'no-verify') url.searchParams.set('sslmode', 'require');
  return { dbname: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** Starts pg_dump or pg_restore; a missing tool is a BackupError naming the package to install. */
function startTool(tool: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.once('spawn', () => resolve(child));
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new BackupError(`backup.${tool}_missing`, `${tool} was not found on PATH: ${PG_CLIENT_PACKAGE}`));
      else reject(new BackupError(`backup.${tool}_failed`, `${tool} could not be started: ${err.message}`));
    });
  });
}

/** Resolves with the exit code and what the tool printed on stderr (the last 4 KB). */
function toolExit(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4096);
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr: stderr.trim() })));
}

async function appliedMigrations(database: Database): Promise<string[]> {
  return (await database.query<{ tag: string }>('SELECT tag FROM schema_migrations')).map((r) => r.tag);
}

export interface BackupResult {
  manifest: BackupManifest;
  bytes: number;
  sha256: string;
}

/**
 * Writes a backup of `database` through `write`: the engine's copy, with the manifest naming
 * `masterKey`. On PostgreSQL pg_dump reads `databaseUrl`.
 */
export async function writeBackup(
  database: Database,
  opts: { masterKey: MasterKey; databaseUrl?: string; write: (chunk: Uint8Array) => Promise<void>; manifest?: Partial<BackupManifest> },
): Promise<BackupResult> {
  const migrations = describeMigrations(await appliedMigrations(database));
  const manifest: BackupManifest = {
    format: 'tessera-backup',
    formatVersion: FORMAT_VERSION,
    tesseraVersion: tesseraVersion(),
    engine: database.engine,
    payload: database.engine === 'pglite' ? 'pglite-data-dir.tar.gz' : 'pg_dump-custom',
    migration: migrations.last,
    migrations: migrations.count,
    createdAt: new Date().toISOString(),
    masterKey: keyManifest(opts.masterKey),
    ...opts.manifest,
  };
  const writer = backupWriter(manifest, opts.masterKey, opts.write);
  if (database.engine === 'pglite') {
    if (!database.dumpDataDir) throw new CliError('this embedded database cannot be copied');
    const dump = Buffer.from(await (await database.dumpDataDir()).arrayBuffer());
    for (let at = 0; at < dump.length; at += 1024 * 1024) await writer.payload(dump.subarray(at, at + 1024 * 1024));
  } else {
    if (!opts.databaseUrl) throw new CliError('no DATABASE_URL for pg_dump');
    const { dbname, env } = pgToolConnection(opts.databaseUrl);
    const child = await startTool('pg_dump', ['--format=custom', '--no-password', `--dbname=${dbname}`], env);
    const exited = toolExit(child);
    try {
      for await (const chunk of child.stdout!) await writer.payload(chunk as Buffer);
    } catch (err) {
      child.kill('SIGTERM');
      throw err;
    }
    const { code, stderr } = await exited;
    if (code !== 0) throw new BackupError('backup.pg_dump_failed', `pg_dump failed (exit ${code}): ${stderr || 'no message'}`);
  }
  const { bytes, sha256 } = await writer.finish();
  return { manifest, bytes, sha256 };
}

function describeManifest(m: BackupManifest): string {
  const engine = m.engine === 'pglite' ? 'embedded database (PGlite data folder)' : 'PostgreSQL database (pg_dump custom format)';
  return `${engine} of Tessera ${m.tesseraVersion}, schema at migration ${m.migration} (${m.migrations} applied), made ${m.createdAt}, sealed with master key ${m.masterKey.id}`;
}

export const backup: DataCommand<Record<string, never>> = {
  name: 'backup',
  options: z.strictObject({}),
  writesFile: true,
  async run(rt: Runtime, _opts, io: CommandOutput) {
    const write = io.write;
    if (!write) throw new CliError('`backup` needs a file to write');
    const result = await writeBackup(rt.database, { masterKey: rt.masterKey.masterKey, databaseUrl: rt.config.databaseUrl, write });
    await rt.services.audit.record(cliContext(), {
      action: 'database.backed_up',
      target: { type: 'database', id: null, label: rt.database.engine },
      details: {
        engine: rt.database.engine,
        migration: result.manifest.migration,
        bytes: result.bytes,
        sha256: result.sha256,
        masterKeyId: result.manifest.masterKey.id,
      },
    });
    io.out(`Backed up the ${describeManifest(result.manifest)}: ${result.bytes} bytes of data, SHA-256 ${result.sha256}.`);
    return 0;
  },
};

/** True when a server answers on the data folder's control socket. */
function serverListens(dataDir: string): Promise<boolean> {
  const address = socketAddress(controlSocketPath(dataDir));
  if (!address || !fs.existsSync(controlSocketPath(dataDir))) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = net.connect(address);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The keys that may open the backup's values: the one in use and those kept from rotations. */
function keysInUse(config: Config): LoadedMasterKey {
  const loaded = readMasterKey({ envKey: config.masterKey, envPrevious: config.previousMasterKeys, dataDir: config.dataDir });
  if (!loaded) {
    throw new BackupError(
      'backup.no_master_key',
      `no master key: put the key that sealed the backup in ${path.join(config.dataDir, 'master.key')} (mode 0600) or in TESSERA_MASTER_KEY, then restore again. Nothing was written`,
    );
  }
  return loaded;
}

/** The manifest's check value against the keys in use, then the file's signature with the key it names. */
function checkKey(b: OpenedBackup, keys: LoadedMasterKey): void {
  const key = matchingKey(b.manifest, [keys.masterKey, ...keys.previous]);
  if (key) {
    if (isSignedWith(b, key)) return;
    throw new BackupError(
      'backup.not_authentic',
      `the backup's signature does not match master key ${key.id}: the file was changed after it was made, or was not made by a Tessera holding that key. Nothing was written`,
    );
  }
  throw new BackupError(
    'backup.wrong_master_key',
    `the backup was sealed with master key ${b.manifest.masterKey.id}, and the key in use (${keys.masterKey.id}, from ${keys.source}) is not that one: its secrets would not open. Use the key that was in use when the backup was made. Nothing was written`,
  );
}

type FirstSealed = (c: (typeof sealedColumns)[number]) => Promise<{ id: string; value: string } | undefined>;

/**
 * Opens one sealed value of the payload with the keys in use (the check value says which key;
 * this proves it opens the data). Returns where it was, or undefined when the payload holds none.
 */
async function openOneSealedValue(first: FirstSealed, keys: LoadedMasterKey): Promise<string | undefined> {
  const sealer = createSealer(keys.masterKey, keys.previous);
  for (const c of sealedColumns) {
    const row = await first(c);
    if (!row) continue;
    try {
      sealer.open(row.value, c.aad(row.id));
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      throw new BackupError(
        'backup.wrong_master_key',
        `a secret of the backup (${c.table}.${c.column}) does not open with the keys in use (${[keys.masterKey, ...keys.previous].map((k) => k.id).join(', ')}): ${err.message}. Nothing was written`,
      );
    }
    return `${c.table}.${c.column}`;
  }
  return undefined;
}

function checkVersion(b: OpenedBackup, engine: 'pglite' | 'postgres'): void {
  const m = b.manifest;
  if (m.formatVersion > FORMAT_VERSION) {
    throw new BackupError(
      'backup.newer_version',
      `the backup is in format ${m.formatVersion}, made by Tessera ${m.tesseraVersion}; this Tessera reads format ${FORMAT_VERSION}: restore it with that version or newer. Nothing was written`,
    );
  }
  if (!listMigrations().some((x) => x.tag === m.migration)) {
    throw new BackupError(
      'backup.newer_version',
      `the backup's schema is at migration ${m.migration}, made by Tessera ${m.tesseraVersion}, which this Tessera (${tesseraVersion()}) does not know: restore it with that version or newer. Nothing was written`,
    );
  }
  if (m.engine !== engine) {
    const here = engine === 'postgres' ? 'PostgreSQL (DATABASE_URL is set)' : 'the embedded database (DATABASE_URL is not set)';
    throw new BackupError(
      'backup.engine_mismatch',
      `the backup is of ${m.engine === 'pglite' ? 'an embedded database' : 'a PostgreSQL database'} and this Tessera is configured for ${here}: a backup restores onto the engine it was made on. Nothing was written`,
    );
  }
}

async function openChecked(file: string): Promise<OpenedBackup> {
  existingFile(file);
  try {
    return await openBackup(path.resolve(file));
  } catch (err) {
    if (err instanceof BackupFileError) throw new BackupError(err.code, `${err.message}. Nothing was written`);
    throw err;
  }
}

/** The audit record of a restore, written into the restored database. */
async function auditRestore(config: Config, database: Database, keys: LoadedMasterKey, b: OpenedBackup, applied: string[]): Promise<void> {
  const services = createServices({ config, database, masterKey: keys.masterKey, previousKeys: keys.previous, clock: systemClock });
  try {
    await services.audit.record(cliContext(), {
      action: 'database.restored',
      target: { type: 'database', id: null, label: b.manifest.engine },
      details: {
        engine: b.manifest.engine,
        backupCreatedAt: b.manifest.createdAt,
        backupTesseraVersion: b.manifest.tesseraVersion,
        backupMigration: b.manifest.migration,
        migrationsApplied: applied,
        sha256: b.sha256,
      },
    });
  } finally {
    await services.agentPubSub.close();
  }
}

function printRestored(io: CommandOutput, b: OpenedBackup, where: string, probe: string | undefined, applied: string[]): void {
  io.out(`Restored the ${describeManifest(b.manifest)} into ${where}.`);
  io.out(
    probe ? `The master key in use opened its secrets (checked on ${probe}).` : 'The master key in use matches the backup (it holds no sealed secret to open).',
  );
  io.out(applied.length ? `Migrated it to this version's schema: ${applied.join(', ')}.` : 'Its schema is this version’s: no migration was needed.');
}

/** Restores an embedded-database backup into DATA_DIR. */
async function restoreEmbedded(config: Config, b: OpenedBackup, replace: boolean, io: CommandOutput): Promise<void> {
  const dataDir = path.resolve(config.dataDir);
  const live = path.join(dataDir, 'pglite');
  const holdsDatabase = () => fs.existsSync(path.join(live, 'PG_VERSION'));
  // Everything below until the lock is read-only: a refusal leaves the folder as it was.
  if (await serverListens(dataDir)) {
    throw new BackupError('backup.server_running', `a Tessera server is running on ${dataDir}: stop it, then restore again. Nothing was written`);
  }
  if (holdsDatabase() && !replace) {
    throw new BackupError(
      'backup.target_not_empty',
      `${dataDir} already holds a Tessera database: restore into a fresh DATA_DIR, or give --replace to set the current database aside (kept as pglite.before-restore-<time>) and put the backup in its place. Nothing was written`,
      2,
    );
  }
  const keys = keysInUse(config);
  checkKey(b, keys);
  const payload = new Blob([fs.readFileSync(b.file).subarray(b.start, b.end)]);
  // The payload opened in memory: its schema is one this version knows, and a secret opens.
  let probe: string | undefined;
  const copy = await PGlite.create({ loadDataDir: payload });
  try {
    const tags = (await copy.query<{ tag: string }>('SELECT tag FROM schema_migrations')).rows.map((r) => r.tag);
    const unknown = describeMigrations(tags).unknown;
    if (unknown.length) {
      throw new BackupError(
        'backup.newer_version',
        `the backup's database holds migrations this Tessera does not know (${unknown.join(', ')}): restore it with a newer version. Nothing was written`,
      );
    }
    probe = await openOneSealedValue(async (c) => {
      // A backup of an earlier version may not have every sealed column yet.
      const exists = await copy.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`, [
        c.table,
        c.column,
      ]);
      if (exists.rows.length === 0) return undefined;
      const rows = await copy.query<{ id: string; value: unknown }>(
        `SELECT ${c.idColumn}::text AS id, ${c.column} AS value FROM ${c.table} WHERE ${c.column} IS NOT NULL${c.where ? ` AND ${c.where}` : ''} LIMIT 1`,
      );
      const row = rows.rows[0];
      return row ? { id: row.id, value: String(row.value) } : undefined;
    }, keys);
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError('backup.damaged', `the backup's database does not open: ${(err as Error).message}. Nothing was written`);
  } finally {
    await copy.close();
  }

  // Now the folder is ours: no server or command starts on it until the restore is done.
  let lock: Awaited<ReturnType<typeof acquireDataDirLock>>;
  try {
    lock = await acquireDataDirLock(dataDir, cliLock('restore'));
  } catch (err) {
    if (err instanceof DataDirLockedError && err.owner.command === 'serve') {
      throw new BackupError('backup.server_running', `a Tessera server is running on ${dataDir}: stop it, then restore again. Nothing was written`);
    }
    throw err;
  }
  const staging = path.join(dataDir, `.restore-${process.pid}`);
  try {
    if (holdsDatabase() && !replace) throw new BackupError('backup.target_not_empty', `${dataDir} already holds a Tessera database. Nothing was written`, 2);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { mode: 0o700 });
    // Restored and migrated beside the live folder, then put in its place by a rename: a failure
    // on the way leaves DATA_DIR as it was.
    const database = await openDatabase({ dataDir: staging, loadDataDir: payload, lock: { command: '`tessera restore`' } });
    let applied: string[];
    try {
      ({ applied } = await runMigrations(database));
      await auditRestore(config, database, keys, b, applied);
    } finally {
      await database.close();
    }
    let setAside: string | undefined;
    if (fs.existsSync(live)) {
      setAside = path.join(dataDir, `pglite.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      fs.renameSync(live, setAside);
    }
    fs.renameSync(path.join(staging, 'pglite'), live);
    printRestored(io, b, live, probe, applied);
    if (setAside) io.out(`The database that was there is kept as ${setAside}: delete it once the restored one serves.`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    lock.release();
  }
}

/** Reads the first sealed value of each sealed column from the payload, as pg_restore prints it (no database written). */
async function firstSealedFromDump(b: OpenedBackup): Promise<FirstSealed> {
  const tables = [...new Set(sealedColumns.map((c) => c.table))];
  const child = await startTool('pg_restore', ['--data-only', '--file=-', ...tables.map((t) => `--table=${t}`)], process.env);
  const exited = toolExit(child);
  payloadStream(b)
    .on('error', () => child.kill('SIGTERM'))
    .pipe(child.stdin!)
    .on('error', () => {
      /* pg_restore stopped reading: its exit says why */
    });
  /** Per sealed column (table.column): the first row's id and value. */
  const found = new Map<string, { id: string; value: string }>();
  let current: { table: string; columns: string[] } | undefined;
  const copyText = (v: string) => v.replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[ch] ?? ch);
  for await (const line of readline.createInterface({ input: child.stdout!, crlfDelay: Infinity })) {
    const copy = /^COPY public\.(\w+) \(([^)]*)\) FROM stdin;$/.exec(line);
    if (copy) {
      current = { table: copy[1], columns: copy[2].split(', ').map((c) => c.replace(/^"|"$/g, '')) };
      continue;
    }
    if (line === '\\.') {
      current = undefined;
      continue;
    }
    if (!current) continue;
    const fields = line.split('\t');
    for (const c of sealedColumns.filter((x) => x.table === current!.table)) {
      const key = `${c.table}.${c.column}`;
      if (found.has(key)) continue;
      const id = fields[current.columns.indexOf(c.idColumn)];
      const raw = fields[current.columns.indexOf(c.column)];
      if (id === undefined || raw === undefined || raw === '\\N') continue;
      if (c.where && !(c.table === 'settings' && copyText(id) === 'smtp.password')) continue;
      const text = copyText(raw);
      found.set(key, { id: copyText(id), value: c.isJson ? String(JSON.parse(text)) : text });
    }
  }
  const { code, stderr } = await exited;
  if (code !== 0)
    throw new BackupError('backup.damaged', `pg_restore cannot read the backup's data (exit ${code}): ${stderr || 'no message'}. Nothing was written`);
  return async (c) => found.get(`${c.table}.${c.column}`);
}

/** Restores a PostgreSQL backup into DATABASE_URL's database. */
async function restorePostgres(config: Config, b: OpenedBackup, replace: boolean, io: CommandOutput): Promise<void> {
  const databaseUrl = config.databaseUrl!;
  const keys = keysInUse(config);
  checkKey(b, keys);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let tables: number;
  let isTessera: boolean;
  try {
    const [row] = (
      await client.query<{ tables: string; tessera: boolean }>(
        `SELECT count(*)::text AS tables, to_regclass('public.schema_migrations') IS NOT NULL AS tessera FROM pg_tables WHERE schemaname = 'public'`,
      )
    ).rows;
    tables = Number(row.tables);
    isTessera = row.tessera;
  } finally {
    await client.end();
  }
  if (tables > 0 && !replace) {
    const what = isTessera ? 'already holds a Tessera database' : `is not empty (${tables} table(s) in its public schema)`;
    throw new BackupError(
      'backup.target_not_empty',
      `the database of DATABASE_URL ${what}: restore into an empty database, or give --replace to drop what the backup holds and restore it in one transaction. Nothing was written`,
      2,
    );
  }
  const probe = await openOneSealedValue(await firstSealedFromDump(b), keys);

  // One transaction: a failure leaves the database as it was.
  const { dbname, env } = pgToolConnection(databaseUrl);
  const args = [
    '--single-transaction',
    '--exit-on-error',
    '--no-owner',
    '--no-privileges',
    '--no-password',
    ...(replace ? ['--clean', '--if-exists'] : []),
    `--dbname=${dbname}`,
  ];
  const child = await startTool('pg_restore', args, env);
  const exited = toolExit(child);
  payloadStream(b)
    .on('error', () => child.kill('SIGTERM'))
    .pipe(child.stdin!)
    .on('error', () => {
      /* pg_restore stopped reading: its exit says why */
    });
  child.stdout!.resume();
  const { code, stderr } = await exited;
  if (code !== 0) throw new BackupError('backup.pg_restore_failed', `pg_restore failed (exit ${code}); the database is as it was: ${stderr || 'no message'}`);

  const database = await openDatabase({ databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await runMigrations(database);
    await auditRestore(config, database, keys, b, applied);
    const url = new URL(databaseUrl);
    url.password = '';
    printRestored(io, b, `the PostgreSQL database ${url.toString()}`, probe, applied);
  } finally {
    await database.close();
  }
}

export async function restore(file: string, opts: { replace?: boolean }, io: CommandOutput = processOutput): Promise<void> {
  const config = loadConfig();
  const b = await openChecked(file);
  const engine = config.databaseUrl ? 'postgres' : 'pglite';
  checkVersion(b, engine);
  if (engine === 'pglite') await restoreEmbedded(config, b, opts.replace === true, io);
  else await restorePostgres(config, b, opts.replace === true, io);
}

export function backupCommands(): Command[] {
  const backupCmd = new Command('backup')
    .description('write a backup of the whole database (consistent, while the server runs); the master key is backed up apart')
    .requiredOption('--out <file>', 'the backup file to create (refused if it exists)')
    .action(async (opts: { out: string }) => {
      const file = newFile(opts.out);
      let isDone = false;
      try {
        await runDataCommand(backup, {}, undefined, { ...processOutput, write: file.write });
        if (process.exitCode === 0 || process.exitCode === undefined) {
          file.commit();
          isDone = true;
          processOutput.out(`Wrote ${file.target} (mode 0600). Keep the master key apart from it: the backup does not hold it, and needs it to restore.`);
        }
      } finally {
        if (!isDone) file.discard();
      }
    });
  const restoreCmd = new Command('restore')
    .description(
      'restore a backup into a fresh DATA_DIR or an empty PostgreSQL database, then migrate it; checks the file and the master key before writing anything',
    )
    .argument('<file>', 'the backup file')
    .option('--replace', 'restore over the Tessera database already there (embedded: kept aside; PostgreSQL: dropped, in one transaction)')
    .action(async (file: string, opts: { replace?: boolean }) => {
      await restore(file, opts);
    });
  return [backupCmd, restoreCmd];
}
