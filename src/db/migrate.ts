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

/**
 * Applies the migrations drizzle-kit generated, in order, each once. The whole run holds a
 * transaction-scoped advisory lock, so nodes starting together apply them once; a failing
 * migration rolls back entirely and the server does not start. `upTo` stops after that migration.
 */
export async function runMigrations(database: Database, opts: { upTo?: string } = {}): Promise<{ applied: string[] }> {
  const all = listMigrations();
  // upTo: an earlier schema, as an older Tessera left it (the tests of `tessera restore` build one).
  const end = opts.upTo === undefined ? all.length : all.findIndex((m) => m.tag === opts.upTo) + 1;
  if (end === 0) throw new Error(`no migration ${opts.upTo}`);
  const migrations = all.slice(0, end);
  return database.transaction(async (query) => {
    await query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`);
    await query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      tag text PRIMARY KEY, hash text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map((await query<{ tag: string; hash: string }>('SELECT tag, hash FROM schema_migrations')).map((r) => [r.tag, r.hash]));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.tag)) continue;
      for (const statement of m.sql.split('--> statement-breakpoint')) {
        if (statement.trim()) await query(statement);
      }
      await query('INSERT INTO schema_migrations (tag, hash) VALUES ($1, $2)', [m.tag, m.hash]);
      applied.push(m.tag);
    }
    return { applied };
  });
}

/** True when every known migration is recorded as applied (the readiness check uses it). */
export async function isSchemaCurrent(database: Database, expectedTags: string[]): Promise<boolean> {
  const rows = await database.query<{ tag: string }>('SELECT tag FROM schema_migrations');
  const done = new Set(rows.map((r) => r.tag));
  return expectedTags.every((t) => done.has(t));
}
