import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectorFactory } from './connector-factory.js';
import { DirectoryError, type DirectoryConnector, type DirectoryUser } from './connector.js';
import { ENGINES } from '../../test/helpers/db.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';

/**
 * Setting a domain up from its form without saving: Test connection and the sync preview take the
 * form's values (a new domain's, or an edit's over the saved domain with the saved secret), answer
 * in words, write nothing but their audit records, and never return the secret.
 */
const RIGHT = 'right-bind-password-7c1e';
const WRONG = 'wrong-bind-password-0d4a';

const person = (username: string, group?: string): DirectoryUser & { group?: string } => ({
  externalId: `00000000-0000-4000-8000-${username
    .padEnd(12, '0')
    .slice(0, 12)
    .replace(/[^0-9a-f]/g, 'a')}`,
  username,
  upn: `${username}@corp.example.test`,
  email: `${username}@corp.example.test`,
  givenName: username,
  surname: 'Test',
  displayName: `${username} Test`,
  department: null,
  title: null,
  phone: null,
  company: null,
  enabled: true,
  group,
});

/** A directory in memory that checks the bind password and records the settings it was built from. */
function directory() {
  const users = [person('anna', 'VPN Users'), person('ben', 'VPN Users'), person('cleo')];
  const built: { settings: Record<string, unknown>; secret: string | null }[] = [];
  const factory: ConnectorFactory = (d, secret) => {
    built.push({ settings: d.settings as Record<string, unknown>, secret });
    const refuse = () => {
      if (secret !== RIGHT) throw new DirectoryError('bad_credentials', 'The bind user or password was refused (LDAP 49)');
    };
    return {
      kind: 'ad',
      capabilities: { incremental: false, setPassword: false, changeOwnPassword: false },
      testConnection: async ({ syncGroup }) =>
        secret === RIGHT
          ? {
              outcome: 'ok',
              message: 'Connected',
              steps: [
                { step: 'bind', ok: true, message: 'Signed in' },
                { step: 'sync_group', ok: true, message: `Group "${syncGroup}" found` },
              ],
            }
          : {
              outcome: 'bad_credentials',
              message: 'The bind user or password was refused (LDAP 49)',
              steps: [{ step: 'bind', ok: false, message: 'refused' }],
            },
      listGroupMembers: async (_g, o) => {
        refuse();
        const groups = [{ externalId: 'g-vpn', name: 'VPN Users' }];
        return {
          memberIds: users.map((u) => u.externalId),
          users: users.map(({ group: _, ...u }) => u),
          cursor: null,
          isIncremental: false,
          ...(o?.groups ? { groups: { groups, memberOf: new Map(users.map((u) => [u.externalId, u.group ? ['g-vpn'] : []])) } } : {}),
        };
      },
      setPassword: async () => {},
      verifyPassword: async () => false,
      changeOwnPassword: async () => {},
      close: async () => {},
    } satisfies DirectoryConnector;
  };
  return { users, built, factory };
}

const adForm = (secret?: string) => ({
  kind: 'ad',
  name: 'corp.example.test',
  removalThresholdPercent: 100,
  settings: { urls: ['ldaps://dc1.corp.example.test'], bindUser: 'svc@corp.example.test' },
  ...(secret ? { secret } : {}),
});

for (const engine of ENGINES) {
  describe(`directory setup from the form (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let dir: ReturnType<typeof directory>;
    /** Rows of the tables a sync writes: a preview or a test must leave them all as they were. */
    const written = async () => {
      const rows = async (table: string) => Number((await t.db.database.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n);
      return {
        employees: await rows('employees'),
        domains: await rows('directory_domains'),
        accounts: await rows('directory_accounts'),
        runs: await rows('directory_sync_runs'),
        groups: await rows('groups'),
      };
    };

    before(async () => {
      dir = directory();
      t = await createTestApp({ engine, connectorFactory: dir.factory });
      admin = await signedInAdmin(t);
    });
    after(() => t.close());

    it('tests an unsaved domain: a wrong password in words, then the right one with the member count', async () => {
      const wrong = await admin.post('/api/directory/domains/test', adForm(WRONG));
      assert.equal(wrong.status, 200, wrong.raw);
      assert.equal(wrong.body.outcome, 'bad_credentials');
      assert.match(wrong.body.message, /refused/);
      const right = await admin.post('/api/directory/domains/test', adForm(RIGHT));
      assert.equal(right.body.outcome, 'ok', right.raw);
      assert.deepEqual(right.body.steps.at(-1), { step: 'members', ok: true, message: '3 users in the sync group "Tessera Users Sync"' });
      const none = await admin.post('/api/directory/domains/test', adForm());
      assert.equal(none.body.outcome, 'credentials_missing');
      assert.equal(none.body.message, 'Enter the bind password to test the connection');
      for (const r of [wrong, right]) assert.ok(!r.raw.includes(RIGHT) && !r.raw.includes(WRONG), 'the secret is never answered');
      const { items } = await t.services.audit.find({ action: 'directory.connection_tested' }, { offset: 0, limit: 10 });
      assert.equal(items.length, 3);
      assert.equal(items[1].details.unsaved, true);
      assert.ok(!JSON.stringify(items).includes(RIGHT) && !JSON.stringify(items).includes(WRONG), 'nor audited');
      assert.deepEqual(await written(), { employees: 0, domains: 0, accounts: 0, runs: 0, groups: 0 });
    });

    it('previews the first sync of an unsaved domain: who would be created and which groups, writing nothing', async () => {
      const before = await written();
      const res = await admin.post('/api/directory/domains/preview', adForm(RIGHT));
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.counts.created, 3);
      assert.equal(res.body.counts.listed, 3);
      assert.equal(res.body.counts.groupsAdded, 1);
      assert.deepEqual(
        res.body.changes.map((c: { action: string; label: string }) => `${c.action} ${c.label}`),
        ['create anna@corp.example.test', 'create ben@corp.example.test', 'create cleo@corp.example.test'],
      );
      assert.deepEqual(res.body.groups, ['VPN Users']);
      assert.equal(res.body.wouldHold, false);
      assert.ok(!res.raw.includes(RIGHT));
      assert.deepEqual(await written(), before, 'no employee, domain, account, sync run or group was written');
      const refused = await admin.post('/api/directory/domains/preview', adForm(WRONG));
      assert.equal(refused.status, 502);
      assert.equal(refused.body.error.code, 'directory.bad_credentials');
      const { items } = await t.services.audit.find({ action: 'directory.sync_previewed' }, { offset: 0, limit: 10 });
      assert.deepEqual(
        items.map((i) => i.outcome),
        ['failure', 'success'],
      );
    });

    it("tests and previews an edit over the saved domain with the saved secret, and saves none of the form's values", async () => {
      const created = await admin.post('/api/directory/domains', adForm(RIGHT));
      assert.equal(created.status, 201, created.raw);
      const id = created.body.id;
      dir.built.length = 0;
      const edited = await admin.post(`/api/directory/domains/${id}/test`, { settings: { pageSize: 100 }, syncGroup: 'Staff' });
      assert.equal(edited.body.outcome, 'ok', edited.raw);
      assert.match(edited.body.message, /3 users in the sync group "Staff"/);
      assert.equal(dir.built[0].secret, RIGHT, 'a blank password field tests with the saved one');
      assert.equal(dir.built[0].settings.pageSize, 100, 'with the unsaved settings');
      const typed = await admin.post(`/api/directory/domains/${id}/test`, { secret: WRONG });
      assert.equal(typed.body.outcome, 'bad_credentials', 'a typed password is tested instead of the saved one');
      const saved = await admin.get(`/api/directory/domains/${id}`);
      assert.equal(saved.body.settings.bindUser, 'svc@corp.example.test');
      assert.equal(saved.body.syncGroup, 'Tessera Users Sync');
      assert.deepEqual(saved.body.secret, { set: true });
      // The saved domain's test without a body still works as before.
      assert.equal((await admin.post(`/api/directory/domains/${id}/test`, {})).body.outcome, 'ok');

      const sync = await admin.post(`/api/directory/domains/${id}/sync`, { wait: true });
      assert.equal(sync.body.counts.created, 3, sync.raw);
      dir.users.splice(2, 1);
      const before = await written();
      const employeesBefore = (await admin.get('/api/employees?pageSize=100')).body.items.map(
        (e: { email: string; status: string }) => `${e.email} ${e.status}`,
      );
      const preview = await admin.post(`/api/directory/domains/${id}/preview`, {});
      assert.equal(preview.status, 200, preview.raw);
      assert.equal(preview.body.counts.deactivated, 1);
      assert.equal(preview.body.counts.unchanged, 2);
      assert.deepEqual(
        preview.body.changes.map((c: { action: string; label: string }) => `${c.action} ${c.label}`),
        ['deactivate cleo@corp.example.test'],
      );
      assert.deepEqual(await written(), before);
      assert.deepEqual(
        (await admin.get('/api/employees?pageSize=100')).body.items.map((e: { email: string; status: string }) => `${e.email} ${e.status}`),
        employeesBefore,
        'nobody was deactivated',
      );
    });

    it('never sends the saved secret to a server or bind user the form changed: the password must be typed again', async () => {
      const created = await admin.post('/api/directory/domains', { ...adForm(RIGHT), name: 'moved.example.test' });
      assert.equal(created.status, 201, created.raw);
      const id = created.body.id;
      const moves = [
        { settings: { urls: ['ldaps://attacker.example.net:636'] } },
        { settings: { urls: [] } },
        { name: 'attacker.example.net', settings: { urls: [] } },
        { settings: { bindUser: 'attacker@corp.example.test' } },
        { settings: { transport: 'none', urls: ['ldap://dc1.corp.example.test'] } },
        { settings: { skipTlsVerify: true } },
        { settings: { tlsServerName: 'attacker.example.net' } },
      ];
      for (const path of ['test', 'preview']) {
        for (const move of moves) {
          dir.built.length = 0;
          const res = await admin.post(`/api/directory/domains/${id}/${path}`, move);
          assert.equal(res.status, 400, `${path} ${JSON.stringify(move)}: ${res.raw}`);
          assert.equal(res.body.error.code, 'directory.secret_required');
          assert.equal(res.body.error.details[0].path, 'body.secret');
          assert.match(res.body.error.details[0].message, /enter the bind password again/i);
          assert.equal(dir.built.length, 0, `no connection was made with the saved secret (${path} ${JSON.stringify(move)})`);
        }
        // The same change with the password typed again is tested as usual.
        const typed = await admin.post(`/api/directory/domains/${id}/${path}`, {
          settings: { urls: ['ldaps://dc9.corp.example.test:3269'], bindUser: 'other@corp.example.test' },
          secret: RIGHT,
        });
        assert.equal(typed.status, 200, typed.raw);
        const action = path === 'test' ? 'directory.connection_tested' : 'directory.sync_previewed';
        const { items } = await t.services.audit.find({ action }, { offset: 0, limit: 1 });
        assert.deepEqual(items[0].details.servers, ['ldaps://dc9.corp.example.test:3269'], 'the audit record names the server Tessera was sent to');
      }
      assert.deepEqual((await admin.get(`/api/directory/domains/${id}`)).body.settings.urls, ['ldaps://dc1.corp.example.test'], 'nothing saved');
      // Saving the move without the password is refused too: the next sync would carry it there.
      for (const move of moves) {
        const res = await admin.patch(`/api/directory/domains/${id}`, move);
        assert.equal(res.status, 400, `save ${JSON.stringify(move)}: ${res.raw}`);
        assert.equal(res.body.error.code, 'directory.secret_required');
        assert.equal(res.body.error.details[0].path, 'body.secret');
      }
      assert.deepEqual((await admin.get(`/api/directory/domains/${id}`)).body.settings.urls, ['ldaps://dc1.corp.example.test'], 'nothing saved');
      assert.equal(
        (await admin.patch(`/api/directory/domains/${id}`, { settings: { pageSize: 200 } })).status,
        200,
        'a change that moves nothing needs no password',
      );
      const retyped = await admin.patch(`/api/directory/domains/${id}`, { settings: { bindUser: 'other@corp.example.test' }, secret: RIGHT });
      assert.equal(retyped.status, 200, retyped.raw);
      // A bad value in the edit form is named on its field, in words, like a save's.
      const bad = await admin.post(`/api/directory/domains/${id}/test`, { settings: { timeoutMs: 5 } });
      assert.equal(bad.status, 400, bad.raw);
      assert.equal(bad.body.error.details[0].path, 'body.settings.timeoutMs');
      assert.equal(bad.body.error.details[0].message, 'Must be at least 500');
    });

    it('never sends the saved Entra client secret to other login or Graph hosts', async () => {
      const entra = {
        kind: 'entra',
        name: 'moved.onmicrosoft.com',
        removalThresholdPercent: 100,
        settings: { tenantId: '11111111-2222-4333-8444-555555555555', clientId: '66666666-7777-4888-8999-aaaaaaaaaaaa' },
        secret: RIGHT,
      };
      const created = await admin.post('/api/directory/domains', entra);
      assert.equal(created.status, 201, created.raw);
      for (const settings of [
        { loginBaseUrl: 'https://login.attacker.example.net' },
        { graphBaseUrl: 'https://graph.attacker.example.net' },
        { clientId: '66666666-7777-4888-8999-bbbbbbbbbbbb' },
        { tenantId: 'attacker.onmicrosoft.com' },
      ]) {
        dir.built.length = 0;
        const res = await admin.post(`/api/directory/domains/${created.body.id}/test`, { settings });
        assert.equal(res.status, 400, res.raw);
        assert.equal(res.body.error.code, 'directory.secret_required');
        assert.match(res.body.error.details[0].message, /client secret or certificate/);
        assert.equal(dir.built.length, 0, 'no connection was made with the saved secret');
      }
    });

    it('counts refused passwords against the credential-check budget, and lets only admins test', async () => {
      const limited = await createTestApp({ engine, connectorFactory: directory().factory, credentialLimit: 2 });
      try {
        const a = await signedInAdmin(limited);
        // Signing in spent nothing (successes are given back): two refusals, then 429.
        for (let i = 0; i < 2; i++) assert.equal((await a.post('/api/directory/domains/test', adForm(WRONG))).body.outcome, 'bad_credentials');
        const blocked = await a.post('/api/directory/domains/test', adForm(RIGHT));
        assert.equal(blocked.status, 429);
        assert.equal(blocked.body.error.code, 'rate_limit.exceeded');
        assert.equal((await new Client(limited.app).post('/api/directory/domains/test', adForm(RIGHT))).status, 401);
      } finally {
        await limited.close();
      }
    });

    it('lists the Graph application permissions an Entra app registration needs, with why', async () => {
      const res = await admin.get('/api/directory/entra/permissions');
      assert.equal(res.status, 200);
      const byPermission = new Map(res.body.items.map((p: { permission: string; why: string; when: string }) => [p.permission, p]));
      for (const p of ['User.Read.All', 'Group.Read.All', 'User-PasswordProfile.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All', 'Group.ReadWrite.All'])
        assert.ok(byPermission.has(p), `${p} is listed`);
      assert.match((byPermission.get('User-PasswordProfile.ReadWrite.All') as { when: string }).when, /auto password change/);
    });
  });
}
