/**
 * Employee sign-in through the API: password + second factor where policy allows it, lockout,
 * disabled accounts, sessions apart from the console's; the user portal; an admin's view of an
 * employee's credentials.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { totpCode } from '../security/totp.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { createEmployee, DEFAULT_POLICY, givePasswordAndTotp, ORIGIN, passkeySignIn, registerKey, setPolicy } from '../../test/helpers/signin.js';
import { softKeys } from '../../test/helpers/soft-authenticator.js';

const PASSWORD = 'a long and private passphrase';
const PASSWORDS_ALLOWED = { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] } as const satisfies Parameters<typeof setPolicy>[1];

describe('employee sign-in with a password and a second factor', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());
  beforeEach(async () => {
    await setPolicy(t, DEFAULT_POLICY);
    clock.advance(60_000); // a new TOTP step for every test
  });

  const code = (seed: string) => totpCode(seed, clock.now().getTime());
  const signInAudits = async (employeeId: string) =>
    (await t.services.audit.find({ action: 'employee.sign_in', targetId: employeeId }, { offset: 0, limit: 50 })).items;

  it('signs in with password then TOTP when policy allows it, and never accepts a code twice', async () => {
    const employee = await createEmployee(t);
    const seed = await givePasswordAndTotp(t, employee, PASSWORD);
    await setPolicy(t, PASSWORDS_ALLOWED);
    clock.advance(30_000);
    const c = new Client(t.app);
    const first = await c.post('/api/signin/password', { email: employee.email, password: PASSWORD });
    assert.equal(first.status, 200, first.raw);
    assert.deepEqual(first.body, { status: 'second_factor_required', methods: ['totp'] });
    assert.equal((await c.get('/api/signin/session')).body.error.code, 'signin.stage_invalid', 'a partial session is not signed in');
    assert.equal((await c.get('/api/portal/me')).status, 403);
    const wrong = await c.post('/api/signin/totp', { code: '000000' === code(seed) ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'signin.invalid_totp');
    const used = code(seed);
    const ok = await c.post('/api/signin/totp', { code: used });
    assert.equal(ok.status, 200, ok.raw);
    assert.equal(ok.body.employee.id, employee.id);
    assert.equal((await c.get('/api/portal/me')).status, 200);
    assert.equal((await signInAudits(employee.id))[0].details.method, 'password+totp');

    const replay = new Client(t.app);
    await replay.post('/api/signin/password', { email: employee.email, password: PASSWORD });
    const again = await replay.post('/api/signin/totp', { code: used });
    assert.equal(again.body.error.code, 'signin.invalid_totp', 'the same code is refused the second time');
  });

  it('refuses passwords with signin.method_not_allowed while policy forbids them, before and between the steps', async () => {
    const employee = await createEmployee(t);
    const seed = await givePasswordAndTotp(t, employee, PASSWORD);
    const refused = await new Client(t.app).post('/api/signin/password', { email: employee.email, password: PASSWORD });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'signin.method_not_allowed');
    const unknown = await new Client(t.app).post('/api/signin/password', { email: 'ghost@corp.example', password: PASSWORD });
    assert.deepEqual(unknown.body, refused.body, 'said before looking at the account');

    await setPolicy(t, PASSWORDS_ALLOWED);
    const c = new Client(t.app);
    assert.equal((await c.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
    await setPolicy(t, { allowPasswordSignIn: false });
    clock.advance(30_000);
    assert.equal((await c.post('/api/signin/totp', { code: code(seed) })).body.error.code, 'signin.method_not_allowed');
  });

  it('answers an unknown e-mail, an account without a password and a wrong password alike', async () => {
    await setPolicy(t, PASSWORDS_ALLOWED);
    const withPassword = await createEmployee(t);
    await givePasswordAndTotp(t, withPassword, PASSWORD);
    const passkeyOnly = await createEmployee(t);
    const answers = [
      await new Client(t.app).post('/api/signin/password', { email: 'ghost@corp.example', password: PASSWORD }),
      await new Client(t.app).post('/api/signin/password', { email: passkeyOnly.email, password: PASSWORD }),
      await new Client(t.app).post('/api/signin/password', { email: withPassword.email, password: 'not the passphrase' }),
    ];
    for (const a of answers) {
      assert.equal(a.status, 401);
      assert.deepEqual(a.body, answers[0].body);
      assert.ok(!a.headers['set-cookie']?.toString().includes('tessera_employee_session'));
    }
    const { items } = await t.services.audit.find({ action: 'employee.sign_in', outcome: 'failure' }, { offset: 0, limit: 10 });
    assert.ok(items.some((e) => e.details.reason === 'unknown account' && e.targetLabel === 'ghost@corp.example'));
    assert.ok(items.some((e) => e.details.reason === 'wrong password' && e.targetId === withPassword.id));
    assert.ok(
      items.every((e) => !JSON.stringify(e.details).includes('passphrase')),
      'no secret in the audit log',
    );
  });

  it('locks the account after lockoutThreshold failures, even against the right password, until the lockout ends; a passkey still signs in', async () => {
    await setPolicy(t, PASSWORDS_ALLOWED);
    const employee = await createEmployee(t);
    const seed = await givePasswordAndTotp(t, employee, PASSWORD);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const { lockoutThreshold } = await t.services.settings.get();
    const c = new Client(t.app);
    for (let i = 0; i < lockoutThreshold - 2; i++)
      assert.equal((await c.post('/api/signin/password', { email: employee.email, password: `wrong ${i}` })).status, 401);
    // A wrong second-factor code counts as well.
    assert.equal((await c.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
    assert.equal((await c.post('/api/signin/totp', { code: code(seed) === '123456' ? '654321' : '123456' })).status, 401);
    const locking = await c.post('/api/signin/password', { email: employee.email, password: 'wrong again' });
    assert.equal(locking.status, 401);
    assert.equal(locking.body.error.code, 'signin.invalid_credentials');
    const whileLocked = await c.post('/api/signin/password', { email: employee.email, password: PASSWORD });
    assert.equal(whileLocked.status, 401, 'no 423: a locked account answers like a wrong password');
    assert.deepEqual(whileLocked.body, locking.body);
    assert.equal(
      (await t.services.audit.find({ action: 'employee.sign_in', outcome: 'failure', targetId: employee.id }, { offset: 0, limit: 1 })).items[0].details.reason,
      'locked',
      'the audit says why',
    );
    assert.equal((await t.services.audit.find({ action: 'employee.locked', targetId: employee.id }, { offset: 0, limit: 5 })).total, 1);
    assert.equal((await passkeySignIn(new Client(t.app), key)).status, 200, 'a passkey cannot be guessed: it is not locked out');
    clock.advance(16 * 60_000);
    const unlocked = new Client(t.app);
    assert.equal((await unlocked.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);
    assert.equal((await unlocked.post('/api/signin/totp', { code: code(seed) })).status, 200);
  });

  it('refuses a disabled or deactivated employee by every method with one message, and reveals nothing before the first factor', async () => {
    await setPolicy(t, PASSWORDS_ALLOWED);
    for (const status of ['disabled', 'deactivated'] as const) {
      const employee = await createEmployee(t);
      const seed = await givePasswordAndTotp(t, employee, PASSWORD);
      const key = softKeys.yubikey();
      await registerKey(t, employee, key);
      const signedIn = new Client(t.app);
      assert.equal((await passkeySignIn(signedIn, key)).status, 200);
      const halfway = new Client(t.app);
      assert.equal((await halfway.post('/api/signin/password', { email: employee.email, password: PASSWORD })).status, 200);

      await t.services.employees.update(cliContext(), employee.id, { status });
      assert.equal((await signedIn.get('/api/portal/me')).status, 401, 'sessions end when the employee is disabled');
      assert.equal((await halfway.post('/api/signin/totp', { code: code(seed) })).status, 401, 'so does a half-finished sign-in');

      const expected = { error: { code: 'signin.account_disabled', message: 'This account is disabled. Contact your administrator.' } };
      const byPasskey = await passkeySignIn(new Client(t.app), key);
      assert.equal(byPasskey.status, 403);
      assert.deepEqual(byPasskey.body, expected);
      const byPassword = await new Client(t.app).post('/api/signin/password', { email: employee.email, password: PASSWORD });
      assert.equal(byPassword.status, 403);
      assert.deepEqual(byPassword.body, expected);
      const byEmail = await passkeySignIn(new Client(t.app), key, {}, { email: employee.email });
      assert.deepEqual(byEmail.body, expected);
      const guess = await new Client(t.app).post('/api/signin/password', { email: employee.email, password: 'a wrong guess' });
      assert.equal(guess.body.error.code, 'signin.invalid_credentials', 'a wrong password learns nothing about the account');
      const reasons = (await signInAudits(employee.id)).filter((e) => e.outcome === 'failure').map((e) => e.details.reason);
      assert.equal(reasons.filter((r) => r === 'account disabled').length, 3);
    }
  });

  it("takes a passkey as the second factor, only the employee's own", async () => {
    await setPolicy(t, PASSWORDS_ALLOWED);
    const employee = await createEmployee(t);
    await givePasswordAndTotp(t, employee, PASSWORD);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const other = await createEmployee(t);
    const otherKey = softKeys.yubikey();
    await registerKey(t, other, otherKey);

    const c = new Client(t.app);
    assert.deepEqual((await c.post('/api/signin/password', { email: employee.email, password: PASSWORD })).body.methods, ['totp', 'passkey']);
    const start = await c.post('/api/signin/second-factor/webauthn/options');
    assert.deepEqual(
      start.body.options.allowCredentials.map((x: { id: string }) => x.id),
      [key.credentials[0].id.toString('base64url')],
    );
    const foreign = await c.post('/api/signin/second-factor/webauthn/verify', {
      ceremonyId: start.body.ceremonyId,
      response: otherKey.authenticate({ challenge: start.body.options.challenge, rpId: 'localhost' }, { origin: ORIGIN }),
    });
    assert.equal(foreign.body.error.code, 'webauthn.credential_unknown');
    const again = await c.post('/api/signin/second-factor/webauthn/options');
    const ok = await c.post('/api/signin/second-factor/webauthn/verify', {
      ceremonyId: again.body.ceremonyId,
      response: key.authenticate(again.body.options, { origin: ORIGIN }),
    });
    assert.equal(ok.status, 200, ok.raw);
    assert.equal((await signInAudits(employee.id))[0].details.method, 'password+passkey');
    // The username-less ceremony cannot stand in for the second factor, nor the reverse.
    const d = new Client(t.app);
    await d.post('/api/signin/password', { email: employee.email, password: PASSWORD });
    const signInOptions = await d.post('/api/signin/webauthn/options', {});
    const crossed = await d.post('/api/signin/second-factor/webauthn/verify', {
      ceremonyId: signInOptions.body.ceremonyId,
      response: key.authenticate(signInOptions.body.options, { origin: ORIGIN }),
    });
    assert.equal(crossed.body.error.code, 'webauthn.challenge_invalid');

    await setPolicy(t, { secondFactors: ['totp'] });
    const e = new Client(t.app);
    assert.deepEqual((await e.post('/api/signin/password', { email: employee.email, password: PASSWORD })).body.methods, ['totp']);
    assert.equal((await e.post('/api/signin/second-factor/webauthn/options')).body.error.code, 'signin.method_not_allowed');
  });

  it('refuses a password sign-in that has no second factor allowed by policy', async () => {
    const employee = await createEmployee(t);
    await givePasswordAndTotp(t, employee, PASSWORD);
    await setPolicy(t, { allowPasswordSignIn: true, secondFactors: ['passkey'] });
    const res = await new Client(t.app).post('/api/signin/password', { email: employee.email, password: PASSWORD });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'signin.method_not_allowed');
  });

  it('signs out, ending the session', async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const c = new Client(t.app);
    await passkeySignIn(c, key);
    assert.equal((await c.post('/api/signin/logout')).status, 204);
    assert.equal((await c.get('/api/signin/session')).status, 401);
    assert.ok((await t.services.audit.find({ action: 'employee.sign_out', targetId: employee.id }, { offset: 0, limit: 1 })).total === 1);
  });

  it('keeps employee and console sessions apart, and requires the CSRF header', async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const c = new Client(t.app);
    await passkeySignIn(c, key);
    assert.equal((await c.get('/api/employees')).status, 401, 'an employee session is not a console session');
    assert.equal((await c.get('/api/auth/me')).status, 401);
    // Even a console cookie holding an employee session's token is refused.
    c.cookies.set('tessera_session', c.cookies.get('tessera_employee_session')!);
    assert.equal((await c.get('/api/employees')).status, 401);

    const admin = await signedInAdmin(t);
    assert.equal((await admin.get('/api/portal/me')).status, 401, 'a console session is not an employee session');
    admin.cookies.set('tessera_employee_session', admin.cookies.get('tessera_session')!);
    assert.equal((await admin.get('/api/portal/me')).status, 401);
    const { secret } = await t.services.apiKeys.create(cliContext(), { name: 'portal probe', scope: 'admin' });
    assert.equal((await new Client(t.app, { authorization: `Bearer ${secret}` }).get('/api/portal/me')).status, 401, 'nor is an API key');

    const noCsrf = await new Client(t.app).request('POST', '/api/signin/webauthn/options', {}, { 'x-csrf-token': '' });
    assert.equal(noCsrf.body.error.code, 'auth.csrf_invalid');
  });
});

describe('the user portal', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());
  beforeEach(() => setPolicy(t, DEFAULT_POLICY));

  async function signedInEmployee() {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const client = new Client(t.app);
    assert.equal((await passkeySignIn(client, key)).status, 200);
    return { employee, key, client };
  }

  it('shows the employee, branding, policy and sign-in methods', async () => {
    await t.services.settings.update(cliContext(), { organisationName: 'Contoso' });
    const { employee, client } = await signedInEmployee();
    const me = await client.get('/api/portal/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, {
      employee: { id: employee.id, firstName: employee.firstName, lastName: employee.lastName, email: employee.email },
      branding: { organisationName: 'Contoso', primaryColor: '#1c7ed6', hasLogo: false },
      policy: {
        allowPlatform: false,
        userVerification: 'required',
        allowPasswordSignIn: false,
        secondFactors: ['totp', 'passkey'],
        allowSecondFactorKeys: false,
        maxCredentialsPerEmployee: 5,
      },
      hasPassword: false,
      hasTotp: false,
    });
    const signIns = await client.get('/api/portal/sign-ins');
    assert.equal(signIns.body.items[0].method, 'security_key', 'a security key signed in, and the sign-in says so');
    assert.equal(signIns.body.items[0].outcome, 'success');
    assert.deepEqual((await client.get('/api/portal/applications')).body, { items: [] });
  });

  it('adds, renames and removes credentials, but never the last way to sign in', async () => {
    const { client } = await signedInEmployee();
    const list = await client.get('/api/portal/credentials');
    assert.equal(list.body.items.length, 1);
    const [first] = list.body.items;
    assert.deepEqual(
      { type: first.type, attachment: first.attachment, model: first.model, isBackedUp: first.isBackedUp },
      { type: 'security_key', attachment: 'cross-platform', model: 'YubiKey 5 Series', isBackedUp: false },
    );
    assert.equal((await client.delete(`/api/portal/credentials/${first.id}`)).body.error.code, 'portal.last_method');

    const spare = softKeys.yubikey();
    const start = await client.post('/api/portal/credentials/options', { kind: 'security_key' });
    const added = await client.post('/api/portal/credentials/verify', {
      ceremonyId: start.body.ceremonyId,
      response: spare.register(start.body.options, { origin: ORIGIN }),
      name: 'Spare key',
    });
    assert.equal(added.status, 200, added.raw);
    assert.equal(added.body.name, 'Spare key');
    const renamed = await client.patch(`/api/portal/credentials/${added.body.id}`, { name: 'Key in the drawer' });
    assert.equal(renamed.body.name, 'Key in the drawer');
    assert.equal((await client.delete(`/api/portal/credentials/${first.id}`)).status, 204);
    assert.equal((await client.get('/api/portal/credentials')).body.items.length, 1);
    const passkey = await client.post('/api/portal/credentials/options', { kind: 'passkey' });
    assert.equal(passkey.body.error.code, 'webauthn.authenticator_not_allowed');
  });

  it("does not let one employee reach another's credentials", async () => {
    const a = await signedInEmployee();
    const b = await signedInEmployee();
    const [bKey] = (await b.client.get('/api/portal/credentials')).body.items;
    assert.equal((await a.client.patch(`/api/portal/credentials/${bKey.id}`, { name: 'mine now' })).status, 404);
    assert.equal((await a.client.delete(`/api/portal/credentials/${bKey.id}`)).body.error.code, 'webauthn.credential_not_found');
    assert.equal((await b.client.get('/api/portal/credentials')).body.items[0].name, bKey.name);
  });

  it('sets up and replaces TOTP, and changes the password, ending the other sessions', async () => {
    const { employee, client } = await signedInEmployee();
    assert.equal((await client.post('/api/portal/totp/options')).body.error.code, 'signin.method_not_allowed');
    await setPolicy(t, PASSWORDS_ALLOWED);
    assert.equal((await client.post('/api/portal/totp/confirm', { code: '123456' })).body.error.code, 'portal.totp_not_pending');
    const setup = await client.post('/api/portal/totp/options');
    assert.match(setup.body.otpauthUrl, /^otpauth:\/\/totp\//);
    assert.match(setup.body.qrDataUrl, /^data:image\/png;base64,/);
    assert.equal((await client.post('/api/portal/totp/confirm', { code: totpCode(setup.body.secret, clock.now().getTime()) })).status, 204);
    assert.equal((await client.get('/api/portal/me')).body.hasTotp, true);
    assert.equal(
      (await client.post('/api/portal/password', { currentPassword: 'x', newPassword: PASSWORD })).body.error.code,
      'signin.method_not_allowed',
      'no password to change',
    );

    await givePasswordAndTotp(t, employee, PASSWORD);
    const other = new Client(t.app);
    await other.post('/api/signin/password', { email: employee.email, password: PASSWORD });
    clock.advance(30_000);
    const seed = (await client.post('/api/portal/totp/options')).body.secret;
    await client.post('/api/portal/totp/confirm', { code: totpCode(seed, clock.now().getTime()) });
    clock.advance(30_000);
    assert.equal((await other.post('/api/signin/totp', { code: totpCode(seed, clock.now().getTime()) })).status, 200, 'the new TOTP replaced the old one');

    assert.equal(
      (await client.post('/api/portal/password', { currentPassword: 'wrong', newPassword: 'another long passphrase' })).body.error.code,
      'signin.invalid_credentials',
    );
    assert.equal((await client.post('/api/portal/password', { currentPassword: PASSWORD, newPassword: 'short' })).body.error.code, 'signin.password_too_weak');
    assert.equal((await client.post('/api/portal/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' })).status, 204);
    assert.equal((await client.get('/api/portal/me')).status, 200, 'this session stays');
    assert.equal((await other.get('/api/portal/me')).status, 401, 'the others end');
  });
});

describe("admin: an employee's credentials", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("lists them, removes one (ending the employee's sessions) or all, with the right scopes", async () => {
    const admin = await signedInAdmin(t);
    const employee = await createEmployee(t);
    await givePasswordAndTotp(t, employee, PASSWORD);
    const key = softKeys.yubikey();
    const spare = softKeys.yubikey();
    await registerKey(t, employee, key);
    await registerKey(t, employee, spare);
    const list = await admin.get(`/api/employees/${employee.id}/credentials`);
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 2);
    assert.equal(list.body.hasPassword, true);
    assert.equal(list.body.hasTotp, true);

    const { secret } = await t.services.apiKeys.create(cliContext(), { name: 'reader', scope: 'read' });
    const reader = new Client(t.app, { authorization: `Bearer ${secret}` });
    assert.equal((await reader.get(`/api/employees/${employee.id}/credentials`)).status, 200);
    assert.equal((await reader.delete(`/api/employees/${employee.id}/credentials`)).body.error.code, 'auth.insufficient_scope');

    const session = new Client(t.app);
    await passkeySignIn(session, spare);
    assert.equal((await admin.delete(`/api/employees/${employee.id}/credentials/${list.body.items[0].id}`)).status, 204);
    assert.equal((await session.get('/api/portal/me')).status, 401, "the employee's sessions end");
    assert.equal((await passkeySignIn(new Client(t.app), key)).body.error.code, 'webauthn.credential_unknown', 'the removed key no longer signs in');
    const other = await createEmployee(t);
    assert.equal((await admin.delete(`/api/employees/${other.id}/credentials/${list.body.items[1].id}`)).status, 404, 'only through its owner');

    assert.equal((await admin.delete(`/api/employees/${employee.id}/credentials`)).status, 204);
    assert.deepEqual((await admin.get(`/api/employees/${employee.id}/credentials`)).body, { items: [], hasPassword: false, hasTotp: false });
    assert.equal((await admin.get('/api/employees/00000000-0000-4000-8000-000000000000/credentials')).body.error.code, 'employees.not_found');
    const removed = (await t.services.audit.find({ action: 'employee.credential_removed', targetId: employee.id }, { offset: 0, limit: 5 })).items;
    assert.equal(removed.length, 2);
    assert.equal(removed[0].actorType, 'admin');
  });
});
