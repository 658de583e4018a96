import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { directoryGroups } from './directory-groups.service.js';
import { findGroupsOfEmployee, replaceDirectoryMemberships, syncDirectoryGroups } from './group.repository.js';

for (const engine of ENGINES) {
  describe(`directory groups of a sync (${engine})`, () => {
    let t: TestDatabase;
    let domainId: string;
    let alice: string;
    let bob: string;
    before(async () => {
      t = await openTestDatabase(engine);
      const q = t.database.query;
      [{ id: domainId }] = await q<{ id: string }>(
        "INSERT INTO directory_domains (kind, name, name_normalized, sync_group, rotation_group) VALUES ('ad', 'corp', 'corp', 's', 'r') RETURNING id",
      );
      [{ id: alice }, { id: bob }] = await q<{ id: string }>(
        "INSERT INTO employees (email, email_normalized, first_name, last_name) VALUES ('a@x', 'a@x', 'A', 'A'), ('b@x', 'b@x', 'B', 'B') RETURNING id",
      );
    });
    after(() => t.close());
    const names = async (employeeId: string) => (await findGroupsOfEmployee(t.database.db, employeeId)).map((g) => g.name);

    it('writes groups and memberships, counts what changed, and leaves local groups alone', async () => {
      const db = t.database.db;
      const [{ id: local }] = await t.database.query<{ id: string }>("INSERT INTO groups (name, name_normalized) VALUES ('Local', 'local') RETURNING id");
      await t.database.query('INSERT INTO group_members (group_id, employee_id) VALUES ($1, $2)', [local, alice]);
      const groups = [
        { externalId: 'g1', name: 'Sales' },
        { externalId: 'g2', name: 'VPN' },
      ];
      assert.deepEqual(await directoryGroups.preview(db, domainId, groups), { groupsAdded: 2, groupsRenamed: 0, groupsRemoved: 0 });
      const first = await db.transaction((tx) =>
        directoryGroups.apply(tx, domainId, {
          groups,
          memberships: new Map([
            [alice, ['g1', 'g2']],
            [bob, ['g2']],
          ]),
        }),
      );
      assert.deepEqual(first, { groupsAdded: 2, groupsRenamed: 0, groupsRemoved: 0, membershipsChanged: 2 });
      assert.deepEqual(await names(alice), ['Local', 'Sales', 'VPN']);
      assert.deepEqual(await names(bob), ['VPN']);

      // Same again: nothing changes. Then a rename, bob leaves (absent), g1 is no longer reported.
      assert.equal(
        (
          await directoryGroups.apply(db, domainId, {
            groups,
            memberships: new Map([
              [alice, ['g1', 'g2']],
              [bob, ['g2']],
            ]),
          })
        ).membershipsChanged,
        0,
      );
      const second = await directoryGroups.apply(db, domainId, { groups: [{ externalId: 'g2', name: 'VPN Users' }], memberships: new Map([[alice, ['g2']]]) });
      assert.deepEqual(second, { groupsAdded: 0, groupsRenamed: 1, groupsRemoved: 1, membershipsChanged: 2 });
      assert.deepEqual(await names(alice), ['Local', 'VPN Users']);
      assert.deepEqual(await names(bob), [], 'an employee no longer listed loses the domain groups');
    });

    it('changes nothing when the transaction fails', async () => {
      const db = t.database.db;
      await assert.rejects(
        db.transaction(async (tx) => {
          await directoryGroups.apply(tx, domainId, { groups: [], memberships: new Map() });
          throw new Error('sync failed later');
        }),
      );
      assert.deepEqual(await names(alice), ['Local', 'VPN Users']);
      // The repository helpers used underneath stay usable on their own.
      const ids = await syncDirectoryGroups(db, domainId, [{ externalId: 'g2', name: 'VPN Users' }], { prune: false });
      await replaceDirectoryMemberships(db, domainId, bob, [ids.get('g2')!]);
      assert.deepEqual(await names(bob), ['VPN Users']);
    });
  });
}
