import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { findGroupsOfEmployee, isMemberOfAny, replaceDirectoryMemberships, syncDirectoryGroups } from './group.repository.js';

for (const engine of ENGINES) {
  describe(`group storage (${engine})`, () => {
    let t: TestDatabase;
    let domainId: string;
    let employeeId: string;
    let otherDomainId: string;
    before(async () => {
      t = await openTestDatabase(engine);
      const q = t.database.query;
      [{ id: domainId }] = await q<{ id: string }>(
        "INSERT INTO directory_domains (kind, name, name_normalized, sync_group, rotation_group) VALUES ('ad', 'corp', 'corp', 's', 'r') RETURNING id",
      );
      [{ id: otherDomainId }] = await q<{ id: string }>(
        "INSERT INTO directory_domains (kind, name, name_normalized, sync_group, rotation_group) VALUES ('entra', 'cloud', 'cloud', 's', 'r') RETURNING id",
      );
      [{ id: employeeId }] = await q<{ id: string }>(
        "INSERT INTO employees (email, email_normalized, first_name, last_name) VALUES ('a@x', 'a@x', 'A', 'B') RETURNING id",
      );
    });
    after(() => t.close());

    it('follows a rename by external id, replaces only the domain memberships, prunes on a full sync', async () => {
      const db = t.database.db;
      const ids = await syncDirectoryGroups(
        db,
        domainId,
        [
          { externalId: 'g1', name: 'Sales' },
          { externalId: 'g2', name: 'VPN Users' },
        ],
        { prune: true },
      );
      const other = await syncDirectoryGroups(db, otherDomainId, [{ externalId: 'g1', name: 'Cloud Sales' }], { prune: true });
      assert.notEqual(other.get('g1'), ids.get('g1'), 'the same external id in another domain is another group');
      const [{ id: localId }] = await t.database.query<{ id: string }>(
        "INSERT INTO groups (name, name_normalized) VALUES ('Helpdesk', 'helpdesk') RETURNING id",
      );
      await t.database.query('INSERT INTO group_members (group_id, employee_id) VALUES ($1, $2)', [localId, employeeId]);
      await replaceDirectoryMemberships(db, otherDomainId, employeeId, [other.get('g1') as string]);
      await replaceDirectoryMemberships(db, domainId, employeeId, [ids.get('g1') as string, ids.get('g2') as string]);
      assert.deepEqual(
        (await findGroupsOfEmployee(db, employeeId)).map((g) => g.name),
        ['Cloud Sales', 'Helpdesk', 'Sales', 'VPN Users'],
      );

      const renamed = await syncDirectoryGroups(
        db,
        domainId,
        [
          { externalId: 'g1', name: 'Sales EMEA' },
          { externalId: 'g2', name: 'VPN Users' },
        ],
        { prune: false },
      );
      assert.equal(renamed.get('g1'), ids.get('g1'), 'a rename keeps the group');
      await replaceDirectoryMemberships(db, domainId, employeeId, [ids.get('g2') as string]);
      assert.deepEqual(
        (await findGroupsOfEmployee(db, employeeId)).map((g) => g.name),
        ['Cloud Sales', 'Helpdesk', 'VPN Users'],
      );
      assert.equal(await isMemberOfAny(db, employeeId, [ids.get('g1') as string]), false);
      assert.equal(await isMemberOfAny(db, employeeId, [ids.get('g1') as string, localId]), true);

      await syncDirectoryGroups(db, domainId, [{ externalId: 'g1', name: 'Sales EMEA' }], { prune: true });
      assert.deepEqual(
        (await findGroupsOfEmployee(db, employeeId)).map((g) => g.name),
        ['Cloud Sales', 'Helpdesk'],
        'a group no longer reported goes with its memberships',
      );
      await replaceDirectoryMemberships(db, domainId, employeeId, []);
      assert.deepEqual(
        (await findGroupsOfEmployee(db, employeeId)).map((g) => g.name),
        ['Cloud Sales', 'Helpdesk'],
      );
    });
  });
}
