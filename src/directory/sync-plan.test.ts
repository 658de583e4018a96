import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectoryUser } from './connector.js';
import type { AccountRow } from './directory.repository.js';
import { countChanges, exceedsThreshold, planSync } from './sync-plan.js';

const user = (id: string, over: Partial<DirectoryUser> = {}): DirectoryUser => ({
  externalId: id,
  username: id,
  upn: `${id}@corp.test`,
  email: `${id}@corp.test`,
  givenName: id,
  surname: 'S',
  displayName: null,
  department: null,
  title: null,
  phone: null,
  company: null,
  enabled: true,
  ...over,
});
const account = (id: string, employeeId: string, over: Partial<AccountRow> = {}): AccountRow => ({
  id: `acc-${id}`,
  domainId: 'd',
  employeeId,
  externalId: id,
  username: id,
  upn: `${id}@corp.test`,
  attributes: { ...user(id) },
  isEnabled: true,
  isMember: true,
  isRotationMember: false,
  passwordChangedAt: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...over,
});
const full = (users: DirectoryUser[]) => ({ memberIds: users.map((u) => u.externalId), users, cursor: null, isIncremental: false });

describe('planSync', () => {
  it('matches by external id first, by e-mail second, and creates the rest', () => {
    const plan = planSync({
      listing: full([user('a'), user('b', { email: 'B@Corp.Test' }), user('c')]),
      rotationIds: null,
      accounts: [account('a', 'e1')],
      employees: [
        { id: 'e1', emailNormalized: 'a@corp.test', status: 'active' },
        { id: 'e2', emailNormalized: 'b@corp.test', status: 'active' },
      ],
      removalBehaviour: 'deactivate',
      heldElsewhere: new Set(),
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['link', 'create'],
    );
    assert.equal(plan.unchanged, 1);
  });

  it('deactivates an employee whose account the directory disabled, and reactivates it when enabled again', () => {
    const employees = [{ id: 'e1', emailNormalized: 'a@corp.test', status: 'active' }];
    let plan = planSync({
      listing: full([user('a', { enabled: false })]),
      rotationIds: null,
      accounts: [account('a', 'e1')],
      employees,
      removalBehaviour: 'keep',
      heldElsewhere: new Set(),
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['update', 'deactivate'],
    );
    plan = planSync({
      listing: full([user('a')]),
      rotationIds: null,
      accounts: [account('a', 'e1', { isEnabled: false, attributes: { ...user('a'), enabled: false } })],
      employees: [{ id: 'e1', emailNormalized: 'a@corp.test', status: 'deactivated' }],
      removalBehaviour: 'keep',
      heldElsewhere: new Set(),
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['update', 'reactivate'],
    );
  });

  for (const [behaviour, expected] of [
    ['keep', 'keep'],
    ['deactivate', 'deactivate'],
    ['delete', 'delete'],
  ] as const) {
    it(`applies "${behaviour}" to a member who left the group`, () => {
      const plan = planSync({
        listing: full([]),
        rotationIds: null,
        accounts: [account('a', 'e1')],
        employees: [{ id: 'e1', emailNormalized: 'a@corp.test', status: 'active' }],
        removalBehaviour: behaviour,
        heldElsewhere: new Set(),
      });
      assert.deepEqual(
        plan.changes.map((c) => c.action),
        [expected],
      );
    });
  }

  it('skips (and reports) an account whose new e-mail belongs to another employee, instead of failing the whole sync', () => {
    const plan = planSync({
      listing: full([user('a', { email: 'b@corp.test' }), user('c', { title: 'Boss' })]),
      rotationIds: null,
      accounts: [account('a', 'e1'), account('c', 'e3')],
      employees: [
        { id: 'e1', emailNormalized: 'a@corp.test', status: 'active' },
        { id: 'e2', emailNormalized: 'b@corp.test', status: 'active' },
        { id: 'e3', emailNormalized: 'c@corp.test', status: 'active' },
      ],
      removalBehaviour: 'keep',
      heldElsewhere: new Set(),
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['update'],
      'the other account is still updated',
    );
    assert.equal(plan.skipped.length, 1);
    assert.match(plan.skipped[0].reason, /b@corp\.test belongs to another employee/);
  });

  it('only unlinks under "delete" when another domain still holds the employee', () => {
    const plan = planSync({
      listing: full([]),
      rotationIds: null,
      accounts: [account('a', 'e1')],
      employees: [{ id: 'e1', emailNormalized: 'a@corp.test', status: 'active' }],
      removalBehaviour: 'delete',
      heldElsewhere: new Set(['e1']),
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['unlink'],
    );
    assert.equal(plan.removals, 0);
  });

  it('only unlinks under "delete" when another domain still links the employee, even as a kept non-member', () => {
    const plan = planSync({
      listing: full([]),
      rotationIds: null,
      accounts: [account('a', 'e1')],
      employees: [{ id: 'e1', emailNormalized: 'a@corp.test', status: 'active' }],
      removalBehaviour: 'delete',
      heldElsewhere: new Set(),
      linkedElsewhere: new Set(['e1']),
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['unlink'],
    );
  });

  it('holds a plan that removes more than the threshold', () => {
    const accounts = Array.from({ length: 10 }, (_, i) => account(`u${i}`, `e${i}`));
    const employees = accounts.map((a) => ({ id: a.employeeId, emailNormalized: `${a.externalId}@corp.test`, status: 'active' }));
    const keepNine = full(accounts.slice(0, 9).map((a) => user(a.externalId)));
    const one = planSync({ listing: keepNine, rotationIds: null, accounts, employees, removalBehaviour: 'deactivate', heldElsewhere: new Set() });
    assert.equal(exceedsThreshold(one, 10), false, '1 of 10 is not more than 10%');
    const two = planSync({
      listing: full(accounts.slice(0, 8).map((a) => user(a.externalId))),
      rotationIds: null,
      accounts,
      employees,
      removalBehaviour: 'deactivate',
      heldElsewhere: new Set(),
    });
    assert.equal(exceedsThreshold(two, 10), true);
    assert.equal(countChanges(two).deactivated, 2);
  });

  it('skips users without an e-mail or UPN, and duplicates of an e-mail within the domain', () => {
    const plan = planSync({
      listing: full([user('a', { email: null, upn: null }), user('b'), user('c', { email: 'b@corp.test' })]),
      rotationIds: null,
      accounts: [],
      employees: [],
      removalBehaviour: 'keep',
      heldElsewhere: new Set(),
    });
    assert.deepEqual(
      plan.changes.map((c) => c.action),
      ['create'],
    );
    assert.equal(plan.skipped.length, 2);
  });
});
