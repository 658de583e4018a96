import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../test/helpers/db.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';

for (const engine of ENGINES) {
  describe(`employees and organisation (${engine})`, () => {
    let t: TestApp;
    let c: Client;
    const ids: Record<string, string> = {};
    before(async () => {
      t = await createTestApp({ engine });
      c = await signedInAdmin(t);
      ids.acme = (await c.post('/api/companies', { name: 'Acme' })).body.id;
      ids.globex = (await c.post('/api/companies', { name: 'Globex' })).body.id;
      ids.sales = (await c.post(`/api/companies/${ids.acme}/departments`, { name: 'Sales' })).body.id;
      ids.rnd = (await c.post(`/api/companies/${ids.globex}/departments`, { name: 'R&D' })).body.id;
      ids.engineer = (await c.post('/api/positions', { name: 'Engineer' })).body.id;
    });
    after(() => t.close());

    it('creates employees, placing them by department into its company', async () => {
      const res = await c.post('/api/employees', {
        email: 'Zoe.Adams@Corp.Example',
        firstName: 'Zoe',
        lastName: 'Adams',
        departmentId: ids.sales,
        positionId: ids.engineer,
        phone: '+44 20 7946 0000',
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.company.name, 'Acme', 'the company follows from the department');
      assert.equal(res.body.department.name, 'Sales');
      assert.equal(res.body.displayName, 'Zoe Adams');
      ids.zoe = res.body.id;
      const dup = await c.post('/api/employees', { email: 'zoe.adams@corp.example', firstName: 'Z', lastName: 'A' });
      assert.equal(dup.status, 409, 'e-mail is unique without regard to case');
      assert.equal(dup.body.error.code, 'employees.email_in_use');
      const mismatch = await c.post('/api/employees', {
        email: 'x@corp.example',
        firstName: 'X',
        lastName: 'Y',
        companyId: ids.globex,
        departmentId: ids.sales,
      });
      assert.equal(mismatch.body.error.code, 'organisation.department_mismatch');
      const missing = await c.post('/api/employees', {
        email: 'x@corp.example',
        firstName: 'X',
        lastName: 'Y',
        companyId: '00000000-0000-4000-8000-000000000000',
      });
      assert.equal(missing.status, 404);
    });

    it('lists with search, filters, sorting and paging', async () => {
      const people = [
        ['Bob', 'Brown', 'active'],
        ['Cara', 'Clark', 'disabled'],
        ['Dan', 'Davis', 'deactivated'],
        ['Eve', 'Evans', 'active'],
        ['Finn', 'Fox', 'active'],
      ];
      for (const [firstName, lastName, status] of people) {
        const r = await c.post('/api/employees', {
          email: `${firstName.toLowerCase()}@corp.example`,
          firstName,
          lastName,
          status,
          companyId: ids.globex,
          departmentId: lastName === 'Fox' ? ids.rnd : undefined,
        });
        assert.equal(r.status, 201);
      }
      const page1 = await c.get('/api/employees?pageSize=2&page=1');
      assert.equal(page1.body.total, 6);
      assert.deepEqual(
        page1.body.items.map((e: { lastName: string }) => e.lastName),
        ['Adams', 'Brown'],
      );
      const page3 = await c.get('/api/employees?pageSize=2&page=3');
      assert.deepEqual(
        page3.body.items.map((e: { lastName: string }) => e.lastName),
        ['Evans', 'Fox'],
      );
      const desc = await c.get('/api/employees?sort=firstName&order=desc&pageSize=1');
      assert.equal(desc.body.items[0].firstName, 'Zoe');
      assert.equal((await c.get('/api/employees?status=active')).body.total, 4);
      assert.equal((await c.get(`/api/employees?companyId=${ids.globex}`)).body.total, 5);
      assert.equal((await c.get(`/api/employees?departmentId=${ids.rnd}`)).body.items[0].lastName, 'Fox');
      assert.equal((await c.get('/api/employees?q=ev')).body.items[0].lastName, 'Evans', 'search matches names and e-mail');
      assert.equal((await c.get(`/api/employees?q=${encodeURIComponent('Zoe Ad')}`)).body.total, 1, 'search matches the full name');
      assert.equal((await c.get('/api/employees?q=%25')).body.total, 0, 'LIKE wildcards are taken literally');
      const byCompany = await c.get('/api/employees?sort=company');
      assert.equal(byCompany.body.items[0].company.name, 'Acme');
    });

    it('edits an employee and records each change with its old and new value', async () => {
      const res = await c.patch(`/api/employees/${ids.zoe}`, { lastName: 'Adams-Smith', phone: null });
      assert.equal(res.body.lastName, 'Adams-Smith');
      assert.equal(res.body.phone, null);
      const { items } = await t.services.audit.find({ action: 'employee.updated', targetId: ids.zoe }, { offset: 0, limit: 1 });
      assert.deepEqual(items[0].details.changes, { lastName: { from: 'Adams', to: 'Adams-Smith' }, phone: { from: '+44 20 7946 0000', to: null } });
      assert.equal((await c.patch('/api/employees/00000000-0000-4000-8000-000000000000', { firstName: 'x' })).status, 404);
    });

    it("ends all of an employee's sessions at once when the employee is disabled", async () => {
      const s1 = await t.services.sessions.create({
        subjectType: 'employee',
        subjectId: ids.zoe,
        stage: 'full',
        idleSeconds: 600,
        absoluteSeconds: 3600,
        ip: null,
        userAgent: null,
      });
      const s2 = await t.services.sessions.create({
        subjectType: 'employee',
        subjectId: ids.zoe,
        stage: 'full',
        idleSeconds: 600,
        absoluteSeconds: 3600,
        ip: null,
        userAgent: null,
      });
      assert.ok((await t.services.sessions.resolve(s1.token)).session);
      const res = await c.patch(`/api/employees/${ids.zoe}`, { status: 'disabled' });
      assert.equal(res.body.status, 'disabled');
      assert.equal((await t.services.sessions.resolve(s1.token)).session, undefined);
      assert.equal((await t.services.sessions.resolve(s2.token)).session, undefined);
      const { items } = await t.services.audit.find({ action: 'employee.status_changed', targetId: ids.zoe }, { offset: 0, limit: 1 });
      assert.deepEqual(items[0].details, { from: 'active', to: 'disabled' });
    });

    it('keeps companies, departments and positions in use, and renames them', async () => {
      assert.equal((await c.delete(`/api/companies/${ids.acme}`)).body.error.code, 'organisation.in_use');
      assert.equal((await c.delete(`/api/departments/${ids.sales}`)).status, 409);
      assert.equal((await c.delete(`/api/positions/${ids.engineer}`)).status, 409);
      assert.equal((await c.post('/api/companies', { name: 'acme ' })).body.error.code, 'organisation.name_in_use');
      assert.equal((await c.patch(`/api/companies/${ids.acme}`, { name: 'Acme Ltd' })).body.name, 'Acme Ltd');
      const companies = await c.get('/api/companies');
      const acme = companies.body.items.find((x: { id: string }) => x.id === ids.acme);
      assert.equal(acme.employeeCount, 1);
      assert.equal(acme.departments[0].employeeCount, 1);
      assert.equal((await c.delete(`/api/employees/${ids.zoe}`)).status, 204);
      assert.equal((await c.get(`/api/employees/${ids.zoe}`)).status, 404);
      assert.equal((await c.delete(`/api/positions/${ids.engineer}`)).status, 204);
      assert.equal((await c.delete(`/api/companies/${ids.acme}`)).status, 204, 'a company goes with its departments once unused');
      assert.equal((await c.delete(`/api/departments/${ids.sales}`)).status, 404);
    });

    it("removes a deleted employee's passkeys with the employee", async () => {
      const e = (await c.post('/api/employees', { email: 'leaver@corp.example', firstName: 'Lee', lastName: 'Ver' })).body;
      await t.db.database.query(
        `INSERT INTO webauthn_credentials (subject_type, subject_id, credential_id, public_key, aaguid, attachment, name)
        VALUES ('employee', $1, 'cred-of-leaver', 'pk', '00000000-0000-0000-0000-000000000000', 'cross-platform', 'Key')`,
        [e.id],
      );
      assert.equal((await c.delete(`/api/employees/${e.id}`)).status, 204);
      const rows = await t.db.database.query(`SELECT 1 FROM webauthn_credentials WHERE subject_id = $1`, [e.id]);
      assert.equal(rows.length, 0);
    });

    it('counts employees by status on the dashboard', async () => {
      const d = await c.get('/api/dashboard');
      assert.deepEqual(d.body.employees, { total: 5, active: 3, deactivated: 1, disabled: 1 });
      assert.equal(d.body.admins, 1);
      assert.equal(d.body.signInsToday.success, 1);
      assert.equal(d.body.recentEvents.length, 10);
    });
  });
}
