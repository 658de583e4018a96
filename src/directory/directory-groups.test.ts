import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ENGINES } from '../../test/helpers/db.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { startSamba, type SambaDc } from '../../test/helpers/samba.js';

/**
 * Directory groups of synced employees against a real Samba AD DC: nested groups resolved, a
 * rename in AD followed (same Tessera group), membership changes seen by incremental syncs (they
 * touch the group, not the user), the groupImport modes, objectSid in S-1-5-21-… form.
 */
const SYNC = 'Tessera Users Sync';
const mail = (u: string) => `${u}@corp.example.test`;
const run = promisify(execFile);

for (const engine of ENGINES) {
  describe(`directory groups against Samba AD (${engine})`, () => {
    let dc: SambaDc;
    let t: TestApp;
    let c: Client;
    let domainId: string;
    let ouDn: string;

    /** email → group names, straight from storage (the groups API belongs to another feature). */
    async function groupsByEmail(): Promise<Map<string, string[]>> {
      const rows = await t.db.database.query<{ email: string; name: string }>(
        `SELECT e.email, g.name FROM group_members m JOIN groups g ON g.id = m.group_id JOIN employees e ON e.id = m.employee_id
         WHERE g.domain_id = $1 ORDER BY e.email, g.name`,
        [domainId],
      );
      const out = new Map<string, string[]>();
      for (const r of rows) out.set(r.email, [...(out.get(r.email) ?? []), r.name]);
      return out;
    }
    const groupRows = () =>
      t.db.database.query<{ id: string; name: string; external_id: string }>('SELECT id, name, external_id FROM groups WHERE domain_id = $1 ORDER BY name', [
        domainId,
      ]);
    const sync = async (body: Record<string, unknown> = {}) => {
      const res = await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true, ...body });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'succeeded', JSON.stringify(res.body));
      return res.body;
    };

    before(async () => {
      dc = await startSamba({ ip: '127.0.0.33' });
      await dc.addGroup(SYNC);
      await dc.addGroup('G-inner');
      await dc.addGroup('G-outer');
      ouDn = await dc.addOu('Tessera Groups');
      await dc.addGroupAt(`CN=App Access,${ouDn}`);
      await dc.addGroupAt(`CN=Newsletter,${dc.usersDn}`, { groupType: 2 });
      for (const u of ['alice', 'bob', 'eve']) await dc.addUser({ username: u, password: `${u}-Pass!x9A`, givenName: u, surname: 'Test', mail: mail(u) });
      await dc.addMembers(SYNC, ['alice', 'bob']);
      await dc.addMembers('G-inner', ['alice', 'eve']);
      await dc.addMembers('G-outer', ['G-inner']);
      await dc.addMembersByDn(`CN=App Access,${ouDn}`, [`CN=alice,${dc.usersDn}`]);
      await dc.addMembersByDn(`CN=Newsletter,${dc.usersDn}`, [`CN=alice,${dc.usersDn}`]);
      t = await createTestApp({ engine });
      c = await signedInAdmin(t);
      const res = await c.post('/api/directory/domains', {
        kind: 'ad',
        name: 'corp.example.test',
        secret: dc.adminPassword,
        removalThresholdPercent: 100,
        passwordChangeDays: 0,
        settings: { urls: [dc.ldapsUrl], bindUser: dc.adminUpn, caCertificate: dc.caPem, tlsServerName: dc.tlsServerName, pageSize: 2 },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      domainId = res.body.id;
    });
    after(async () => {
      await t?.close();
      await dc?.stop();
    });

    it('imports every security group of the synced employees by default, nested groups resolved', async () => {
      assert.deepEqual((await c.get(`/api/directory/domains/${domainId}`)).body.groupImport, { mode: 'member_groups', ou: null, names: [] });
      const r = await sync();
      assert.equal(r.counts.groupsAdded, 4, JSON.stringify(r.counts));
      const groups = await groupsByEmail();
      assert.deepEqual(
        groups.get(mail('alice')),
        ['App Access', 'G-inner', 'G-outer', SYNC],
        'G-outer through G-inner; the distribution list is not a security group',
      );
      assert.deepEqual(groups.get(mail('bob')), [SYNC]);
      assert.equal(groups.has(mail('eve')), false, 'only synced employees');
    });

    it('syncs objectSid in its S-1-5-21-… string form', async () => {
      const [row] = await t.db.database.query<{ sid: string }>("SELECT attributes->>'objectSid' AS sid FROM directory_accounts WHERE username = 'alice'");
      assert.match(row.sid, /^S-1-5-21-\d+-\d+-\d+-\d+$/);
      const { stdout } = await run('samba-tool', ['user', 'show', 'alice', '-s', `${dc.dir}/etc/smb.conf`, '--attributes=objectSid']);
      assert.equal(row.sid, /objectSid: (\S+)/.exec(stdout)?.[1], 'the SID Samba itself shows');
    });

    it('follows a rename in AD: the same Tessera group under its new name', async () => {
      const before = (await groupRows()).find((g) => g.name === 'G-outer')!;
      await dc.renameGroup('G-outer', 'G-outer renamed');
      const r = await sync();
      assert.equal(r.mode, 'incremental');
      assert.equal(r.counts.groupsRenamed, 1, JSON.stringify(r.counts));
      const after = (await groupRows()).find((g) => g.external_id === before.external_id)!;
      assert.equal(after.id, before.id);
      assert.equal(after.name, 'G-outer renamed');
    });

    it('sees a membership change on an incremental sync (the group changes, not the user)', async () => {
      await dc.removeMembers('G-inner', ['alice']);
      const r = await sync();
      assert.equal(r.mode, 'incremental');
      assert.equal(r.counts.membershipsChanged, 1, JSON.stringify(r.counts));
      assert.equal(r.counts.groupsRemoved, 2, 'no synced employee is in G-inner or G-outer any more');
      assert.deepEqual((await groupsByEmail()).get(mail('alice')), ['App Access', SYNC]);
      await dc.addMembers('G-inner', ['alice']);
    });

    it('an employee removed from the sync group loses the domain groups', async () => {
      await dc.removeMembers(SYNC, ['bob']);
      await sync();
      assert.equal((await groupsByEmail()).has(mail('bob')), false);
    });

    it("imports only the named groups in 'list' mode, membership still transitive", async () => {
      const bad = await c.patch(`/api/directory/domains/${domainId}`, { groupImport: { mode: 'list', names: [] } });
      assert.equal(bad.status, 400);
      const res = await c.patch(`/api/directory/domains/${domainId}`, { groupImport: { mode: 'list', names: ['g-outer RENAMED'] } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await sync();
      assert.deepEqual(
        (await groupRows()).map((g) => g.name),
        ['G-outer renamed'],
      );
      assert.deepEqual((await groupsByEmail()).get(mail('alice')), ['G-outer renamed'], 'through G-inner');
    });

    it("imports only groups under the OU in 'under_ou' mode, and none in 'none' mode", async () => {
      assert.equal((await c.patch(`/api/directory/domains/${domainId}`, { groupImport: { mode: 'under_ou', ou: ouDn.toLowerCase() } })).status, 200);
      await sync();
      assert.deepEqual(
        (await groupRows()).map((g) => g.name),
        ['App Access'],
      );
      assert.equal((await c.patch(`/api/directory/domains/${domainId}`, { groupImport: { mode: 'none' } })).status, 200);
      const r = await sync();
      assert.equal(r.counts.groupsRemoved, 1);
      assert.deepEqual(await groupRows(), []);
    });
  });
}
