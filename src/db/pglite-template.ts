import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteExtensions, wrapPglite } from './connection.js';
import { migrationsDigest, runMigrations } from './migrate.js';

/**
 * The template of a new embedded database: a PGlite data folder, initialised AND migrated, dumped
 * as .tar.gz by the build (scripts/make-pglite-template.mjs). A new DATA_DIR starts from it, so the
 * first start runs neither initdb (several seconds in WebAssembly) nor the migrations (as long
 * again): the migrator at start finds every migration recorded and only checks.
 */
export async function writePgliteTemplate(file: string): Promise<{ applied: string[] }> {
  const client = await PGlite.create({ extensions: pgliteExtensions });
  const { applied } = await runMigrations(wrapPglite(client));
  // A clean checkpoint, so the folder opens without replaying the WAL.
  await client.query('CHECKPOINT');
  const dump = await client.dumpDataDir('gzip');
  await client.close();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, file);
  return { applied };
}

/**
 * A template for exactly the migrations in this tree, for code that runs from source (tests, the
 * API contract): made once per set of migrations in the temp folder, so worktrees with other
 * migrations never share one, and a test database starts migrated.
 */
export async function templateForThisTree(): Promise<string> {
  const file = path.join(os.tmpdir(), `tessera-pglite-template-${migrationsDigest().slice(0, 16)}.tar.gz`);
  if (!fs.existsSync(file)) await writePgliteTemplate(file);
  return file;
}
