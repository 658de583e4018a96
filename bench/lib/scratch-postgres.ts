import crypto from 'node:crypto';
import pg from 'pg';
import type { Cleanup } from './cleanup.js';

/** The PostgreSQL server to create the scratch database on (trust auth on the dev machines). */
export const ADMIN_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(text: string, params?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

export interface ScratchPostgres {
  url: string;
  /** Process ids of the PostgreSQL backends now connected to the database (to read their CPU time). */
  backendPids(): Promise<number[]>;
}

/** A new, empty database `tessera_bench_<random>`, dropped by the cleanup. */
export async function createScratchPostgres(cleanup: Cleanup): Promise<ScratchPostgres> {
  const name = `tessera_bench_${crypto.randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  cleanup.defer(`database ${name}`, async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const url = new URL(ADMIN_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    backendPids: async () => (await adminQuery('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map((r) => Number(r.pid)),
  };
}
