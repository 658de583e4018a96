// The one source of what SSO says about an employee, on both engines: real groups (directory and
// local, names and ids), the directory account of the importing domain (upn, sAMAccountName,
// objectSid, any synced attribute), and nothing invented for what the employee lacks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { AD_SID, giveDirectoryGroups, giveLocalGroup, insertAccount, insertDomain } from '../../test/helpers/directory-identity.js';
import { createEmployee } from '../../test/helpers/signin.js';
import { valuesOf } from './employee-attributes.js';

for (const engine of ENGINES) {
  describe(`employee attributes for SSO on ${engine}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ engine });
    });
    after(async () => {
      await t?.close();
    });

    it('gives the real groups by name and id, and the directory values of the importing domain', async () => {
      const e = await createEmployee(t, { email: 'ada@corp.example', firstName: 'Ada', lastName: 'Lovelace' });
      const corp = await insertDomain(t, 'ad', 'corp.example');
      const other = await insertDomain(t, 'ad', 'a-other.example');
      // The other domain sorts first by name: the importing domain must still win.
      await insertAccount(t, e.id, other, { username: 'alovelace2', upn: 'ada@a-other.example', attributes: { objectSid: 'S-1-5-21-1-2-3-999' } });
      await insertAccount(t, e.id, corp, {
        username: 'alovelace',
        upn: 'ada.lovelace@corp.local',
        externalId: '6f1d4c1e-0000-4000-8000-000000000001',
        importing: true,
        attributes: { objectSid: AD_SID, department: 'Engines', employeeNumber: 42 },
      });
      const ids = await giveDirectoryGroups(t, corp, e.id, ['VPN Users', 'Engineering']);
      const local = await giveLocalGroup(t, e.id, 'Beta testers');

      const a = (await t.services.employeeAttributes.load(e.id))!;
      assert.deepEqual(a.groups, ['Beta testers', 'Engineering', 'VPN Users'], 'directory and local groups, sorted by name');
      assert.deepEqual(a.groupIds, [local, ids.get('Engineering'), ids.get('VPN Users')]);
      assert.deepEqual(valuesOf(a, 'groups'), a.groups);
      assert.deepEqual(valuesOf(a, 'upn'), ['ada.lovelace@corp.local'], 'the directory UPN, not the e-mail');
      assert.deepEqual(valuesOf(a, 'sAMAccountName'), ['alovelace']);
      assert.deepEqual(valuesOf(a, 'objectSid'), [AD_SID]);
      assert.deepEqual(valuesOf(a, 'objectGUID'), ['6f1d4c1e-0000-4000-8000-000000000001']);
      assert.deepEqual(valuesOf(a, 'directory:department'), ['Engines']);
      assert.deepEqual(valuesOf(a, 'directory:EMPLOYEENUMBER'), ['42'], 'directory names are case-insensitive');
      assert.deepEqual(valuesOf(a, 'directory:missing'), []);
      assert.deepEqual(valuesOf(a, 'email'), ['ada@corp.example']);
    });

    it('has no upn, sAMAccountName or objectSid for an employee without a directory account, and no groups', async () => {
      const e = await createEmployee(t, { email: 'manual@corp.example' });
      const a = (await t.services.employeeAttributes.load(e.id))!;
      for (const source of ['upn', 'sAMAccountName', 'objectSid', 'objectGUID', 'externalId', 'groups', 'groupIds', 'phone', 'directory:mail'])
        assert.deepEqual(valuesOf(a, source), [], source);
      assert.deepEqual(valuesOf(a, 'email'), ['manual@corp.example']);
    });

    it('gives an Entra account its upn and object id but no sAMAccountName or objectSid', async () => {
      const e = await createEmployee(t, { email: 'grace@corp.example' });
      const tenant = await insertDomain(t, 'entra', 'corp.onmicrosoft.com');
      await insertAccount(t, e.id, tenant, {
        username: 'grace',
        upn: 'grace@corp.onmicrosoft.com',
        externalId: 'b3a1f6d2-1111-4222-8333-444455556666',
        importing: true,
        attributes: { objectSid: AD_SID },
      });
      const a = (await t.services.employeeAttributes.load(e.id))!;
      assert.deepEqual(valuesOf(a, 'upn'), ['grace@corp.onmicrosoft.com']);
      assert.deepEqual(valuesOf(a, 'externalId'), ['b3a1f6d2-1111-4222-8333-444455556666']);
      assert.deepEqual(valuesOf(a, 'sAMAccountName'), []);
      assert.deepEqual(valuesOf(a, 'objectSid'), []);
    });
  });
}
