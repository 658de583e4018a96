import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import { packageRoot } from '../lib/package-root.js';
import { acquireDataDirLock, type AcquireOptions } from './data-dir-lock.js';
import { unpackTemplate } from './unpack-template.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database handle or an open transaction: repositories accept either. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  engine: 'pglite' | 'postgres';
  /** Runs raw SQL and returns rows (used by migrations, health checks and tests). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn inside one transaction on one connection, with raw SQL. */
  transaction<T>(fn: (query: RawQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * The embedded database's data folder as .tar.gz, a consistent snapshot taken between
   * transactions (absent on PostgreSQL, which `pg_dump` backs up): `tessera backup`.
   */
  dumpDataDir?: () => Promise<Blob>;
  /** The PostgreSQL pool's connections (absent on the embedded database, which has one). */
  poolStats?: () => { total: number; idle: number; waiting: number };
}

export type RawQuery = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Use an in-memory PGlite (tests). */
  inMemory?: boolean;
  /**
   * A PGlite data folder dumped as .tar.gz. A new embedded database starts from it instead of
   * running initdb, which takes several seconds in WebAssembly. See pgliteTemplatePath().
   */
  template?: string;
  /** A new embedded database starts from this data folder (.tar.gz, from dumpDataDir): `tessera restore`. */
  loadDataDir?: Blob;
  /**
   * Who opens an embedded data folder, and whether to wait for its current owner: the folder is
   * locked (see data-dir-lock.ts) before PGlite opens it and released when the database closes.
   */
  lock?: AcquireOptions;
}

/** Where the build leaves the template of an empty embedded database (src/db/pglite-template.ts). */
export function pgliteTemplatePath(): string {
  return path.join(packageRoot(), 'dist', 'pglite-template.tar.gz');
}

/**
 * The PostgreSQL extensions the embedded database loads at every start: a migration creates them
 * (pg_trgm serves the employee search's indexes), and PGlite must have their files to open a
 * folder that uses them.
 */
export const pgliteExtensions = { pg_trgm };

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // A pool error (server restarted, network cut) must not crash the process: the next query reports it.
    pool.on('error', () => {});
    // The same for a client checked out when its connection dies (pg emits 'error' on it, and the
    // pool listens only while it is idle): the query in flight fails, its transaction rolls back.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    return {
      db,
      engine: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      query: async (text, params) => (await pool.query(text, params as unknown[])).rows,
      transaction: async (fn) => {
        const conn = await pool.connect();
        try {
          await conn.query('BEGIN');
          const result = await fn(async (text, params) => (await conn.query(text, params as unknown[])).rows);
          await conn.query('COMMIT');
          return result;
        } catch (err) {
          await conn.query('ROLLBACK').catch(() => {});
          throw err;
        } finally {
          conn.release();
        }
      },
      close: () => pool.end(),
    };
  }
  const dir = opts.inMemory ? undefined : path.join(opts.dataDir, 'pglite');
  // The lock comes first: nothing in the folder is read or written by a process that does not own it.
  const lock = dir ? await acquireDataDirLock(opts.dataDir, opts.lock ?? { command: 'a Tessera process' }) : undefined;
  let client: PGlite;
  try {
    const isFresh = !dir || !fs.existsSync(path.join(dir, 'PG_VERSION'));
    const template = isFresh && opts.template && fs.existsSync(opts.template) ? opts.template : undefined;
    if (dir) fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    // A restore hands its own data folder (opts.loadDataDir). Otherwise a new folder on disk gets
    // the template unpacked by Node, not through PGlite's file system.
    const restoring = isFresh && opts.loadDataDir;
    const isUnpacked = !restoring && Boolean(dir && template && unpackTemplate(template, dir));
    const loadDataDir = restoring ? opts.loadDataDir : template && !isUnpacked ? new Blob([fs.readFileSync(template)]) : undefined;
    if (dir) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    client = await PGlite.create(dir, { extensions: pgliteExtensions, ...(loadDataDir ? { loadDataDir } : {}) });
  } catch (err) {
    lock?.release();
    throw err;
  }
  return wrapPglite(client, async () => lock?.release());
}

/** A Database over an open PGlite; `release` runs once it is closed (the data folder's lock). */
export function wrapPglite(client: PGlite, release: () => Promise<void> = async () => {}): Database {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    engine: 'pglite',
    query: async (text, params) => (await client.query(text, params as unknown[])).rows as never,
    transaction: (fn) => client.transaction((tx) => fn(async (text, params) => (await tx.query(text, params as unknown[])).rows as never)),
    dumpDataDir: async () => {
      // A checkpoint first, so the copy needs little recovery when it opens. The copy is taken
      // inside a transaction of its own: PGlite runs one transaction at a time, so none is half
      // done while the files are read (what is committed is in the copy, nothing else).
      await client.exec('CHECKPOINT');
      return client.transaction(() => client.dumpDataDir('gzip'));
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        await release();
      }
    },
  };
}
