/**
 * What writing a sync in bulk (multi-row statements of 1,000) could break, through the console API
 * on both engines: a run of more than two batches with the audit chain verified after it, changes
 * and a no-change re-sync on top, a listing cut in the middle and a write failing between two
 * batches (both change nothing), and hostile names (NUL, lone surrogates, very long) in bulk rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectorFactory } from './connector-factory.js';
import { DirectoryError, type DirectoryConnector, type DirectoryUser } from './connector.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';

const USERS = 2500;

function person(i: number): DirectoryUser {
  return {
    externalId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    username: `user${i}`,
    upn: `user${i}@corp.example.test`,
    email: `user${i}@corp.example.test`,
    givenName: `Given${i}`,
    surname: `Surname${i}`,
    displayName: `Given${i} Surname${i}`,
    department: `Dept ${i % 7}`,
    title: `Title ${i % 5}`,
    phone: null,
    company: i % 2 ? 'Corp Ltd' : 'Other Corp',
    enabled: true,
  };
}

/** An in-memory directory whose sync group is `users`; `cutAfter`: the listing fails after reporting that many. */
function directory() {
  const state = { users: [] as DirectoryUser[], cutAfter: null as number | null };
  const factory: ConnectorFactory = () =>
    ({
      kind: 'ad',
      capabilities: { incremental: false, setPassword: false, changeOwnPassword: false },
      testConnection: async () => ({ outcome: 'ok', message: 'ok', steps: [] }),
      listGroupMembers: async (_group, opts) => {
        if (state.cutAfter !== null) {
          opts?.onProgress?.(state.cutAfter);
          throw new DirectoryError('unreachable', `The connection to the directory was lost after ${state.cutAfter} users`);
        }
        const users = state.users.map((u) => ({ ...u }));
        return { memberIds: users.map((u) => u.externalId), users, cursor: null, isIncremental: false };
      },
      setPassword: async () => {},
      verifyPassword: async () => false,
      changeOwnPassword: async () => {},
      close: async () => {},
    }) satisfies DirectoryConnector;
  return { state, factory };
}

for (const engine of ENGINES) {
  describe(`bulk directory sync (${engine})`, () => {
    const dir = directory();
    let t: TestApp;
    let c: Client;
    let domainId: string;
    const q = <T = Record<string, unknown>>(text: string, params?: unknown[]) => t.db.database.query<T>(text, params);
    const count = async (table: string) => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
    /** What a sync can change, to compare before and after a failed one. */
    const snapshot = async () => ({
      employees: await q('SELECT id, email, first_name, last_name, company_id, department_id, position_id, status FROM employees ORDER BY id'),
      accounts: await q('SELECT id, employee_id, external_id, username, attributes, is_enabled, is_member FROM directory_accounts ORDER BY id'),
      companies: await count('companies'),
      departments: await count('departments'),
      positions: await count('positions'),
      audit: await q<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM audit_events WHERE action NOT LIKE 'directory.sync_%' GROUP BY action ORDER BY action`,
      ),
    });
    const sync = async () => {
      const res = await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
      assert.equal(res.status, 200, res.raw);
      return res.body;
    };
    const chainOk = async () => assert.deepEqual((await t.services.audit.verifyChain()).ok, true, 'the audit chain verifies');

    before(async () => {
      t = await createTestApp({ engine, connectorFactory: dir.factory });
      c = await signedInAdmin(t);
      const res = await c.post('/api/directory/domains', {
        kind: 'ad',
        name: `bulk-${engine}.example.test`,
        secret: 'service-account-password',
        removalThresholdPercent: 100,
        ssoEnabled: false,
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
      });
      assert.equal(res.status, 201, res.raw);
      domainId = res.body.id;
    });
    after(async () => {
      await t?.close();
    });

    it(`imports ${USERS} users (three batches of writes) with their organisation and a chain that verifies`, async () => {
      dir.state.users = Array.from({ length: USERS }, (_, i) => person(i));
      const run = await sync();
      assert.equal(run.status, 'succeeded', run.error);
      assert.equal(run.counts.created, USERS);
      assert.equal(await count('employees'), USERS);
      assert.equal(await count('directory_accounts'), USERS);
      assert.equal(await count('companies'), 2);
      assert.equal(await count('departments'), 14, 'seven departments in each of the two companies');
      assert.equal(await count('positions'), 5);
      const [e] = await q<{ company: string; department: string; position: string; first_name: string }>(
        `SELECT c.name AS company, d.name AS department, p.name AS position, e.first_name FROM employees e
           JOIN companies c ON c.id = e.company_id JOIN departments d ON d.id = e.department_id JOIN positions p ON p.id = e.position_id
          WHERE e.email_normalized = 'user2499@corp.example.test'`,
      );
      assert.deepEqual(e, { company: 'Corp Ltd', department: 'Dept 0', position: 'Title 4', first_name: 'Given2499' });
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'employee.created'`);
      assert.equal(n, USERS, 'one employee.created record per employee');
      await chainOk();
    });

    it('applies 1,200 changes and 5 deactivations in bulk, then a no-change re-sync writes nothing', async () => {
      for (let i = 0; i < 1200; i++) dir.state.users[i] = { ...dir.state.users[i], surname: `Renamed${i}`, department: 'Moved' };
      for (let i = 2000; i < 2005; i++) dir.state.users[i] = { ...dir.state.users[i], enabled: false };
      const run = await sync();
      assert.equal(run.status, 'succeeded', run.error);
      assert.equal(run.counts.updated, 1205);
      assert.equal(run.counts.deactivated, 5);
      const [r] = await q<{ last_name: string; department: string; status: string }>(
        `SELECT e.last_name, d.name AS department, e.status FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.email_normalized = 'user1199@corp.example.test'`,
      );
      assert.deepEqual(r, { last_name: 'Renamed1199', department: 'Moved', status: 'active' });
      const off = await q<{ status: string; is_enabled: boolean }>(
        `SELECT e.status, a.is_enabled FROM employees e JOIN directory_accounts a ON a.employee_id = e.id WHERE e.email_normalized LIKE 'user200_@corp.example.test' AND e.email_normalized < 'user2005'`,
      );
      assert.deepEqual(
        off.map((o) => [o.status, o.is_enabled]),
        Array(5).fill(['deactivated', false]),
      );
      await chainOk();

      const before = await snapshot();
      const again = await sync();
      assert.equal(again.status, 'succeeded', again.error);
      assert.equal(again.counts.unchanged, USERS);
      assert.deepEqual(await snapshot(), before, 'a re-sync without changes writes nothing');
    });

    it('changes nothing when the listing is cut in the middle', async () => {
      const before = await snapshot();
      dir.state.users = dir.state.users.map((u) => ({ ...u, givenName: `Cut${u.username}` }));
      dir.state.cutAfter = 1500;
      const run = await sync();
      dir.state.cutAfter = null;
      assert.equal(run.status, 'failed');
      assert.equal(run.errorCode, 'unreachable');
      assert.deepEqual(await snapshot(), before);
      await chainOk();
    });

    it('changes nothing when a write fails between two batches', async () => {
      // The third batch of new employees fails in the database, after two batches (and their audit records) were written.
      dir.state.users.push(...Array.from({ length: 2500 }, (_, i) => person(USERS + i)));
      const before = await snapshot();
      const kill =
        engine === 'postgres'
          ? // The sync's own connection is killed: its transaction never commits.
            'PERFORM pg_terminate_backend(pg_backend_pid());'
          : "RAISE EXCEPTION 'write refused mid-sync';";
      await q(`CREATE FUNCTION bulk_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${kill} RETURN NEW; END $$`);
      await q(
        `CREATE TRIGGER bulk_test_fail BEFORE INSERT ON employees FOR EACH ROW WHEN (NEW.email_normalized = 'user${USERS + 2200}@corp.example.test') EXECUTE FUNCTION bulk_test_fail()`,
      );
      try {
        const run = await sync();
        assert.equal(run.status, 'failed', 'the sync fails');
      } finally {
        await q('DROP TRIGGER bulk_test_fail ON employees');
        await q('DROP FUNCTION bulk_test_fail()');
      }
      assert.deepEqual(await snapshot(), before);
      await chainOk();
      const run = await sync();
      assert.equal(run.status, 'succeeded', run.error);
      assert.equal(run.counts.created, 2500);
      await chainOk();
    });

    it('stores hostile names in bulk rows as replacement characters, cut to length, and a re-sync sees no change', async () => {
      const long = 'L'.repeat(10_000);
      const base = dir.state.users.length;
      const hostile = Array.from({ length: 1200 }, (_, i) => ({
        ...person(base + i),
        givenName: `Nul\u0000${i}`,
        surname: `Lone\ud800${i}`,
        displayName: long,
        company: i % 2 ? `Co\u0000mpany` : `${long}\udc00`,
        department: `Dept\ud83d`,
        title: `${'\ud83d\ude00'.repeat(300)}`,
      }));
      dir.state.users.push(...hostile);
      const run = await sync();
      assert.equal(run.status, 'succeeded', run.error);
      assert.equal(run.counts.created, 1200);
      const [e] = await q<{
        first_name: string;
        last_name: string;
        company: string;
        department: string;
        position: string;
        attributes: { displayName: string };
      }>(
        `SELECT e.first_name, e.last_name, c.name AS company, d.name AS department, p.name AS position, a.attributes FROM employees e
           JOIN companies c ON c.id = e.company_id JOIN departments d ON d.id = e.department_id JOIN positions p ON p.id = e.position_id
           JOIN directory_accounts a ON a.employee_id = e.id
          WHERE e.email_normalized = $1`,
        [`user${base + 1}@corp.example.test`],
      );
      assert.equal(e.first_name, 'Nul\ufffd1');
      assert.equal(e.last_name, 'Lone\ufffd1');
      assert.equal(e.company, 'Co\ufffdmpany');
      assert.equal(e.department, 'Dept\ufffd');
      assert.equal(e.position.length, 512, 'cut to 512 characters, on a whole surrogate pair');
      assert.equal(e.attributes.displayName, 'L'.repeat(512));
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM companies WHERE name = $1`, ['L'.repeat(512)]);
      assert.equal(n, 1, 'the very long company name, cut before its lone surrogate');
      await chainOk();
      const again = await sync();
      assert.equal(again.status, 'succeeded', again.error);
      assert.equal(again.counts.updated, 0, 'what was stored is what the next listing is compared with');
    });
  });
}
