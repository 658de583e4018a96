import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { templateForThisTree } from '../../src/db/pglite-template.js';
import { runMigrations } from '../../src/db/migrate.js';
import { randomToken } from '../../src/security/tokens.js';

export type Engine = 'pglite' | 'postgres';
/** Storage tests run on both engines. */
export const ENGINES: Engine[] = ['pglite', 'postgres'];

/** The server that scratch databases are created on (trust auth on these machines). */
export const ADMIN_DATABASE_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createScratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tessera_test_${randomToken(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestDatabase {
  database: Database;
  engine: Engine;
  /** For PostgreSQL: the scratch database's URL. */
  url?: string;
  close(): Promise<void>;
}

/** A new, migrated, empty database on the given engine. */
export async function openTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await openDatabase({ dataDir: '', inMemory: true, template: await templateForThisTree() });
    await runMigrations(database);
    return { database, engine, close: () => database.close() };
  }
  const scratch = await createScratchPostgres();
  const database = await openDatabase({ databaseUrl: scratch.url, dataDir: '' });
  await runMigrations(database);
  return {
    database,
    engine,
    url: scratch.url,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}
