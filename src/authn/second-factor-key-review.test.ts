/**
 * Review of security keys as a second factor: places that ask "does this employee hold a
 * credential?" must not count a key that serves only after the password. A vault reveal stands on
 * the key alone, so an employee whose only credential is a second-factor key must hear that they
 * need a passkey, not be handed a ceremony with no credential in it that no key can finish.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { totpCode } from '../security/totp.js';
import { Client, createTestApp, manualClock, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { createEmployee, DEFAULT_POLICY, givePasswordAndTotp, ORIGIN, setPolicy } from '../../test/helpers/signin.js';
import { SoftAuthenticator } from '../../test/helpers/soft-authenticator.js';

const PASSWORD = 'a long and private passphrase';
const PASSWORD_AND_KEY = { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] } as const satisfies Parameters<typeof setPolicy>[1];

for (const engine of ENGINES) {
  describe(`second-factor keys never stand alone (${engine})`, () => {
    const clock = manualClock(new Date());
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ engine, clock });
    });
    after(() => t.close());
    beforeEach(async () => {
      await setPolicy(t, DEFAULT_POLICY);
      clock.advance(60_000);
    });

    it('refuses a vault reveal to an employee whose only credential is a second-factor key: vault.no_passkey, no ceremony', async () => {
      const employee = await createEmployee(t);
      const seed = await givePasswordAndTotp(t, employee, PASSWORD);
      await setPolicy(t, PASSWORD_AND_KEY);
      clock.advance(30_000);
      const c = new Client(t.app);
      assert.equal((await c.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
      assert.equal((await c.post('/api/signin/totp', { code: totpCode(seed, clock.now().getTime()) })).status, 200);
      const key = new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'], userVerified: false });
      const start = await c.post('/api/portal/credentials/options', { kind: 'second_factor_key' });
      assert.equal(start.status, 200, start.raw);
      const added = await c.post('/api/portal/credentials/verify', {
        ceremonyId: start.body.ceremonyId,
        response: key.register(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(added.status, 200, added.raw);

      const account = await c.post('/api/portal/vault/accounts', { name: 'CRM', password: 'Crm-Pass-42!' });
      assert.equal(account.status, 201, account.raw);
      const options = await c.post(`/api/portal/vault/accounts/${account.body.id}/reveal/options`, { field: 'password' });
      assert.equal(options.status, 409, options.raw);
      assert.equal(options.body.error.code, 'vault.no_passkey');
    });

    it("keeps the policy's user verification for a passkey used as second factor, even when the employee also holds a second-factor key", async () => {
      const employee = await createEmployee(t);
      const seed = await givePasswordAndTotp(t, employee, PASSWORD);
      await setPolicy(t, PASSWORD_AND_KEY);
      clock.advance(30_000);
      const c = new Client(t.app);
      assert.equal((await c.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
      assert.equal((await c.post('/api/signin/totp', { code: totpCode(seed, clock.now().getTime()) })).status, 200);
      const u2f = new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'], userVerified: false });
      const yubikey = new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'] });
      for (const [kind, key] of [
        ['second_factor_key', u2f],
        ['security_key', yubikey],
      ] as const) {
        const start = await c.post('/api/portal/credentials/options', { kind });
        assert.equal(start.status, 200, start.raw);
        const added = await c.post('/api/portal/credentials/verify', {
          ceremonyId: start.body.ceremonyId,
          response: key.register(start.body.options, { origin: ORIGIN }),
        });
        assert.equal(added.status, 200, added.raw);
      }
      // The passkey-class key now answers without its PIN (user verification off): the policy requires it.
      (yubikey.options as { userVerified?: boolean }).userVerified = false;
      const attacker = new Client(t.app);
      assert.equal((await attacker.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
      const start = await attacker.post('/api/signin/second-factor/webauthn/options');
      assert.equal(start.status, 200, start.raw);
      const answer = await attacker.post('/api/signin/second-factor/webauthn/verify', {
        ceremonyId: start.body.ceremonyId,
        response: yubikey.authenticate(start.body.options, { origin: ORIGIN }),
      });
      assert.ok(answer.status >= 400 && answer.status < 500, answer.raw);
      assert.notEqual((await attacker.get('/api/portal/me')).status, 200, 'no full session');
      // The second-factor key itself still answers with presence only.
      const again = await attacker.post('/api/signin/second-factor/webauthn/options');
      const ok = await attacker.post('/api/signin/second-factor/webauthn/verify', {
        ceremonyId: again.body.ceremonyId,
        response: u2f.authenticate(again.body.options, { origin: ORIGIN }),
      });
      assert.equal(ok.status, 200, ok.raw);
    });
  });
}
