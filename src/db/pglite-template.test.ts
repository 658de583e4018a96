/**
 * The start path of the embedded database: a new data folder comes from the migrated template with
 * no migration work at start; a folder made by the previous version (every migration but the
 * newest) upgrades; on both engines a current schema is only checked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, describe, it } from 'node:test';
import { ENGINES, createScratchPostgres, openTestDatabase } from '../../test/helpers/db.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../../test/helpers/server.js';
import { openDatabase } from './connection.js';
import { listMigrations, runMigrations } from './migrate.js';
import { templateForThisTree } from './pglite-template.js';
import { unpackTemplate } from './unpack-template.js';

const tags = () => listMigrations().map((m) => m.tag);
const tmp = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tessera-${label}-`));

describe('the embedded template', () => {
  const dirs: string[] = [];
  let server: ServerProcess | undefined;
  after(async () => {
    await stopServerProcess(server);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('gives a new data folder every migration already applied: the start applies none', { timeout: 180_000 }, async () => {
    const dataDir = tmp('template');
    dirs.push(dataDir);
    const database = await openDatabase({ dataDir, template: await templateForThisTree() });
    try {
      assert.ok(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION')), 'the template was unpacked into DATA_DIR/pglite');
      assert.deepEqual(await runMigrations(database), { applied: [], changed: [], unknown: [] });
      const recorded = await database.query<{ tag: string }>('SELECT tag FROM schema_migrations ORDER BY tag');
      assert.deepEqual(
        recorded.map((r) => r.tag),
        tags(),
      );
      const [ext] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_trgm'");
      assert.equal(ext.n, 1, 'pg_trgm is installed in the template');
      await database.query("INSERT INTO companies (name, name_normalized) VALUES ('Kept', 'kept')");
    } finally {
      await database.close();
    }
    // The folder is a database of its own now: reopened, it keeps what was written and is not unpacked again.
    const reopened = await openDatabase({ dataDir, template: await templateForThisTree() });
    try {
      assert.deepEqual(await reopened.query('SELECT name FROM companies'), [{ name: 'Kept' }]);
    } finally {
      await reopened.close();
    }
  });

  it('upgrades a data folder the previous version made: only the missing migration runs, the data stays', { timeout: 240_000 }, async () => {
    const dataDir = tmp('upgrade');
    dirs.push(dataDir);
    const previous = listMigrations().slice(0, -1);
    // The previous version: initdb (its template held no schema) and every migration it knew.
    const old = await openDatabase({ dataDir });
    try {
      assert.equal((await runMigrations(old, { migrations: previous })).applied.length, previous.length);
      await old.query(
        "INSERT INTO employees (email, email_normalized, first_name, last_name, status, source) VALUES ('Ada@Example.com', 'ada@example.com', 'Ada', 'Lovelace', 'active', 'manual')",
      );
    } finally {
      await old.close();
    }
    server = await startServerProcess({ DATA_DIR: dataDir }, { timeoutMs: 180_000 });
    const newest = tags().at(-1)!;
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('database migrations applied'));
    assert.ok(line, 'the server logged the migrations it applied');
    assert.deepEqual(JSON.parse(line).applied, [newest], 'the server applied only the newest migration at start');
    const database = await reopenAfter(server, dataDir);
    try {
      assert.deepEqual(await runMigrations(database), { applied: [], changed: [], unknown: [] });
      assert.deepEqual(await database.query('SELECT first_name FROM employees'), [{ first_name: 'Ada' }]);
    } finally {
      await database.close();
    }
  });

  it('unpacks only into an empty folder, and refuses an entry that points outside it', () => {
    const dir = tmp('unpack');
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'something'), 'x');
    assert.equal(unpackTemplate('/nonexistent.tar.gz', dir), false, 'a folder holding something is left alone');

    const header = Buffer.alloc(512);
    header.write('../escape', 0);
    header.write('0000600\0', 100);
    header.write('00000000001\0', 124);
    header.write('0', 156);
    const evil = path.join(dir, 'evil.tar.gz');
    fs.writeFileSync(evil, zlib.gzipSync(Buffer.concat([header, Buffer.alloc(512, 'x'), Buffer.alloc(1024)])));
    const target = path.join(dir, 'db');
    assert.throws(() => unpackTemplate(evil, target), /outside the folder/);
    assert.equal(fs.existsSync(path.join(dir, 'escape')), false);
    assert.equal(fs.existsSync(target), false, 'nothing is left half-unpacked');
  });
});

/** Stops the server (it owns the folder's lock) and opens the folder itself. */
async function reopenAfter(server: ServerProcess, dataDir: string) {
  await server.stop();
  return openDatabase({ dataDir });
}

for (const engine of ENGINES) {
  describe(`migrations at start (${engine})`, () => {
    it('checks a current schema without applying anything', { timeout: 120_000 }, async () => {
      const t = await openTestDatabase(engine);
      try {
        assert.deepEqual(await runMigrations(t.database), { applied: [], changed: [], unknown: [] });
      } finally {
        await t.close();
      }
    });

    it('applies exactly the migrations a database lacks, and names edited and unknown ones', { timeout: 180_000 }, async () => {
      const all = listMigrations();
      const scratch = engine === 'postgres' ? await createScratchPostgres() : undefined;
      const dataDir = scratch ? '' : tmp('partial');
      const database = await openDatabase(scratch ? { databaseUrl: scratch.url, dataDir } : { dataDir });
      try {
        await runMigrations(database, { migrations: all.slice(0, -2) });
        await database.query("UPDATE schema_migrations SET hash = 'edited' WHERE tag = $1", [all[0].tag]);
        await database.query("INSERT INTO schema_migrations (tag, hash) VALUES ('9999_from_a_newer_version', 'x')");
        assert.deepEqual(await runMigrations(database), {
          applied: all.slice(-2).map((m) => m.tag),
          changed: [all[0].tag],
          unknown: ['9999_from_a_newer_version'],
        });
        assert.deepEqual((await runMigrations(database)).applied, []);
      } finally {
        await database.close();
        await scratch?.drop();
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
