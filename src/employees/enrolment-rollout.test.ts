/**
 * The rollout view (issue 16): each employee's enrolment state on GET /api/employees, the
 * `enrolment` filter, and the dashboard's rollout card, over a seeded mix of employees.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../test/helpers/db.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { DEFAULT_POLICY, givePasswordAndTotp, ORIGIN, registerKey, setPolicy } from '../../test/helpers/signin.js';
import { softKeys } from '../../test/helpers/soft-authenticator.js';

type Item = { email: string; enrolment: { state: string; methods: string[] } };

for (const engine of ENGINES) {
  describe(`rollout view (${engine})`, () => {
    let t: TestApp;
    let c: Client;
    const ids: Record<string, string> = {};

    before(async () => {
      t = await createTestApp({ engine });
      c = await signedInAdmin(t);
      await setPolicy(t, { ...DEFAULT_POLICY, allowPlatform: true });
      const acme = (await c.post('/api/companies', { name: 'Acme' })).body.id;
      ids.sales = (await c.post(`/api/companies/${acme}/departments`, { name: 'Sales' })).body.id;
      ids.rnd = (await c.post(`/api/companies/${acme}/departments`, { name: 'R&D' })).body.id;
      const add = async (name: string, departmentId?: string, status?: string) => {
        const r = await c.post('/api/employees', { email: `${name}@corp.example`, firstName: name, lastName: 'Test', departmentId, status });
        assert.equal(r.status, 201, r.raw);
        ids[name] = r.body.id;
        return r.body;
      };
      const invite = async (name: string) => {
        const r = await c.post(`/api/employees/${ids[name]}/invitations`);
        assert.equal(r.status, 201, r.raw);
        return r.body.id as string;
      };
      await add('nora', ids.sales); // never invited
      await add('ian', ids.sales); // invited, link open
      await invite('ian');
      await add('eli', ids.rnd); // invited, link expired
      await invite('eli');
      await t.db.database.query("UPDATE invitations SET expires_at = now() - interval '1 day' WHERE employee_id = $1", [ids.eli]);
      await add('rex'); // invited, link revoked
      const rexInvitation = await invite('rex');
      assert.equal((await c.delete(`/api/invitations/${rexInvitation}`)).status, 204);
      const pam = await add('pam', ids.rnd); // a synced passkey
      await registerKey(t, pam, softKeys.icloud(), 'passkey');
      const sam = await add('sam'); // invited, then a security key (the open link does not matter any more)
      await invite('sam');
      await registerKey(t, sam, softKeys.yubikey(), 'security_key');
      await add('dee', ids.sales, 'deactivated'); // listed, but not counted in the rollout
      const tom = await add('tom'); // TOTP only: not a passwordless sign-in, so not enrolled (the used invitation asks for a new one)
      await invite('tom');
      await givePasswordAndTotp(t, tom, 'a long enough password 1!');
      await t.db.database.query('UPDATE invitations SET used_at = now() WHERE employee_id = $1', [ids.tom]);
      // kim's only credential is on a hardware key that was then suspended: it cannot sign in, so kim is not enrolled.
      await add('kim', ids.rnd);
      const csv = 'serial,model,aaguid\nROLL-1,YubiKey 5 NFC,ee882879-721c-4913-9775-3dfcce97072a';
      assert.equal((await c.post('/api/hardware-keys/import', { csv })).body.created, 1);
      const keyId = (await c.get('/api/hardware-keys?q=ROLL-1')).body.items[0].id;
      const reserved = await c.post(`/api/hardware-keys/${keyId}/transitions`, { to: 'reserved', reason: 'issue to Kim', employeeId: ids.kim });
      assert.equal(reserved.status, 200, reserved.raw);
      const email = 'kim@corp.example';
      const kimClient = new Client(t.app);
      const start = await kimClient.post('/api/enroll/activation/options', { email, code: reserved.body.activationCode });
      assert.equal(start.status, 200, start.raw);
      const activated = await kimClient.post('/api/enroll/activation/verify', {
        email,
        code: reserved.body.activationCode,
        ceremonyId: start.body.ceremonyId,
        response: softKeys.yubikey().register(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(activated.status, 200, activated.raw);
      ids.kimKey = keyId;
      const suspended = await c.post(`/api/hardware-keys/${keyId}/transitions`, { to: 'suspended', reason: 'left at home' });
      assert.equal(suspended.status, 200, suspended.raw);
    });
    after(() => t.close());

    const list = async (query = '') => {
      const r = await c.get(`/api/employees?pageSize=50&sort=email${query}`);
      assert.equal(r.status, 200, r.raw);
      return r.body as { items: Item[]; total: number };
    };
    const names = (items: Item[]) => items.map((i) => i.email.split('@')[0]);

    it('shows every employee their enrolment state and methods', async () => {
      const { items } = await list();
      assert.deepEqual(Object.fromEntries(items.map((i) => [i.email.split('@')[0], i.enrolment])), {
        dee: { state: 'never_invited', methods: [] },
        eli: { state: 'invitation_expired', methods: [] },
        ian: { state: 'invited', methods: [] },
        nora: { state: 'never_invited', methods: [] },
        pam: { state: 'enrolled', methods: ['passkey'] },
        kim: { state: 'never_invited', methods: [] },
        rex: { state: 'never_invited', methods: [] },
        sam: { state: 'enrolled', methods: ['security_key'] },
        tom: { state: 'invitation_expired', methods: ['totp'] },
      });
    });

    it('filters by each state, with the total and the other filters', async () => {
      const expected = { never_invited: ['dee', 'kim', 'nora', 'rex'], invited: ['ian'], invitation_expired: ['eli', 'tom'], enrolled: ['pam', 'sam'] };
      for (const [state, who] of Object.entries(expected)) {
        const page = await list(`&enrolment=${state}`);
        assert.deepEqual(names(page.items), who, state);
        assert.equal(page.total, who.length, `${state}: the total counts the filtered rows`);
      }
      assert.deepEqual(names((await list(`&enrolment=never_invited&status=active`)).items), ['kim', 'nora', 'rex']);
      assert.deepEqual(names((await list(`&enrolment=enrolled&departmentId=${ids.rnd}`)).items), ['pam']);
      const paged = await c.get('/api/employees?enrolment=invitation_expired&pageSize=1&page=2&sort=email');
      assert.deepEqual(names(paged.body.items), ['tom']);
      assert.equal(paged.body.total, 2);
    });

    it('answers 400 to an unknown state', async () => {
      const r = await c.get('/api/employees?enrolment=half_done');
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'request.validation_failed');
    });

    it('follows the data: removing the key brings the open invitation back', async () => {
      const keys = await c.get(`/api/employees/${ids.sam}/credentials`);
      assert.equal(keys.status, 200, keys.raw);
      for (const k of keys.body.items) assert.equal((await c.delete(`/api/employees/${ids.sam}/credentials/${k.id}`)).status, 204);
      assert.deepEqual((await list('&q=sam')).items[0].enrolment, { state: 'invited', methods: [] }, 'the open invitation shows again once the key is gone');
      await registerKey(t, (await c.get(`/api/employees/${ids.sam}`)).body, softKeys.yubikey(), 'security_key');
      assert.deepEqual((await list('&q=sam')).items[0].enrolment, { state: 'enrolled', methods: ['security_key'] });
    });

    it('counts a credential again once its key is Active again', async () => {
      const resumed = await c.post(`/api/hardware-keys/${ids.kimKey}/transitions`, { to: 'active', reason: 'found it' });
      assert.equal(resumed.status, 200, resumed.raw);
      assert.deepEqual((await list('&q=kim')).items[0].enrolment, { state: 'enrolled', methods: ['security_key'] });
      const again = await c.post(`/api/hardware-keys/${ids.kimKey}/transitions`, { to: 'suspended', reason: 'lost again' });
      assert.equal(again.status, 200, again.raw);
      assert.deepEqual((await list('&q=kim')).items[0].enrolment, { state: 'never_invited', methods: [] });
    });

    it('counts the rollout among active employees on the dashboard, overall and by department', async () => {
      const r = await c.get('/api/dashboard');
      assert.equal(r.status, 200, r.raw);
      const { rollout } = r.body;
      assert.deepEqual(
        { total: rollout.total, enrolledPercent: rollout.enrolledPercent, counts: rollout.counts },
        { total: 8, enrolledPercent: 25, counts: { enrolled: 2, invited: 1, invitation_expired: 2, never_invited: 3 } },
      );
      assert.deepEqual(rollout.byDepartment, [
        {
          department: { id: ids.rnd, name: 'R&D' },
          total: 3,
          enrolledPercent: 33,
          counts: { enrolled: 1, invited: 0, invitation_expired: 1, never_invited: 1 },
        },
        { department: null, total: 3, enrolledPercent: 33, counts: { enrolled: 1, invited: 0, invitation_expired: 1, never_invited: 1 } },
        {
          department: { id: ids.sales, name: 'Sales' },
          total: 2,
          enrolledPercent: 0,
          counts: { enrolled: 0, invited: 1, invitation_expired: 0, never_invited: 1 },
        },
      ]);
    });
  });
}
