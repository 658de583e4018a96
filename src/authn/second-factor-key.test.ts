/**
 * Security keys as a second factor (issue 15 part 6): an employee enrolls a key as a
 * non-discoverable credential (a U2F-era key without PIN serves), and it is accepted only after
 * the password, never as a passwordless sign-in or a first factor. Driven through the API as an
 * attacker would: before the password, with another employee's key, on the passwordless path.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { totpCode } from '../security/totp.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { createEmployee, DEFAULT_POLICY, givePasswordAndTotp, ORIGIN, setPolicy } from '../../test/helpers/signin.js';
import { SoftAuthenticator, softKeys } from '../../test/helpers/soft-authenticator.js';
import type { EmployeeDto } from '../employees/employee.schemas.js';

const PASSWORD = 'a long and private passphrase';
const PASSWORD_AND_KEY = { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] } as const satisfies Parameters<typeof setPolicy>[1];

/** A U2F-only security key: roaming, no PIN (no user verification), cannot keep a discoverable credential. */
const u2fKey = () => new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'], userVerified: false });
const idOf = (key: SoftAuthenticator, i = 0) => key.credentials[i].id.toString('base64url');

for (const engine of ENGINES) {
  describe(`security keys as a second factor after the password (${engine})`, () => {
    const clock = manualClock(new Date());
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ engine, clock });
    });
    after(() => t.close());
    beforeEach(async () => {
      await setPolicy(t, DEFAULT_POLICY);
      clock.advance(60_000); // a new TOTP step for every test
    });

    const audits = async (action: string, employeeId: string) =>
      (await t.services.audit.find({ action, targetId: employeeId }, { offset: 0, limit: 50 })).items;

    /** A full portal session of the employee, by password and TOTP. */
    async function portalSession(employee: EmployeeDto, seed: string): Promise<Client> {
      clock.advance(30_000); // past the TOTP step that enrolment used
      const c = new Client(t.app);
      assert.equal((await c.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
      const done = await c.post('/api/signin/totp', { code: totpCode(seed, clock.now().getTime()) });
      assert.equal(done.status, 200, done.raw);
      return c;
    }

    /** An employee with a password and a U2F key enrolled as second factor in the portal. */
    async function enrolled() {
      const employee = await createEmployee(t);
      const seed = await givePasswordAndTotp(t, employee, PASSWORD);
      await setPolicy(t, PASSWORD_AND_KEY);
      const portal = await portalSession(employee, seed);
      const key = u2fKey();
      const start = await portal.post('/api/portal/credentials/options', { kind: 'second_factor_key' });
      assert.equal(start.status, 200, start.raw);
      const added = await portal.post('/api/portal/credentials/verify', {
        ceremonyId: start.body.ceremonyId,
        response: key.register(start.body.options, { origin: ORIGIN }),
        name: 'Old U2F key',
      });
      assert.equal(added.status, 200, added.raw);
      clock.advance(60_000);
      return { employee, seed, key, portal, start, added };
    }

    it('enrolls a U2F-style key as a non-discoverable second factor, and lists it as such to the employee and the admin', async () => {
      const { employee, portal, start, added } = await enrolled();
      const selection = start.body.options.authenticatorSelection;
      assert.equal(selection.residentKey, 'discouraged', 'no discoverable credential asked for');
      assert.notEqual(selection.requireResidentKey, true);
      assert.equal(selection.userVerification, 'discouraged', 'a key without PIN can answer');
      assert.equal(selection.authenticatorAttachment, 'cross-platform');
      assert.equal(added.body.type, 'second_factor_key');
      assert.equal((await portal.get('/api/portal/credentials')).body.items[0].type, 'second_factor_key');
      assert.equal((await portal.get('/api/portal/me')).body.policy.allowSecondFactorKeys, true);
      const admin = await signedInAdmin(t);
      const listed = await admin.get(`/api/employees/${employee.id}/credentials`);
      assert.equal(listed.body.items[0].type, 'second_factor_key');
      const [registered] = await audits('employee.credential_registered', employee.id);
      assert.equal(registered.details.isSecondFactorOnly, true);
    });

    it('signs in with the password, then the key named in allowCredentials, asking only for presence', async () => {
      const { employee, key } = await enrolled();
      const c = new Client(t.app);
      const first = await c.post('/api/signin/password', { email: employee.email, password: PASSWORD });
      assert.deepEqual(first.body.methods, ['totp', 'passkey']);
      const start = await c.post('/api/signin/second-factor/webauthn/options');
      assert.equal(start.status, 200, start.raw);
      assert.deepEqual(
        start.body.options.allowCredentials.map((x: { id: string }) => x.id),
        [idOf(key)],
      );
      assert.equal(start.body.options.userVerification, 'discouraged');
      const ok = await c.post('/api/signin/second-factor/webauthn/verify', {
        ceremonyId: start.body.ceremonyId,
        response: key.authenticate(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(ok.status, 200, ok.raw);
      assert.equal((await c.get('/api/portal/me')).status, 200);
      assert.equal((await audits('employee.sign_in', employee.id))[0].details.method, 'password+passkey');
    });

    it('refuses the key before the password: no second-factor ceremony without a partial session, and none carried to another client', async () => {
      const { employee, key } = await enrolled();
      const stranger = new Client(t.app);
      const noSession = await stranger.post('/api/signin/second-factor/webauthn/options');
      assert.equal(noSession.status, 401, noSession.raw);
      // A ceremony started after a password, replayed by a client that never gave it.
      const halfway = new Client(t.app);
      await halfway.post('/api/signin/password', { email: employee.email, password: PASSWORD });
      const start = await halfway.post('/api/signin/second-factor/webauthn/options');
      const response = key.authenticate(start.body.options, { origin: ORIGIN });
      const replayed = await stranger.post('/api/signin/second-factor/webauthn/verify', { ceremonyId: start.body.ceremonyId, response });
      assert.equal(replayed.status, 401, replayed.raw);
      // Nor does the second-factor ceremony stand in for a passwordless one.
      const crossed = await stranger.post('/api/signin/webauthn/verify', { ceremonyId: start.body.ceremonyId, response });
      assert.equal(crossed.body.error.code, 'webauthn.challenge_invalid');
      assert.equal((await stranger.get('/api/portal/me')).status, 401);
    });

    it('refuses the non-discoverable key on the passwordless path, username-less or e-mail first, audited', async () => {
      const { employee, key } = await enrolled();
      const c = new Client(t.app);
      const usernameless = await c.post('/api/signin/webauthn/options', {});
      const refused = await c.post('/api/signin/webauthn/verify', {
        ceremonyId: usernameless.body.ceremonyId,
        response: key.authenticate(usernameless.body.options, { origin: ORIGIN }),
      });
      assert.equal(refused.status, 403, refused.raw);
      assert.equal(refused.body.error.code, 'webauthn.second_factor_only');
      assert.match(refused.body.error.message, /password first/);
      assert.equal((await c.get('/api/portal/me')).status, 401, 'no session');

      const emailFirst = await c.post('/api/signin/webauthn/options', { email: employee.email });
      const offered = emailFirst.body.options.allowCredentials.map((x: { id: string }) => x.id);
      assert.ok(!offered.includes(idOf(key)), 'the e-mail-first options do not name the second-factor key');
      const forced = await c.post('/api/signin/webauthn/verify', {
        ceremonyId: emailFirst.body.ceremonyId,
        response: key.authenticate(emailFirst.body.options, { origin: ORIGIN, credentialId: idOf(key) }),
      });
      assert.equal(forced.body.error.code, 'webauthn.second_factor_only');
      assert.equal((await c.get('/api/portal/me')).status, 401);
      const failures = (await audits('employee.sign_in', employee.id)).filter((e) => e.outcome === 'failure');
      assert.ok(failures.filter((e) => e.details.reason === 'webauthn.second_factor_only').length >= 1, JSON.stringify(failures));
      const credential = (await t.services.webauthn.list('employee', employee.id))[0];
      assert.equal(credential.lastUsedAt, null, 'a refused use is not recorded as a use');
      // Nor as the presence proof of a vault reveal or a workstation delivery, which stand on the key alone.
      for (const purpose of ['vault_reveal', 'workstation_delivery'] as const) {
        const started = await t.services.webauthn.startAuthentication({ purpose, subjectType: 'employee', subjectId: employee.id });
        assert.deepEqual(started.options.allowCredentials, [], purpose);
      }
      // Nor does it make the employee eligible for portal delivery of a rotated domain password.
      assert.equal((await t.services.webauthn.holders('employee', [employee.id], { standalone: true })).size, 0);
      assert.equal((await t.services.webauthn.holders('employee', [employee.id])).size, 1);
    });

    it("refuses another employee's second-factor key after this employee's password", async () => {
      const { employee } = await enrolled();
      const other = await enrolled();
      const c = new Client(t.app);
      await c.post('/api/signin/password', { email: employee.email, password: PASSWORD });
      const start = await c.post('/api/signin/second-factor/webauthn/options');
      assert.ok(!start.body.options.allowCredentials.some((x: { id: string }) => x.id === idOf(other.key)));
      const foreign = await c.post('/api/signin/second-factor/webauthn/verify', {
        ceremonyId: start.body.ceremonyId,
        response: other.key.authenticate({ challenge: start.body.options.challenge, rpId: 'localhost' }, { origin: ORIGIN }),
      });
      assert.equal(foreign.status, 401, foreign.raw);
      assert.equal(foreign.body.error.code, 'webauthn.credential_unknown');
      assert.equal((await c.get('/api/portal/me')).status, 403, 'still a partial session');
      const [failure] = (await audits('employee.sign_in', employee.id)).filter((e) => e.outcome === 'failure');
      assert.deepEqual([failure.details.method, failure.details.reason], ['password+passkey', 'webauthn.credential_unknown']);
    });

    it('keeps a locked account locked: the key does not finish a password sign-in during a lockout', async () => {
      const { employee, key } = await enrolled();
      const c = new Client(t.app);
      assert.equal((await c.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
      const start = await c.post('/api/signin/second-factor/webauthn/options');
      const { lockoutThreshold } = await t.services.settings.get();
      for (let i = 0; i < lockoutThreshold; i++) await new Client(t.app).post('/api/signin/password', { email: employee.email, password: `wrong ${i}` });
      const locked = await c.post('/api/signin/second-factor/webauthn/verify', {
        ceremonyId: start.body.ceremonyId,
        response: key.authenticate(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(locked.body.error.code, 'signin.invalid_credentials');
      assert.equal((await audits('employee.sign_in', employee.id))[0].details.reason, 'locked');
    });

    it('offers the kind only where policy allows password + key, to an employee with a password, never to an admin', async () => {
      const employee = await createEmployee(t);
      const seed = await givePasswordAndTotp(t, employee, PASSWORD);
      await setPolicy(t, PASSWORD_AND_KEY);
      const portal = await portalSession(employee, seed);
      await setPolicy(t, { secondFactors: ['totp'] });
      assert.equal((await portal.get('/api/portal/me')).body.policy.allowSecondFactorKeys, false);
      const refused = await portal.post('/api/portal/credentials/options', { kind: 'second_factor_key' });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'signin.method_not_allowed');
      // Policy changed between the options and the answer: refused at the answer as well.
      await setPolicy(t, PASSWORD_AND_KEY);
      const start = await portal.post('/api/portal/credentials/options', { kind: 'second_factor_key' });
      await setPolicy(t, { allowPasswordSignIn: false });
      const late = await portal.post('/api/portal/credentials/verify', {
        ceremonyId: start.body.ceremonyId,
        response: u2fKey().register(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(late.body.error.code, 'signin.method_not_allowed');
      assert.equal((await t.services.webauthn.list('employee', employee.id)).length, 0);

      // An employee without a password (a passkey only) has nothing for the key to follow.
      await setPolicy(t, PASSWORD_AND_KEY);
      const passkeyOnly = await createEmployee(t);
      const yubikey = softKeys.yubikey();
      const reg = await t.services.webauthn.startRegistration(
        { type: 'employee', id: passkeyOnly.id, name: passkeyOnly.email, displayName: 'P' },
        'security_key',
      );
      await t.services.webauthn.finishRegistration(cliContext(), {
        subject: { type: 'employee', id: passkeyOnly.id, name: passkeyOnly.email, displayName: 'P' },
        ceremonyId: reg.ceremonyId,
        response: yubikey.register(reg.options, { origin: ORIGIN }),
      });
      const own = new Client(t.app);
      const s = await own.post('/api/signin/webauthn/options', {});
      assert.equal(
        (await own.post('/api/signin/webauthn/verify', { ceremonyId: s.body.ceremonyId, response: yubikey.authenticate(s.body.options, { origin: ORIGIN }) }))
          .status,
        200,
      );
      const noPassword = await own.post('/api/portal/credentials/options', { kind: 'second_factor_key' });
      assert.equal(noPassword.body.error.code, 'signin.method_not_allowed');

      const admin = await signedInAdmin(t);
      const forAdmin = await admin.post('/api/auth/passkeys/options', { kind: 'second_factor_key' });
      assert.equal(forAdmin.status, 403, forAdmin.raw);
      assert.equal(forAdmin.body.error.code, 'signin.method_not_allowed');
    });

    it('never removes the last way in: a second-factor key alone does not count once passwords are no longer allowed', async () => {
      const { employee, portal, added } = await enrolled();
      const passkey = softKeys.yubikey();
      const reg = await portal.post('/api/portal/credentials/options', { kind: 'security_key' });
      const registered = await portal.post('/api/portal/credentials/verify', {
        ceremonyId: reg.body.ceremonyId,
        response: passkey.register(reg.body.options, { origin: ORIGIN }),
      });
      assert.equal(registered.status, 200, registered.raw);
      await setPolicy(t, { allowPasswordSignIn: false });
      const refused = await portal.delete(`/api/portal/credentials/${registered.body.id}`);
      assert.equal(refused.status, 409, refused.raw);
      assert.equal(refused.body.error.code, 'portal.last_method');
      // The second-factor key, though, may go: the security key still signs in on its own.
      assert.equal((await portal.delete(`/api/portal/credentials/${added.body.id}`)).status, 204);
      assert.equal((await t.services.webauthn.list('employee', employee.id)).length, 1);
    });
  });
}
