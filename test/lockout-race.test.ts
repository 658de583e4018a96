/**
 * Per-account lockout under concurrency (src/security/lockout.ts), on both engines: 30 guesses at
 * once verify at most lockoutThreshold of them (counted in the audit log), the right password or
 * code is refused while the account is locked, and works again once the lockout ends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../src/lib/context.js';
import { totpCode } from '../src/security/totp.js';
import { ENGINES } from './helpers/db.js';
import { ADMIN, Client, createTestApp, enableTotp, manualClock, signedInAdmin, type TestApp } from './helpers/app.js';
import { createEmployee, givePasswordAndTotp, ORIGIN, passkeySignIn, registerKey, setPolicy } from './helpers/signin.js';
import { softKeys } from './helpers/soft-authenticator.js';

const GUESSES = 30;
const PASSWORD = 'a long and private passphrase';

for (const engine of ENGINES) {
  describe(`lockout under concurrency (${engine})`, () => {
    const clock = manualClock(new Date());
    let t: TestApp;
    let threshold: number;
    let lockoutMs: number;
    before(async () => {
      t = await createTestApp({ engine, clock });
      const s = await t.services.settings.get();
      threshold = s.lockoutThreshold;
      lockoutMs = s.lockoutMinutes * 60_000;
      await setPolicy(t, { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] });
    });
    after(() => t.close());

    const audits = async (action: string, targetId: string) => (await t.services.audit.find({ action, targetId }, { offset: 0, limit: 500 })).items;
    const reasons = async (action: string, targetId: string, reason: string) =>
      (await audits(action, targetId)).filter((e) => e.outcome === 'failure' && e.details.reason === reason).length;
    const inParallel = <T>(n: number, run: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => run(i)));
    /** A code that is not the current one (nor a neighbour the verifier would accept). */
    const wrongCode = (seed: string, i: number) => {
      const right = new Set([-30_000, 0, 30_000].map((d) => totpCode(seed, clock.now().getTime() + d)));
      let candidate = String(100_000 + i * 7919).padStart(6, '0');
      while (right.has(candidate)) candidate = String((Number(candidate) + 1) % 1_000_000).padStart(6, '0');
      return candidate;
    };

    it('checks at most lockoutThreshold of 30 simultaneous wrong admin passwords, then refuses the right one until the lockout ends', async () => {
      const who = { email: `race.${engine}@corp.example`, name: 'Race', password: 'correct horse battery staple' };
      await t.services.admins.create(cliContext(), who);
      const admin = (await t.services.admins.findByEmail(who.email))!;
      const answers = await inParallel(GUESSES, (i) => new Client(t.app).post('/api/auth/login', { email: who.email, password: `wrong guess ${i}` }));
      assert.ok(
        answers.every((a) => a.status === 401 && a.body.error.code === 'auth.invalid_credentials'),
        'every guess reads the same',
      );
      const checked = await reasons('admin.sign_in', admin.id, 'wrong password');
      assert.ok(checked >= 1 && checked <= threshold, `${checked} passwords verified, at most ${threshold}`);
      assert.equal(await reasons('admin.sign_in', admin.id, 'locked'), GUESSES - checked, 'the rest were refused as locked, unverified');
      assert.equal((await audits('admin.locked', admin.id)).length, 1, 'locked once');

      const right = await new Client(t.app).post('/api/auth/login', { email: who.email, password: who.password });
      assert.equal(right.status, 401, 'the right password is refused while locked');
      assert.deepEqual(right.body, answers[0].body);
      clock.advance(lockoutMs + 1000);
      assert.equal((await new Client(t.app).post('/api/auth/login', { email: who.email, password: who.password })).status, 200);
    });

    it('checks at most lockoutThreshold of 30 simultaneous wrong admin TOTP codes, then refuses the right one until the lockout ends', async () => {
      const c = await signedInAdmin(t, { ...ADMIN, email: `totp.${engine}@corp.example` });
      const seed = await enableTotp(c, clock);
      const admin = (await t.services.admins.findByEmail(`totp.${engine}@corp.example`))!;
      clock.advance(60_000);
      const partial = new Client(t.app);
      assert.equal((await partial.post('/api/auth/login', { email: admin.email, password: ADMIN.password })).body.status, 'totp_required');
      const answers = await inParallel(GUESSES, (i) => partial.post('/api/auth/login/totp', { code: wrongCode(seed, i) }));
      assert.ok(answers.every((a) => a.status === 401 && a.body.error.code === 'auth.invalid_totp'));
      const checked = await reasons('admin.sign_in_totp', admin.id, 'wrong totp code');
      assert.ok(checked >= 1 && checked <= threshold, `${checked} codes verified, at most ${threshold}`);
      assert.equal((await audits('admin.locked', admin.id)).length, 1);
      const right = await partial.post('/api/auth/login/totp', { code: totpCode(seed, clock.now().getTime()) });
      assert.equal(right.status, 401, 'the right code is refused while locked');
      assert.deepEqual(right.body, answers[0].body);
      assert.equal((await new Client(t.app).post('/api/auth/login', { email: admin.email, password: ADMIN.password })).status, 401, 'the password too');

      clock.advance(lockoutMs + 60_000);
      const again = new Client(t.app);
      assert.equal((await again.post('/api/auth/login', { email: admin.email, password: ADMIN.password })).body.status, 'totp_required');
      assert.equal((await again.post('/api/auth/login/totp', { code: totpCode(seed, clock.now().getTime()) })).status, 200);
    });

    it('checks at most lockoutThreshold of 30 simultaneous wrong employee passwords, then refuses the right one until the lockout ends', async () => {
      const employee = await createEmployee(t);
      const seed = await givePasswordAndTotp(t, employee, PASSWORD);
      const answers = await inParallel(GUESSES, (i) => new Client(t.app).post('/api/signin/password', { email: employee.email, password: `wrong guess ${i}` }));
      assert.ok(answers.every((a) => a.status === 401 && a.body.error.code === 'signin.invalid_credentials'));
      const checked = await reasons('employee.sign_in', employee.id, 'wrong password');
      assert.ok(checked >= 1 && checked <= threshold, `${checked} passwords verified, at most ${threshold}`);
      assert.equal((await audits('employee.locked', employee.id)).length, 1);
      const right = await new Client(t.app).post('/api/signin/password', { email: employee.email, password: PASSWORD });
      assert.equal(right.status, 401, 'the right password is refused while locked');
      assert.deepEqual(right.body, answers[0].body);

      clock.advance(lockoutMs + 60_000);
      const again = new Client(t.app);
      assert.equal((await again.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
      assert.equal((await again.post('/api/signin/totp', { code: totpCode(seed, clock.now().getTime()) })).status, 200);
    });

    it('checks at most lockoutThreshold of 30 simultaneous wrong employee TOTP codes, and a locked account cannot finish with its passkey either', async () => {
      const employee = await createEmployee(t);
      const seed = await givePasswordAndTotp(t, employee, PASSWORD);
      const key = softKeys.yubikey();
      await registerKey(t, employee, key);
      clock.advance(60_000);
      const partial = new Client(t.app);
      assert.deepEqual((await partial.post('/api/signin/password', { email: employee.email, password: PASSWORD })).body.methods, ['totp', 'passkey']);
      const answers = await inParallel(GUESSES, (i) => partial.post('/api/signin/totp', { code: wrongCode(seed, i) }));
      assert.ok(answers.every((a) => a.status === 401 && a.body.error.code === 'signin.invalid_totp'));
      const checked = await reasons('employee.sign_in', employee.id, 'wrong totp code');
      assert.ok(checked >= 1 && checked <= threshold, `${checked} codes verified, at most ${threshold}`);
      assert.equal((await audits('employee.locked', employee.id)).length, 1);
      assert.equal(
        (await partial.post('/api/signin/totp', { code: totpCode(seed, clock.now().getTime()) })).status,
        401,
        'the right code is refused while locked',
      );
      const start = await partial.post('/api/signin/second-factor/webauthn/options');
      const passkey = await partial.post('/api/signin/second-factor/webauthn/verify', {
        ceremonyId: start.body.ceremonyId,
        response: key.authenticate(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(passkey.status, 401, 'the second-factor passkey does not get round the lockout');
      assert.equal((await audits('employee.sign_in', employee.id)).filter((e) => e.details.method === 'password+passkey')[0].details.reason, 'locked');

      clock.advance(lockoutMs + 60_000);
      const again = new Client(t.app);
      assert.equal((await again.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
      const next = await again.post('/api/signin/second-factor/webauthn/options');
      const ok = await again.post('/api/signin/second-factor/webauthn/verify', {
        ceremonyId: next.body.ceremonyId,
        response: key.authenticate(next.body.options, { origin: ORIGIN }),
      });
      assert.equal(ok.status, 200, ok.raw);
    });

    it("puts a signed-in person's own password checks (admin password change, TOTP off; portal password change) inside the same lockout", async () => {
      const who = { email: `own.${engine}@corp.example`, name: 'Own', password: 'my own long password' };
      const c = await signedInAdmin(t, who);
      const admin = (await t.services.admins.findByEmail(who.email))!;
      const answers = await inParallel(GUESSES, (i) =>
        i % 2
          ? c.post('/api/auth/password', { currentPassword: `wrong ${i}`, newPassword: 'a brand new long password' })
          : c.post('/api/auth/totp/disable', { password: `wrong ${i}` }),
      );
      assert.ok(answers.every((a) => a.status === 401 && a.body.error.code === 'auth.invalid_credentials'));
      const checked = (await audits('admin.password_changed', admin.id))
        .concat(await audits('admin.totp_disabled', admin.id))
        .filter((e) => e.details.reason === 'wrong current password').length;
      assert.ok(checked >= 1 && checked <= threshold, `${checked} passwords verified, at most ${threshold}`);
      assert.equal(
        (await c.post('/api/auth/password', { currentPassword: who.password, newPassword: 'a brand new long password' })).status,
        401,
        'refused while locked',
      );
      assert.equal(
        (await new Client(t.app).post('/api/auth/login', { email: who.email, password: who.password })).status,
        401,
        'and the sign-in is locked too',
      );

      const employee = await createEmployee(t);
      await givePasswordAndTotp(t, employee, PASSWORD);
      const portal = new Client(t.app);
      const key = softKeys.yubikey();
      await registerKey(t, employee, key);
      assert.equal((await passkeySignIn(portal, key)).status, 200);
      const changes = await inParallel(GUESSES, (i) =>
        portal.post('/api/portal/password', { currentPassword: `wrong ${i}`, newPassword: 'another long passphrase' }),
      );
      assert.ok(changes.every((a) => a.status === 401));
      const portalChecked = (await audits('employee.password_changed', employee.id)).filter((e) => e.details.reason === 'wrong current password').length;
      assert.ok(portalChecked >= 1 && portalChecked <= threshold, `${portalChecked} passwords verified, at most ${threshold}`);
      assert.equal(
        (await portal.post('/api/portal/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' })).status,
        401,
        'refused while locked',
      );
    });
  });
}
