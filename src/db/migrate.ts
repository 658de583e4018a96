import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../lib/package-root.js';
import type { Database } from './connection.js';

/** Any 64-bit number works; it only has to be the same on every node sharing the database. */
const MIGRATION_LOCK_ID = 7_415_263_901;

interface JournalEntry {
  idx: number;
  tag: string;
}

export function migrationsFolder(): string {
  return path.join(packageRoot(), 'src', 'db', 'migrations');
}

export function listMigrations(folder = migrationsFolder()): { tag: string; sql: string; hash: string }[] {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag }) => {
      const sql = fs.readFileSync(path.join(folder, `${tag}.sql`), 'utf8');
      return { tag, sql, hash: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

/** One hash of every migration, in order: names a template made from exactly these (tests cache one per set). */
export function migrationsDigest(migrations = listMigrations()): string {
  const h = crypto.createHash('sha256');
  for (const m of migrations) h.update(`${m.tag}\0${m.hash}\n`);
  return h.digest('hex');
}

export interface MigrationRun {
  /** The migrations this run applied, in order (none when the database was current). */
  applied: string[];
  /** Recorded as applied with other SQL than this version's file has: the file was edited after it ran. */
  changed: string[];
  /** Recorded as applied but unknown to this version: the database was used by a newer one. */
  unknown: string[];
}

/**
 * Applies the migrations drizzle-kit generated, in order, each once. The common case, a database
 * that has them all (a restart, or a new embedded folder from the build's migrated template), is a
 * single read and no lock. Otherwise the run holds a transaction-scoped advisory lock, so nodes
 * starting together apply them once, and reads the list again under it; a failing migration rolls
 * back entirely and the server does not start. `migrations` (all of this version's by default) or
 * `upTo` (stop after that one) give an earlier schema, as an older Tessera left it: the tests of
 * the template and of `tessera restore` build one.
 */
export async function runMigrations(database: Database, opts: { upTo?: string; migrations?: ReturnType<typeof listMigrations> } = {}): Promise<MigrationRun> {
  const all = opts.migrations ?? listMigrations();
  const end = opts.upTo === undefined ? all.length : all.findIndex((m) => m.tag === opts.upTo) + 1;
  if (end === 0) throw new Error(`no migration ${opts.upTo}`);
  const migrations = all.slice(0, end);
  const recorded = await readRecorded(database.query);
  if (recorded && migrations.every((m) => recorded.has(m.tag))) return { applied: [], ...compare(migrations, recorded) };
  return database.transaction(async (query) => {
    await query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`);
    await query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      tag text PRIMARY KEY, hash text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = (await readRecorded(query)) ?? new Map<string, string>();
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.tag)) continue;
      for (const statement of m.sql.split('--> statement-breakpoint')) {
        if (statement.trim()) await query(statement);
      }
      await query('INSERT INTO schema_migrations (tag, hash) VALUES ($1, $2)', [m.tag, m.hash]);
      applied.push(m.tag);
    }
    return { applied, ...compare(migrations, done) };
  });
}

/** tag → hash of what is recorded as applied; undefined when the table does not exist yet. */
async function readRecorded(query: Database['query']): Promise<Map<string, string> | undefined> {
  const [{ exists }] = await query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (!exists) return undefined;
  return new Map((await query<{ tag: string; hash: string }>('SELECT tag, hash FROM schema_migrations')).map((r) => [r.tag, r.hash]));
}

function compare(migrations: { tag: string; hash: string }[], recorded: Map<string, string>): Pick<MigrationRun, 'changed' | 'unknown'> {
  const known = new Set(migrations.map((m) => m.tag));
  return {
    changed: migrations.filter((m) => recorded.has(m.tag) && recorded.get(m.tag) !== m.hash).map((m) => m.tag),
    unknown: [...recorded.keys()].filter((t) => !known.has(t)).sort(),
  };
}

/** True when every known migration is recorded as applied (the readiness check uses it). */
export async function isSchemaCurrent(database: Database, expectedTags: string[]): Promise<boolean> {
  const rows = await database.query<{ tag: string }>('SELECT tag FROM schema_migrations');
  const done = new Set(rows.map((r) => r.tag));
  return expectedTags.every((t) => done.has(t));
}
