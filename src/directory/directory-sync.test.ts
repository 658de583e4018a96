import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConnector, type ConnectorFactory } from './connector-factory.js';
import { ENGINES } from '../../test/helpers/db.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { startSamba, type SambaDc } from '../../test/helpers/samba.js';

/**
 * Import and sync by group against a real Samba AD DC: nested groups with paging, attribute
 * mapping, updates, AD-disabled accounts, each removal behaviour, the threshold, dry runs,
 * failures that change nothing, uSNChanged increments and e-mail matching.
 */
const SYNC = 'Tessera Users Sync';
const ROTATION = 'Tessera Key Auto Password Change';
const mail = (u: string) => `${u}@corp.example.test`;

describe('directory sync against Samba AD', () => {
  let dc: SambaDc;
  /** Set by a test to freeze (or kill) the controller once the listing has started. */
  let freezeDuringListing = false;
  let killDuringListing = false;

  async function seed() {
    dc = await startSamba({ ip: '127.0.0.21' });
    await dc.addGroup(SYNC);
    await dc.addGroup('Nested Team');
    await dc.addGroup(ROTATION);
    await dc.addUser({
      username: 'alice',
      password: 'Al1ce-Pass!x',
      givenName: 'Alice',
      surname: 'Archer',
      mail: mail('alice'),
      department: 'IT',
      title: 'Engineer',
      phone: '+44 20 7946 0001',
      company: 'Corp Ltd',
      displayName: 'Alice Archer',
    });
    await dc.addUser({ username: 'bob', password: 'B0b-Pass!xyz', givenName: 'Bob', surname: 'Baker', mail: mail('bob') });
    await dc.addUser({ username: 'carol', password: 'Car0l-Pass!x', givenName: 'Carol', surname: 'Cole', mail: mail('carol'), disabled: true });
    await dc.addUser({ username: 'dave', password: 'Dav3-Pass!xy', givenName: 'Dave', surname: 'Dunn', mail: mail('dave') });
    await dc.addUser({ username: 'frank', password: 'Fr4nk-Pass!x', givenName: 'Frank', surname: 'Ford', mail: 'Frank.Ford@corp.example.test' });
    const extra = Array.from({ length: 8 }, (_, i) => `user${i}`);
    await dc.addUsers(extra.map((u, i) => ({ username: u, givenName: 'User', surname: String(i), mail: mail(u), password: `Us3r-Pass!${i}x` })));
    await dc.addMembers(SYNC, ['alice', 'frank', 'Nested Team', ...extra]);
    await dc.addMembers('Nested Team', ['bob', 'carol']);
    await dc.addMembers(ROTATION, ['alice']);
  }

  for (const engine of ENGINES) {
    describe(engine, () => {
      let t: TestApp;
      let c: Client;
      let domainId: string;
      const employees = async () => {
        const res = await c.get('/api/employees?pageSize=100');
        return new Map<
          string,
          {
            id: string;
            status: string;
            firstName: string;
            lastName: string;
            phone: string | null;
            source: string;
            company: { name: string } | null;
            department: { name: string } | null;
            position: { name: string } | null;
          }
        >(res.body.items.map((e: { email: string }) => [e.email, e]));
      };
      const sync = async (body: Record<string, unknown> = {}) => {
        const res = await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true, ...body });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body;
      };

      before(async () => {
        await seed();
        const wrap: ConnectorFactory = (d, s) => {
          const inner = createConnector(d, s);
          return {
            ...inner,
            listGroupMembers: (g, o) =>
              inner.listGroupMembers(g, {
                ...o,
                onProgress: (n) => {
                  o?.onProgress?.(n);
                  if (freezeDuringListing && n >= 2) {
                    freezeDuringListing = false;
                    dc.freeze();
                  }
                  if (killDuringListing && n >= 2) {
                    killDuringListing = false;
                    dc.kill();
                  }
                },
              }),
          };
        };
        t = await createTestApp({ engine, connectorFactory: wrap });
        c = await signedInAdmin(t);
        // A person already known to Tessera (created by hand) is matched by e-mail, whatever its case.
        assert.equal((await c.post('/api/employees', { email: 'frank.ford@corp.example.test', firstName: 'Frank', lastName: 'Manual' })).status, 201);
        const res = await c.post('/api/directory/domains', {
          kind: 'ad',
          name: 'corp.example.test',
          secret: dc.adminPassword,
          removalThresholdPercent: 100,
          settings: { urls: [dc.ldapsUrl], bindUser: dc.adminUpn, caCertificate: dc.caPem, tlsServerName: dc.tlsServerName, pageSize: 2, timeoutMs: 3000 },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(res.body.secret, { set: true });
        assert.equal(JSON.stringify(res.body).includes(dc.adminPassword), false, 'the bind password is never answered');
        domainId = res.body.id;
      });
      after(async () => {
        await t?.close();
        await dc?.stop();
      });

      it('tests the connection with the CA certificate Samba generated', async () => {
        const res = await c.post(`/api/directory/domains/${domainId}/test`);
        assert.equal(res.body.outcome, 'ok', JSON.stringify(res.body));
      });

      it('shows what a dry run would change, and changes nothing', async () => {
        const run = await sync({ dryRun: true });
        assert.equal(run.status, 'succeeded');
        assert.equal(run.isDryRun, true);
        assert.equal(run.counts.created, 11, JSON.stringify(run.counts) + JSON.stringify(run.changes.map((x: { label: string }) => x.label)));
        assert.equal(run.counts.linked, 1);
        assert.ok(
          run.changes.some((x: { action: string; label: string }) => x.action === 'create' && x.label === mail('bob')),
          'nested members are listed',
        );
        assert.equal((await employees()).size, 1, 'a dry run creates nobody');
      });

      it('imports direct and nested members with their attributes; an AD-disabled account arrives deactivated', async () => {
        const run = await sync();
        assert.equal(run.status, 'succeeded', run.error);
        assert.equal(run.mode, 'full');
        const list = await employees();
        assert.equal(list.size, 12);
        const alice = list.get(mail('alice'))!;
        assert.equal(alice.firstName, 'Alice');
        assert.equal(alice.lastName, 'Archer');
        assert.equal(alice.phone, '+44 20 7946 0001');
        assert.equal(alice.company?.name, 'Corp Ltd');
        assert.equal(alice.department?.name, 'IT');
        assert.equal(alice.position?.name, 'Engineer');
        assert.equal(alice.source, domainId);
        assert.equal(list.get(mail('bob'))!.status, 'active', 'member through a nested group');
        assert.equal(list.get(mail('carol'))!.status, 'deactivated', 'disabled in AD');
        assert.equal(list.has(mail('dave')), false, 'not a member');
        const frank = list.get('frank.ford@corp.example.test')!;
        assert.equal(frank.source, 'manual', 'the hand-made employee was linked, not duplicated');
        const accounts = await c.get(`/api/employees/${frank.id}/directory-accounts`);
        assert.equal(accounts.body.items[0].username, 'frank');
        const aliceAccounts = await c.get(`/api/employees/${alice.id}/directory-accounts`);
        assert.equal(aliceAccounts.body.items[0].isRotationMember, true);
        // New employees with SSO on are invited.
        const invitations = await c.get(`/api/employees/${alice.id}/invitations`);
        assert.equal(invitations.body.items.length, 1);
        const carolInv = await c.get(`/api/employees/${list.get(mail('carol'))!.id}/invitations`);
        assert.equal(carolInv.body.items.length, 0, 'a deactivated employee is not invited');
      });

      it('follows changes incrementally by uSNChanged: an update and an account disabled in AD', async () => {
        await dc.modifyUser('alice', { title: 'Lead Engineer', telephoneNumber: '+44 20 7946 0002' });
        await dc.setEnabled('bob', false);
        const run = await sync();
        assert.equal(run.status, 'succeeded', run.error);
        assert.equal(run.mode, 'incremental');
        assert.equal(run.counts.updated, 2, JSON.stringify(run.counts));
        assert.equal(run.counts.deactivated, 1);
        assert.equal(run.counts.unchanged, 10);
        const list = await employees();
        assert.equal(list.get(mail('alice'))!.position?.name, 'Lead Engineer');
        assert.equal(list.get(mail('bob'))!.status, 'deactivated');
        await dc.setEnabled('bob', true);
        const again = await sync();
        assert.equal(again.counts.reactivated, 1, 'enabled again in AD');
        assert.equal((await employees()).get(mail('bob'))!.status, 'active');
        const idle = await sync();
        assert.equal(idle.counts.unchanged, 12, 'a sync without changes changes nothing');
      });

      it('keeps, deactivates or deletes a user who leaves the group, as the domain says', async () => {
        await c.patch(`/api/directory/domains/${domainId}`, { removalBehaviour: 'keep' });
        await dc.removeMembers(SYNC, ['user0']);
        let run = await sync();
        assert.equal(run.counts.kept, 1, JSON.stringify(run.counts) + JSON.stringify(run.changes));
        assert.equal((await employees()).get(mail('user0'))!.status, 'active');

        await c.patch(`/api/directory/domains/${domainId}`, { removalBehaviour: 'deactivate' });
        await dc.removeMembers(SYNC, ['user1']);
        run = await sync();
        assert.equal(run.counts.deactivated, 1, JSON.stringify(run.counts));
        assert.equal((await employees()).get(mail('user1'))!.status, 'deactivated');
        assert.equal((await employees()).get(mail('user0'))!.status, 'active', 'an earlier "keep" stays kept');

        await c.patch(`/api/directory/domains/${domainId}`, { removalBehaviour: 'delete' });
        await dc.removeMembers(SYNC, ['user2']);
        run = await sync();
        assert.equal(run.counts.deleted, 1, JSON.stringify(run.counts));
        assert.equal((await employees()).has(mail('user2')), false);
        // Back in the group: the deactivated one comes back.
        await dc.addMembers(SYNC, ['user1', 'user2']);
        run = await sync();
        assert.equal(run.counts.reactivated, 1, JSON.stringify(run.counts));
        assert.equal(run.counts.created, 1);
        assert.equal((await employees()).get(mail('user1'))!.status, 'active');
      });

      it('stops a sync that would remove more than the threshold until an admin confirms it', async () => {
        await c.patch(`/api/directory/domains/${domainId}`, { removalBehaviour: 'deactivate', removalThresholdPercent: 10 });
        const leavers = ['user3', 'user4', 'user5', 'user6', 'user7'];
        await dc.removeMembers(SYNC, leavers);
        const held = await sync();
        assert.equal(held.status, 'awaiting_confirmation');
        assert.equal(held.counts.deactivated, 5);
        const before = await employees();
        for (const u of leavers) assert.equal(before.get(mail(u))!.status, 'active', 'nothing changed while held');
        // A confirmation covers what the admin saw: one more leaver since, and the sync is held again.
        await dc.removeMembers(SYNC, ['user2']);
        const heldAgain = await c.post(`/api/directory/domains/${domainId}/runs/${held.id}/confirm`);
        assert.equal(heldAgain.status, 200);
        assert.equal(heldAgain.body.status, 'awaiting_confirmation', JSON.stringify(heldAgain.body.counts));
        assert.equal(heldAgain.body.counts.deactivated, 6);
        assert.equal((await employees()).get(mail('user2'))!.status, 'active', 'nothing changed on a stale confirmation');
        await dc.addMembers(SYNC, ['user2']);
        const confirmed = await c.post(`/api/directory/domains/${domainId}/runs/${heldAgain.body.id}/confirm`);
        assert.equal(confirmed.status, 200);
        assert.equal(confirmed.body.status, 'succeeded');
        const afterList = await employees();
        for (const u of leavers) assert.equal(afterList.get(mail(u))!.status, 'deactivated');
        const again = await c.post(`/api/directory/domains/${domainId}/runs/${held.id}/confirm`);
        assert.equal(again.body.error.code, 'directory.run_not_awaiting');
        await dc.addMembers(SYNC, leavers);
        assert.equal((await sync()).status, 'succeeded');
      });

      it('changes nothing when the controller stops answering in the middle of the listing', async () => {
        const beforeList = JSON.stringify([...(await employees()).entries()]);
        await dc.setEnabled('alice', false);
        await dc.removeMembers(SYNC, ['frank']);
        freezeDuringListing = true;
        let run;
        try {
          run = await sync({ full: true });
        } finally {
          dc.thaw();
        }
        assert.equal(run.status, 'failed');
        assert.ok(['incomplete_listing', 'unreachable'].includes(run.errorCode), run.errorCode);
        assert.equal(JSON.stringify([...(await employees()).entries()]), beforeList, 'every employee is as it was');
        await dc.setEnabled('alice', true);
        await dc.addMembers(SYNC, ['frank']);
        const history = await c.get(`/api/directory/domains/${domainId}/runs`);
        assert.ok(history.body.items.some((r: { status: string; durationMs: number }) => r.status === 'failed' && r.durationMs >= 0));
      });

      it('changes nothing when Samba is killed in the middle of the listing', async () => {
        const beforeList = JSON.stringify([...(await employees()).entries()]);
        await dc.removeMembers(SYNC, ['user3']);
        killDuringListing = true;
        const run = await sync({ full: true });
        await dc.start();
        assert.equal(run.status, 'failed');
        assert.ok(['incomplete_listing', 'unreachable'].includes(run.errorCode), run.errorCode);
        assert.equal(JSON.stringify([...(await employees()).entries()]), beforeList, 'every employee is as it was');
        await dc.addMembers(SYNC, ['user3']);
      });

      it('stops every sync when the bind password is removed', async () => {
        const res = await c.patch(`/api/directory/domains/${domainId}`, { secret: null });
        assert.equal(res.body.isSyncEnabled, false);
        const run = await sync();
        assert.equal(run.status, 'failed');
        assert.equal(run.errorCode, 'credentials_missing');
        await c.patch(`/api/directory/domains/${domainId}`, { secret: dc.adminPassword });
      });
    });
  }
});
