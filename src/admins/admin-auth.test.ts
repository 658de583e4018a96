import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totpCode } from '../security/totp.js';
import { cliContext } from '../lib/context.js';
import { ADMIN, Client, createTestApp, enableTotp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';

describe('first-admin setup', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('creates the first admin only with the one-time token, then refuses a second setup', async () => {
    const token = (await t.services.adminAuth.issueSetupToken())!;
    const c = new Client(t.app);
    assert.deepEqual((await c.get('/api/setup')).body, { needsSetup: true });
    const wrong = await c.post('/api/setup', { token: 'nope', email: 'a@corp.example', name: 'A', password: 'a long enough password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'setup.invalid_token');
    const weak = await c.post('/api/setup', { token, email: 'a@corp.example', name: 'A', password: 'short' });
    assert.equal(weak.body.error.code, 'admins.password_too_weak');
    const ok = await c.post('/api/setup', { token, email: 'a@corp.example', name: 'A', password: 'a long enough password' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.admin.email, 'a@corp.example');
    assert.equal((await c.get('/api/auth/me')).status, 200, 'setup signs the admin in');
    assert.deepEqual((await c.get('/api/setup')).body, { needsSetup: false });
    const again = await new Client(t.app).post('/api/setup', { token, email: 'b@corp.example', name: 'B', password: 'a long enough password' });
    assert.equal(again.body.error.code, 'setup.not_needed');
    assert.equal(await t.services.adminAuth.issueSetupToken(), undefined, 'no new token once an admin exists');
  });
});

describe('console sign-in', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock });
    await t.services.admins.create(cliContext(), ADMIN);
  });
  after(() => t.close());

  it('refuses state-changing requests without a valid CSRF token', async () => {
    const c = new Client(t.app);
    await c.get('/api/auth/csrf');
    const body = { email: ADMIN.email, password: ADMIN.password };
    assert.equal((await c.request('POST', '/api/auth/login', body, { 'x-csrf-token': '' })).body.error.code, 'auth.csrf_invalid');
    assert.equal((await c.request('POST', '/api/auth/login', body, { 'x-csrf-token': 'abc.def' })).status, 403);
    // A token of the right shape but not signed by this server is refused even when cookie and header agree.
    const forged = 'AAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    c.cookies.set('tessera_csrf', forged);
    assert.equal((await c.request('POST', '/api/auth/login', body, { 'x-csrf-token': forged })).status, 403);
  });

  it('answers the same for an unknown account and a wrong password, and audits both', async () => {
    const c = new Client(t.app);
    const unknown = await c.post('/api/auth/login', { email: 'ghost@corp.example', password: 'whatever password' });
    const wrong = await c.post('/api/auth/login', { email: ADMIN.email, password: 'wrong password!!' });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, wrong.body);
    const { items } = await t.services.audit.find({ action: 'admin.sign_in', outcome: 'failure' }, { offset: 0, limit: 10 });
    assert.ok(items.some((e) => e.details.reason === 'unknown account'));
    assert.ok(items.some((e) => e.details.reason === 'wrong password' && e.targetLabel === ADMIN.email));
    await t.services.admins.setPassword(cliContext(), (await t.services.admins.findByEmail(ADMIN.email))!, ADMIN.password, {
      action: 'admin.password_recovered',
    });
  });

  it('locks the account after repeated failures, even against the right password, until the lockout ends; locked reads like wrong', async () => {
    const c = new Client(t.app);
    const threshold = (await t.services.settings.get()).lockoutThreshold;
    for (let i = 0; i < threshold - 1; i++) assert.equal((await c.post('/api/auth/login', { email: ADMIN.email, password: `bad password ${i}` })).status, 401);
    const locking = await c.post('/api/auth/login', { email: ADMIN.email, password: 'bad password last' });
    assert.equal(locking.status, 401);
    assert.equal(locking.body.error.code, 'auth.invalid_credentials');
    const whileLocked = await c.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(whileLocked.status, 401, 'no 423: a locked account answers like a wrong password');
    assert.deepEqual(whileLocked.body, locking.body);
    const adminId = (await t.services.admins.findByEmail(ADMIN.email))!.id;
    assert.equal(
      (await t.services.audit.find({ action: 'admin.sign_in', outcome: 'failure', targetId: adminId }, { offset: 0, limit: 1 })).items[0].details.reason,
      'locked',
      'the audit says why',
    );
    assert.equal((await t.services.audit.find({ action: 'admin.locked' }, { offset: 0, limit: 5 })).total, 1);
    clock.advance(16 * 60_000);
    assert.equal((await c.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status, 200);
  });

  it('requires the TOTP code after the password once TOTP is on, and never accepts a code twice', async () => {
    const c = await signedInAdmin(t);
    const seed = await enableTotp(c, clock);
    await c.post('/api/auth/logout');
    assert.equal((await c.get('/api/auth/me')).status, 401);

    clock.advance(60_000);
    const first = await c.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.deepEqual(first.body, { status: 'totp_required' });
    const partial = await c.get('/api/employees');
    assert.equal(partial.status, 403, 'a half signed-in session reaches nothing');
    assert.equal(partial.body.error.code, 'auth.stage_invalid');
    assert.equal((await c.post('/api/auth/login/totp', { code: '000000' })).body.error.code, 'auth.invalid_totp');
    const code = totpCode(seed, clock.now().getTime());
    const ok = await c.post('/api/auth/login/totp', { code });
    assert.equal(ok.body.status, 'ok');
    assert.equal((await c.get('/api/employees')).status, 200);

    const other = new Client(t.app);
    await other.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal((await other.post('/api/auth/login/totp', { code })).status, 401, 'the same code is refused the second time');
    const { items } = await t.services.audit.find({ action: 'admin.sign_in', outcome: 'success' }, { offset: 0, limit: 1 });
    assert.equal(items[0].details.method, 'password+totp');
  });

  it('ends a session after the idle timeout and after the absolute lifetime', async () => {
    clock.advance(120_000);
    const c = new Client(t.app);
    await t.services.admins.create(cliContext(), { email: 'idle@corp.example', name: 'Idle', password: 'quiet evening tea cup' });
    await c.post('/api/auth/login', { email: 'idle@corp.example', password: 'quiet evening tea cup' });
    assert.equal((await c.get('/api/auth/me')).status, 200);
    clock.advance(31 * 60_000);
    const expired = await c.get('/api/auth/me');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'auth.session_expired');

    await c.post('/api/auth/login', { email: 'idle@corp.example', password: 'quiet evening tea cup' });
    for (let i = 0; i < 26; i++) {
      clock.advance(28 * 60_000);
      await c.get('/api/auth/me');
    }
    assert.equal((await c.get('/api/auth/me')).status, 401, 'no session outlives sessionAbsoluteHours');
  });

  it('makes admins without TOTP enrol when the policy requires it', async () => {
    await t.services.settings.update(cliContext(), { requireAdminTotp: true });
    try {
      await t.services.admins.create(cliContext(), { email: 'new@corp.example', name: 'New', password: 'a brand new password' });
      const c = new Client(t.app);
      assert.deepEqual((await c.post('/api/auth/login', { email: 'new@corp.example', password: 'a brand new password' })).body, {
        status: 'totp_enrollment_required',
      });
      assert.equal((await c.get('/api/admins')).status, 403);
      const setup = await c.post('/api/auth/totp/setup');
      assert.match(setup.body.qrDataUrl, /^data:image\/png;base64,/);
      assert.match(setup.body.otpauthUrl, /^otpauth:\/\/totp\//);
      const done = await c.post('/api/auth/totp/confirm', { code: totpCode(setup.body.secret, clock.now().getTime()) });
      assert.equal(done.body.admin.totpEnabled, true);
      assert.equal((await c.get('/api/admins')).status, 200, 'enrolment completes the sign-in');
      assert.equal((await c.post('/api/auth/totp/disable', { password: 'a brand new password' })).body.error.code, 'admins.totp_required');
    } finally {
      await t.services.settings.update(cliContext(), { requireAdminTotp: false });
    }
  });
});

describe('admin accounts', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("never deletes the last admin nor oneself, and ends a deleted admin's sessions", async () => {
    const root = await signedInAdmin(t);
    const me = (await root.get('/api/auth/me')).body.admin;
    assert.equal((await root.delete(`/api/admins/${me.id}`)).body.error.code, 'admins.cannot_delete_self');
    const refused = (await t.services.audit.find({ action: 'api.request_refused' }, { offset: 0, limit: 1 })).items[0];
    assert.equal(refused.actorLabel, ADMIN.email, 'a refused admin action is audited too');
    assert.equal(refused.targetLabel, 'DELETE /api/admins/:id');
    assert.equal(refused.details.code, 'admins.cannot_delete_self');
    const created = await root.post('/api/admins', { email: 'ops@corp.example', name: 'Ops', password: 'ops password long' });
    assert.equal(created.status, 201);
    assert.equal(
      (await root.post('/api/admins', { email: 'OPS@corp.example', name: 'Ops', password: 'ops password long' })).body.error.code,
      'admins.email_in_use',
    );
    const ops = await signedInAdmin(t, { email: 'ops@corp.example', name: 'Ops', password: 'ops password long' });
    assert.equal((await ops.get('/api/admins')).status, 200);
    assert.equal((await root.delete(`/api/admins/${created.body.id}`)).status, 204);
    assert.equal((await ops.get('/api/admins')).status, 401, 'the deleted admin is signed out at once');
    const last = await t.services.admins.remove({ actor: { type: 'system', id: null, label: 'test' }, ip: null, userAgent: null }, me.id).catch((e) => e);
    assert.equal(last.code, 'admins.last_admin');
  });

  it('changes the own password only with the current one, and ends the other sessions', async () => {
    const a = await signedInAdmin(t);
    const b = await signedInAdmin(t);
    assert.equal((await a.post('/api/auth/password', { currentPassword: 'wrong', newPassword: 'another long password' })).status, 401);
    assert.equal((await a.post('/api/auth/password', { currentPassword: ADMIN.password, newPassword: 'short' })).body.error.code, 'admins.password_too_weak');
    assert.equal((await a.post('/api/auth/password', { currentPassword: ADMIN.password, newPassword: 'another long password' })).status, 204);
    assert.equal((await a.get('/api/auth/me')).status, 200, 'the session that changed it stays');
    assert.equal((await b.get('/api/auth/me')).status, 401, 'other sessions end');
    assert.equal((await new Client(t.app).post('/api/auth/login', { email: ADMIN.email, password: 'another long password' })).status, 200);
  });
});
