import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createScratchPostgres, ENGINES } from '../../test/helpers/db.js';
import { openDatabase, type Database } from '../db/connection.js';
import { listMigrations } from '../db/migrate.js';

/** Migration 0008 on a database of 0007 that holds keys of the minimal model: their states keep their meaning. */
async function apply(database: Database, sql: string) {
  for (const statement of sql.split('--> statement-breakpoint')) if (statement.trim()) await database.query(statement);
}

for (const engine of ENGINES) {
  describe(`migration 0008_hardware_key_lifecycle (${engine})`, () => {
    it('keeps an active key Active, makes an inactive one (and one without its employee) Deactivated, each with a history line', async () => {
      const scratch = engine === 'postgres' ? await createScratchPostgres() : undefined;
      const database = await openDatabase(scratch ? { databaseUrl: scratch.url, dataDir: '' } : { dataDir: '', inMemory: true });
      try {
        const migrations = listMigrations();
        const at = migrations.findIndex((m) => m.tag === '0008_hardware_key_lifecycle');
        assert.ok(at > 0);
        for (const m of migrations.slice(0, at)) await apply(database, m.sql);
        const [{ id: employeeId }] = await database.query<{ id: string }>(
          `INSERT INTO employees (email, email_normalized, first_name, last_name) VALUES ('k@corp.example', 'k@corp.example', 'K', 'Holder') RETURNING id`,
        );
        await database.query(
          `INSERT INTO hardware_keys (serial, employee_id, status) VALUES ('OLD-ACTIVE', $1, 'active'), ('OLD-INACTIVE', $1, 'inactive'), ('OLD-ORPHAN', NULL, 'active')`,
          [employeeId],
        );
        await apply(database, migrations[at].sql);
        const keys = await database.query<{ serial: string; status: string; employee_id: string | null }>(
          'SELECT serial, status, employee_id FROM hardware_keys ORDER BY serial',
        );
        assert.deepEqual(
          keys.map((k) => [k.serial, k.status, k.employee_id === employeeId]),
          [
            ['OLD-ACTIVE', 'active', true],
            ['OLD-INACTIVE', 'deactivated', true],
            ['OLD-ORPHAN', 'deactivated', false],
          ],
        );
        const events = await database.query<{ to_state: string; from_state: string | null; actor_type: string }>(
          'SELECT to_state, from_state, actor_type FROM hardware_key_events ORDER BY seq',
        );
        assert.equal(events.length, 3);
        assert.ok(events.every((e) => e.from_state === null && e.actor_type === 'system'));
      } finally {
        await database.close();
        await scratch?.drop();
      }
    });
  });
}
