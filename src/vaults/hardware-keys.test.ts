import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { createEmployee } from '../../test/helpers/signin.js';
import { cliContext } from '../lib/context.js';
import { allowedTransitions, hardwareKeyStates, type HardwareKeyState } from './hardware-key.states.js';

/**
 * The hardware key lifecycle through the API on both engines: the whole state machine walked
 * table-driven (every allowed transition made, every forbidden one refused with 409 and the
 * allowed list), history and audit, filters, bulk actions and the reset confirmation.
 */
const YUBIKEY = 'ee882879-721c-4913-9775-3dfcce97072a';

for (const engine of ENGINES) {
  describe(`hardware key lifecycle (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let employeeId: string;
    let serial = 0;

    /** A new Ready key, imported. */
    async function readyKey(batch = 'B-1'): Promise<string> {
      serial++;
      const res = await admin.post('/api/hardware-keys/import', { csv: `KEY-${engine}-${serial},YubiKey 5 NFC,${YUBIKEY},,${batch}` });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.created, 1, res.raw);
      const list = await admin.get(`/api/hardware-keys?q=KEY-${engine}-${serial}`);
      return list.body.items.find((k: { serial: string }) => k.serial === `KEY-${engine}-${serial}`).id;
    }

    const move = (id: string, to: HardwareKeyState, extra: Record<string, unknown> = {}) =>
      admin.post(`/api/hardware-keys/${id}/transitions`, { to, reason: `test: to ${to}`, ...extra });

    /** Activation is the system's (the employee's code): tests reach Active through the service. */
    const activate = (id: string) =>
      t.services.db.transaction((tx) => t.services.hardwareKeys.applyTransition(cliContext(), tx, id, { to: 'active', reason: 'test activation' }, 'system'));

    /** A key in `state`, reached by allowed transitions only. */
    async function keyIn(state: HardwareKeyState): Promise<string> {
      const id = await readyKey();
      const ok = async (to: HardwareKeyState, extra = {}) => assert.equal((await move(id, to, extra)).status, 200, `to ${to}`);
      if (state === 'ready') return id;
      if (state === 'compromised') {
        await ok('compromised');
        return id;
      }
      await ok('reserved', { employeeId });
      if (state === 'reserved') return id;
      await activate(id);
      if (state === 'active') return id;
      if (state === 'suspended') await ok('suspended');
      if (state === 'locked') await ok('locked');
      if (state === 'deactivated') await ok('deactivated');
      return id;
    }

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      employeeId = (await createEmployee(t)).id;
    });
    after(() => t.close());

    for (const from of hardwareKeyStates) {
      const allowed = allowedTransitions(from, 'admin').map((tr) => tr.to);
      for (const to of hardwareKeyStates) {
        const isAllowed = allowed.includes(to);
        it(`${isAllowed ? 'moves' : 'refuses to move'} a ${from} key to ${to}`, async () => {
          const id = await keyIn(from);
          const extra = to === 'reserved' ? { employeeId } : from === 'deactivated' && to === 'ready' ? { resetConfirmed: true } : {};
          const res = await move(id, to, extra);
          if (isAllowed) {
            assert.equal(res.status, 200, res.raw);
            assert.equal(res.body.key.state, to);
            const detail = (await admin.get(`/api/hardware-keys/${id}`)).body;
            assert.equal(detail.state, to);
            assert.deepEqual(
              { from: detail.history[0].from, to: detail.history[0].to, reason: detail.history[0].reason, actor: detail.history[0].actor.type },
              { from, to, reason: `test: to ${to}`, actor: 'admin' },
            );
            assert.deepEqual(
              detail.allowedTransitions.map((a: { to: string }) => a.to),
              allowedTransitions(to, 'admin').map((a) => a.to),
            );
            if (to === 'reserved') assert.match(res.body.activationCode, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
            else assert.equal(res.body.activationCode, undefined);
          } else {
            assert.equal(res.status, 409, res.raw);
            assert.equal(res.body.error.code, 'hardware_keys.transition_not_allowed');
            assert.equal(res.body.error.details.from, from);
            assert.deepEqual(
              res.body.error.details.allowed.map((a: { to: string }) => a.to),
              allowed,
            );
            assert.equal((await admin.get(`/api/hardware-keys/${id}`)).body.state, from, 'nothing changed');
            const audit = await admin.get('/api/audit?action=hardware_key.transition_refused&pageSize=1');
            assert.equal(audit.body.items[0]?.details?.to, to);
          }
        });
      }
    }

    it('never lets a compromised key out again, and only the system activates a reserved key', async () => {
      const id = await keyIn('compromised');
      assert.deepEqual((await admin.get(`/api/hardware-keys/${id}`)).body.allowedTransitions, []);
      const reserved = await keyIn('reserved');
      const res = await move(reserved, 'active');
      assert.equal(res.status, 409);
      assert.deepEqual(
        res.body.error.details.allowed.map((a: { to: string }) => a.to),
        ['ready', 'locked', 'compromised'],
      );
    });

    it('returns a deactivated key to stock only after the admin confirms the reset, and records who confirmed', async () => {
      const id = await keyIn('deactivated');
      const detail = (await admin.get(`/api/hardware-keys/${id}`)).body;
      assert.ok(detail.resetSteps.length >= 3);
      const refused = await move(id, 'ready');
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'hardware_keys.reset_not_confirmed');
      const ok = await admin.post(`/api/hardware-keys/${id}/reset-confirmation`, { reason: 'reset with ykman fido reset' });
      assert.equal(ok.status, 200, ok.raw);
      assert.equal(ok.body.key.state, 'ready');
      assert.equal(ok.body.key.employeeId, null, 'back in stock, nobody holds it');
      const last = (await admin.get(`/api/hardware-keys/${id}`)).body.history[0];
      assert.equal(last.actor.label, 'root@corp.example');
      assert.equal(last.reason, 'reset with ykman fido reset');
    });

    it('refuses to reserve without an employee or for an inactive one', async () => {
      const id = await readyKey();
      assert.equal((await move(id, 'reserved')).body.error.code, 'hardware_keys.employee_required');
      const gone = await createEmployee(t, { status: 'disabled' });
      assert.equal((await move(id, 'reserved', { employeeId: gone.id })).body.error.code, 'hardware_keys.employee_inactive');
      assert.equal((await admin.get(`/api/hardware-keys/${id}`)).body.state, 'ready');
    });

    it('reserves and suspends in bulk, each key on its own', async () => {
      const a = await readyKey('BULK');
      const b = await readyKey('BULK');
      const c = await keyIn('compromised');
      const reserve = await admin.post('/api/hardware-keys/bulk/reserve', {
        reason: 'new starters',
        items: [a, b, c].map((keyId) => ({ keyId, employeeId })),
      });
      assert.equal(reserve.status, 200, reserve.raw);
      assert.deepEqual(
        reserve.body.items.map((i: { status: string }) => i.status),
        ['done', 'done', 'refused'],
      );
      assert.equal(reserve.body.items[2].error.code, 'hardware_keys.transition_not_allowed');
      assert.ok(reserve.body.items[0].activationCode);
      await activate(a);
      const suspend = await admin.post('/api/hardware-keys/bulk/suspend', { reason: 'investigation', keyIds: [a, b] });
      assert.deepEqual(
        suspend.body.items.map((i: { status: string }) => i.status),
        ['done', 'refused'],
      );
      const list = await admin.get('/api/hardware-keys?batch=BULK&state=suspended');
      assert.deepEqual(
        list.body.items.map((k: { id: string }) => k.id),
        [a],
      );
    });

    it('lists by state, employee, model, batch and serial', async () => {
      const id = await keyIn('reserved');
      const key = (await admin.get(`/api/hardware-keys/${id}`)).body;
      const ids = async (q: string) => (await admin.get(`/api/hardware-keys?pageSize=500&${q}`)).body.items.map((k: { id: string }) => k.id);
      assert.ok((await ids(`state=reserved&employeeId=${employeeId}`)).includes(id));
      assert.ok(!(await ids('state=ready')).includes(id));
      assert.ok((await ids('model=yubikey%205')).includes(id));
      const found = (await admin.get(`/api/hardware-keys?q=${key.serial}`)).body.items;
      assert.ok(found.some((k: { id: string }) => k.id === id));
      assert.ok(found.every((k: { serial: string }) => k.serial.includes(key.serial)));
      assert.equal((await admin.get('/api/hardware-keys?state=lost')).status, 400);
    });

    it('counts keys by state on the dashboard, every state present', async () => {
      const before = (await admin.get('/api/dashboard')).body.hardwareKeys;
      assert.deepEqual(Object.keys(before).sort(), [...hardwareKeyStates].sort());
      await keyIn('suspended');
      const after = (await admin.get('/api/dashboard')).body.hardwareKeys;
      const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
      assert.equal(after.suspended, before.suspended + 1);
      assert.equal(total(after), total(before) + 1, 'one more key, in one state');
    });

    it('answers 404 for an unknown key', async () => {
      const res = await move('00000000-0000-4000-8000-000000000000', 'reserved', { employeeId });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'hardware_keys.not_found');
    });
  });
}
