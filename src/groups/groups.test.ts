import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../test/helpers/db.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { replaceDirectoryMemberships, syncDirectoryGroups } from './group.repository.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

for (const engine of ENGINES) {
  describe(`groups API (${engine})`, () => {
    let t: TestApp;
    let c: Client;
    const ids: Record<string, string> = {};
    const audited = async (action: string, targetId: string) =>
      (await t.services.audit.find({ action: action as never, targetId }, { offset: 0, limit: 50 })).items;

    before(async () => {
      t = await createTestApp({ engine });
      c = await signedInAdmin(t);
      for (const [first, last] of [
        ['Ada', 'Lovelace'],
        ['Bob', 'Brown'],
        ['Cy', 'Young'],
      ]) {
        const r = await c.post('/api/employees', { email: `${first.toLowerCase()}@corp.example`, firstName: first, lastName: last });
        assert.equal(r.status, 201);
        ids[first] = r.body.id;
      }
      // A directory group, as a domain's sync leaves it.
      const [{ id: domainId }] = await t.db.database.query<{ id: string }>(
        "INSERT INTO directory_domains (kind, name, name_normalized, sync_group, rotation_group) VALUES ('ad', 'corp.example', 'corp.example', 's', 'r') RETURNING id",
      );
      ids.domain = domainId;
      const synced = await syncDirectoryGroups(t.db.database.db, domainId, [{ externalId: 'guid-vpn', name: 'VPN Users' }], { prune: true });
      ids.vpn = synced.get('guid-vpn') as string;
      await replaceDirectoryMemberships(t.db.database.db, domainId, ids.Bob, [ids.vpn]);
    });
    after(() => t.close());

    it('creates local groups with a name unique among local groups without regard to case', async () => {
      const res = await c.post('/api/groups', { name: 'Helpdesk', description: 'First line' });
      assert.equal(res.status, 201);
      assert.equal(res.body.source, 'local');
      assert.equal(res.body.memberCount, 0);
      assert.equal(res.body.description, 'First line');
      ids.helpdesk = res.body.id;
      const dup = await c.post('/api/groups', { name: '  HELPDESK ' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.code, 'groups.name_in_use');
      const sameAsDirectory = await c.post('/api/groups', { name: 'vpn users' });
      assert.equal(sameAsDirectory.status, 201, 'a directory group of the same name does not block a local one');
      ids.localVpn = sameAsDirectory.body.id;
      assert.equal((await c.post('/api/groups', { name: '' })).status, 400);
      assert.equal((await c.post('/api/groups', { name: 'X', extra: 1 })).status, 400);
      const [created] = await audited('group.created', ids.helpdesk);
      assert.equal(created.targetLabel, 'Helpdesk');
    });

    it('lists groups with search, source and domain filters, source and member count', async () => {
      const all = await c.get('/api/groups');
      assert.equal(all.status, 200);
      assert.deepEqual(
        all.body.items.map((g: { name: string }) => g.name.toLowerCase()),
        ['helpdesk', 'vpn users', 'vpn users'],
        'by name without regard to case',
      );
      const vpn = all.body.items.find((g: { id: string }) => g.id === ids.vpn);
      assert.deepEqual(vpn.source, { domainId: ids.domain, domainName: 'corp.example' });
      assert.equal(vpn.memberCount, 1);
      const local = await c.get('/api/groups?source=local');
      assert.deepEqual(local.body.items.map((g: { id: string }) => g.id).sort(), [ids.helpdesk, ids.localVpn].sort());
      const dir = await c.get(`/api/groups?source=directory&domainId=${ids.domain}`);
      assert.deepEqual(
        dir.body.items.map((g: { id: string }) => g.id),
        [ids.vpn],
      );
      const searched = await c.get('/api/groups?q=HELP');
      assert.deepEqual(
        searched.body.items.map((g: { id: string }) => g.id),
        [ids.helpdesk],
      );
      assert.equal(searched.body.total, 1);
      const paged = await c.get('/api/groups?pageSize=1&page=2');
      assert.equal(paged.body.items.length, 1);
      assert.equal(paged.body.total, 3);
      assert.equal((await c.get('/api/groups?source=elsewhere')).status, 400);
      assert.equal((await c.get('/api/groups?domainId=nope')).status, 400);
    });

    it('adds and removes members of a local group, audited, refusing unknown employees', async () => {
      const added = await c.post(`/api/groups/${ids.helpdesk}/members`, { employeeIds: [ids.Ada, ids.Cy, ids.Ada] });
      assert.equal(added.status, 200);
      assert.equal(added.body.memberCount, 2);
      const again = await c.post(`/api/groups/${ids.helpdesk}/members`, { employeeIds: [ids.Ada] });
      assert.equal(again.body.memberCount, 2, 'adding a member again changes nothing');
      assert.equal((await audited('group.member_added', ids.helpdesk)).length, 2, 'one audit row an employee actually added');

      const unknown = await c.post(`/api/groups/${ids.helpdesk}/members`, { employeeIds: [ids.Bob, MISSING] });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'groups.employee_not_found');
      assert.equal((await c.get(`/api/groups/${ids.helpdesk}`)).body.memberCount, 2, 'nobody is added when one id is unknown');

      const members = await c.get(`/api/groups/${ids.helpdesk}/members?sort=firstName&order=desc`);
      assert.equal(members.status, 200);
      assert.deepEqual(
        members.body.items.map((e: { firstName: string }) => e.firstName),
        ['Cy', 'Ada'],
      );
      assert.equal((await c.get(`/api/groups/${ids.helpdesk}/members?q=lovelace`)).body.total, 1);

      assert.equal((await c.delete(`/api/groups/${ids.helpdesk}/members/${ids.Cy}`)).status, 204);
      const notMember = await c.delete(`/api/groups/${ids.helpdesk}/members/${ids.Cy}`);
      assert.equal(notMember.status, 404);
      assert.equal(notMember.body.error.code, 'groups.not_a_member');
      const [removed] = await audited('group.member_removed', ids.helpdesk);
      assert.equal((removed.details as { employeeId: string }).employeeId, ids.Cy);
      assert.equal((await c.get(`/api/groups/${MISSING}/members`)).body.error.code, 'groups.not_found');
    });

    it('filters the employees list by group and shows each employee its groups', async () => {
      const inHelpdesk = await c.get(`/api/employees?groupId=${ids.helpdesk}`);
      assert.deepEqual(
        inHelpdesk.body.items.map((e: { id: string }) => e.id),
        [ids.Ada],
      );
      assert.equal(inHelpdesk.body.total, 1);
      const inVpn = await c.get(`/api/employees?groupId=${ids.vpn}`);
      assert.deepEqual(
        inVpn.body.items.map((e: { id: string }) => e.id),
        [ids.Bob],
      );
      assert.equal((await c.get(`/api/employees?groupId=${MISSING}`)).body.total, 0);
      assert.equal((await c.get('/api/employees?groupId=x')).status, 400);
      assert.equal((await c.get('/api/employees')).body.total, 3, 'without the filter everyone is listed');

      await c.post(`/api/groups/${ids.localVpn}/members`, { employeeIds: [ids.Bob] });
      const bob = await c.get(`/api/employees/${ids.Bob}`);
      assert.deepEqual(
        bob.body.groups,
        [
          { id: ids.vpn, name: 'VPN Users', source: { domainId: ids.domain, domainName: 'corp.example' } },
          { id: ids.localVpn, name: 'vpn users', source: 'local' },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
      assert.deepEqual((await c.get(`/api/employees/${ids.Cy}`)).body.groups, []);
    });

    it('refuses to change a directory group: its domain manages it', async () => {
      for (const res of [
        await c.patch(`/api/groups/${ids.vpn}`, { name: 'Renamed' }),
        await c.delete(`/api/groups/${ids.vpn}`),
        await c.post(`/api/groups/${ids.vpn}/members`, { employeeIds: [ids.Ada] }),
        await c.delete(`/api/groups/${ids.vpn}/members/${ids.Bob}`),
      ]) {
        assert.equal(res.status, 409);
        assert.equal(res.body.error.code, 'groups.directory_owned');
        assert.match(res.body.error.message, /corp\.example/);
      }
      const vpn = await c.get(`/api/groups/${ids.vpn}`);
      assert.equal(vpn.body.name, 'VPN Users');
      assert.equal(vpn.body.memberCount, 1);
    });

    it('renames and deletes local groups, audited', async () => {
      const renamed = await c.patch(`/api/groups/${ids.helpdesk}`, { name: 'Service Desk', description: null });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.name, 'Service Desk');
      assert.equal(renamed.body.description, null);
      const [updated] = await audited('group.updated', ids.helpdesk);
      assert.deepEqual((updated.details as { changes: unknown }).changes, {
        name: { from: 'Helpdesk', to: 'Service Desk' },
        description: { from: 'First line', to: null },
      });
      const clash = await c.patch(`/api/groups/${ids.helpdesk}`, { name: 'VPN USERS' });
      assert.equal(clash.body.error.code, 'groups.name_in_use');
      assert.equal((await c.patch(`/api/groups/${ids.helpdesk}`, { name: 'service desk' })).status, 200, 'a change of case alone is no clash');

      assert.equal((await c.delete(`/api/groups/${ids.helpdesk}`)).status, 204);
      assert.equal((await c.get(`/api/groups/${ids.helpdesk}`)).status, 404);
      assert.equal((await c.delete(`/api/groups/${ids.helpdesk}`)).body.error.code, 'groups.not_found');
      assert.equal((await audited('group.deleted', ids.helpdesk)).length, 1);
      assert.equal((await c.get(`/api/employees/${ids.Ada}`)).body.groups.length, 0, 'the memberships go with the group');
    });

    it('lets a read-scope API key read groups but not change them', async () => {
      const key = await c.post('/api/api-keys', { name: 'reader', scope: 'read' });
      const reader = new Client(t.app, { authorization: `Bearer ${key.body.secret}` });
      assert.equal((await reader.get('/api/groups')).status, 200);
      assert.equal((await reader.get(`/api/groups/${ids.localVpn}/members`)).status, 200);
      for (const res of [
        await reader.post('/api/groups', { name: 'Sneaky' }),
        await reader.patch(`/api/groups/${ids.localVpn}`, { name: 'Sneaky' }),
        await reader.post(`/api/groups/${ids.localVpn}/members`, { employeeIds: [ids.Cy] }),
        await reader.delete(`/api/groups/${ids.localVpn}/members/${ids.Bob}`),
        await reader.delete(`/api/groups/${ids.localVpn}`),
      ]) {
        assert.equal(res.status, 403);
        assert.equal(res.body.error.code, 'auth.insufficient_scope');
      }
      assert.equal((await c.get(`/api/groups/${ids.localVpn}`)).body.memberCount, 1);
      assert.equal((await new Client(t.app).get('/api/groups')).status, 401, 'nobody signed in reads nothing');
    });
  });
}
