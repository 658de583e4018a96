/**
 * TOTP recovery codes of admins, driven over HTTP on both engines: ten codes shown once when TOTP
 * is turned on, each signs in once (also when two requests race), wrong ones count towards the
 * account lockout and the per-IP credential budget like TOTP codes, a new set replaces the old,
 * and neither the database nor the audit log holds a code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminRecoveryCodes } from '../cli/admin.command.js';
import type { App } from '../http/types.js';
import { cliContext } from '../lib/context.js';
import { totpCode } from '../security/totp.js';
import { ADMIN, Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import type { Clock } from '../lib/clock.js';

const CODE_SHAPE = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

/** Turns TOTP on for the signed-in client; the seed and the recovery codes the answer showed. */
async function enableTotpWithCodes(c: Client, clock: Clock): Promise<{ seed: string; codes: string[] }> {
  const setup = await c.post('/api/auth/totp/setup');
  const confirm = await c.post('/api/auth/totp/confirm', { code: totpCode(setup.body.secret, clock.now().getTime()) });
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  return { seed: setup.body.secret, codes: confirm.body.recoveryCodes };
}

for (const engine of ENGINES) {
  describe(`admin recovery codes (${engine})`, () => {
    const clock = manualClock(new Date('2026-05-04T08:00:00Z'));
    let t: TestApp;
    let n = 0;
    before(async () => {
      t = await createTestApp({ engine, clock });
    });
    after(() => t.close());

    /** A new admin with TOTP on, signed out; its seed and codes. */
    async function adminWithCodes() {
      const who = { ...ADMIN, email: `rc${++n}.${engine}@corp.example` };
      const c = await signedInAdmin(t, who);
      const { seed, codes } = await enableTotpWithCodes(c, clock);
      await c.post('/api/auth/logout');
      const admin = (await t.services.admins.findByEmail(who.email))!;
      return { who, admin, seed, codes };
    }
    /** A client that has given the right password and owes the second factor. */
    async function partial(email: string, c = new Client(t.app)) {
      const res = await c.post('/api/auth/login', { email, password: ADMIN.password });
      assert.equal(res.body.status, 'totp_required');
      return c;
    }
    const audits = async (action: string, targetId: string) => (await t.services.audit.find({ action, targetId }, { offset: 0, limit: 100 })).items;

    it('shows ten codes once when TOTP is turned on; afterwards only how many are left', async () => {
      const who = { ...ADMIN, email: `shown.${engine}@corp.example` };
      const c = await signedInAdmin(t, who);
      assert.equal((await c.get('/api/auth/me')).body.recoveryCodesRemaining, null, 'no codes while TOTP is off');
      const { codes } = await enableTotpWithCodes(c, clock);
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      for (const code of codes) assert.match(code, CODE_SHAPE);
      const state = await c.get('/api/auth/recovery-codes');
      assert.equal(state.status, 200);
      assert.equal(state.body.remaining, 10);
      assert.equal(state.body.totpEnabled, true);
      assert.ok(!codes.some((code) => state.raw.includes(code) || state.raw.includes(code.replace('-', ''))), 'the codes are not shown again');
      assert.equal((await c.get('/api/auth/me')).body.recoveryCodesRemaining, 10);
      const admin = (await t.services.admins.findByEmail(who.email))!;
      const generated = await audits('admin.recovery_codes_generated', admin.id);
      assert.equal(generated.length, 1);
      assert.deepEqual(generated[0].details, { count: 10, reason: 'totp enabled' });
    });

    it('stores only keyed hashes: no code in the database or the audit log', async () => {
      const { admin, codes } = await adminWithCodes();
      const c = await partial(admin.email);
      assert.equal((await c.post('/api/auth/login/recovery-code', { code: codes[0] })).status, 200);
      const dump = JSON.stringify([
        await t.db.database.query('SELECT * FROM admin_recovery_codes'),
        await t.db.database.query('SELECT * FROM admins'),
        await t.db.database.query('SELECT * FROM audit_events'),
      ]).toLowerCase();
      for (const code of codes) {
        assert.ok(!dump.includes(code), `${code} is not stored`);
        assert.ok(!dump.includes(code.replace('-', '')), `${code} is not stored without its hyphen`);
      }
      const rows = await t.db.database.query('SELECT code_hash FROM admin_recovery_codes WHERE admin_id = $1', [admin.id]);
      assert.equal(rows.length, 10);
    });

    it('signs in with a recovery code once, and never with the same code again', async () => {
      const { admin, codes } = await adminWithCodes();
      const c = await partial(admin.email);
      assert.equal((await c.get('/api/employees')).status, 403, 'the password alone reaches nothing');
      // Typing is forgiving: case, spaces and hyphens do not matter.
      const typed = ` ${codes[3].toUpperCase().replace('-', ' ')} `;
      const ok = await c.post('/api/auth/login/recovery-code', { code: typed });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.status, 'ok');
      assert.equal(ok.body.recoveryCodesRemaining, 9);
      assert.equal((await c.get('/api/employees')).status, 200);
      assert.equal((await c.get('/api/auth/me')).body.recoveryCodesRemaining, 9);
      const used = (await audits('admin.recovery_code_used', admin.id)).filter((e) => e.outcome === 'success');
      assert.equal(used.length, 1);
      assert.deepEqual(used[0].details, { remaining: 9 });
      const signIn = (await audits('admin.sign_in', admin.id)).find((e) => e.outcome === 'success');
      assert.equal(signIn?.details.method, 'password+recovery_code');

      const again = await (await partial(admin.email)).post('/api/auth/login/recovery-code', { code: codes[3] });
      assert.equal(again.status, 401);
      assert.equal(again.body.error.code, 'auth.invalid_recovery_code');
      const wrong = await (await partial(admin.email)).post('/api/auth/login/recovery-code', { code: 'zzzzz-zzzzz' });
      assert.deepEqual(again.body, wrong.body, 'a used code reads like a wrong one');
      const failures = (await audits('admin.recovery_code_used', admin.id)).filter((e) => e.outcome === 'failure');
      assert.equal(failures.length, 2);
      assert.ok(failures.every((e) => e.details.reason === 'wrong recovery code' && !JSON.stringify(e.details).includes('zzzzz')));
    });

    it('refuses a recovery code before the password', async () => {
      const { codes } = await adminWithCodes();
      const res = await new Client(t.app).post('/api/auth/login/recovery-code', { code: codes[0] });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'auth.required');
    });

    it('lets exactly one of two simultaneous uses of the same code sign in', async () => {
      const { admin, codes } = await adminWithCodes();
      const [a, b] = [await partial(admin.email), await partial(admin.email)];
      const answers = await Promise.all([a, b].map((c) => c.post('/api/auth/login/recovery-code', { code: codes[5] })));
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 401]);
      assert.equal((await audits('admin.recovery_code_used', admin.id)).filter((e) => e.outcome === 'success').length, 1);
    });

    it('locks the account after repeated wrong codes like TOTP, refusing the right code until the lockout ends', async () => {
      const { admin, codes, seed } = await adminWithCodes();
      const { lockoutThreshold, lockoutMinutes } = await t.services.settings.get();
      const c = await partial(admin.email);
      const answers = [];
      for (let i = 0; i < lockoutThreshold; i++) answers.push(await c.post('/api/auth/login/recovery-code', { code: `wrong-${String(i).padStart(5, '2')}` }));
      assert.ok(answers.every((r) => r.status === 401 && r.body.error.code === 'auth.invalid_recovery_code'));
      assert.equal((await audits('admin.locked', admin.id)).length, 1);
      const right = await c.post('/api/auth/login/recovery-code', { code: codes[0] });
      assert.equal(right.status, 401, 'the right code is refused while locked');
      assert.deepEqual(right.body, answers[0].body, 'locked reads like wrong');
      assert.equal(
        (await new Client(t.app).post('/api/auth/login/totp', { code: totpCode(seed, clock.now().getTime()) })).status,
        401,
        'and no other way in either',
      );
      clock.advance(lockoutMinutes * 60_000 + 1000);
      const later = await (await partial(admin.email)).post('/api/auth/login/recovery-code', { code: codes[0] });
      assert.equal(later.status, 200, 'the code was not consumed while locked');
    });

    it('counts wrong recovery codes and wrong TOTP codes towards one lockout', async () => {
      const { admin, seed, codes } = await adminWithCodes();
      const { lockoutThreshold } = await t.services.settings.get();
      const c = await partial(admin.email);
      for (let i = 0; i < lockoutThreshold - 1; i++) await c.post('/api/auth/login/recovery-code', { code: `wrong-${String(i).padStart(5, '3')}` });
      const bad = totpCode(seed, clock.now().getTime() + 10 * 60_000);
      assert.equal((await c.post('/api/auth/login/totp', { code: bad })).status, 401);
      assert.equal((await audits('admin.locked', admin.id)).length, 1, 'the TOTP failure reached the threshold');
      assert.equal((await c.post('/api/auth/login/recovery-code', { code: codes[1] })).status, 401);
    });

    it('makes a new set on demand, which ends the old one; needs the TOTP code unless just signed in', async () => {
      const { admin, seed, codes } = await adminWithCodes();
      clock.advance(30_000);
      const c = await partial(admin.email);
      assert.equal((await c.post('/api/auth/login/totp', { code: totpCode(seed, clock.now().getTime()) })).status, 200);
      const fresh = await c.post('/api/auth/recovery-codes', {});
      assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
      assert.equal(fresh.body.recoveryCodes.length, 10);
      assert.ok(!fresh.body.recoveryCodes.some((code: string) => codes.includes(code)));

      clock.advance(6 * 60_000);
      const stale = await c.post('/api/auth/recovery-codes', {});
      assert.equal(stale.status, 403);
      assert.equal(stale.body.error.code, 'admins.reauthentication_required');
      const wrongTotp = await c.post('/api/auth/recovery-codes', { code: totpCode(seed, clock.now().getTime() + 10 * 60_000) });
      assert.equal(wrongTotp.body.error.code, 'auth.invalid_totp');
      const withTotp = await c.post('/api/auth/recovery-codes', { code: totpCode(seed, clock.now().getTime()) });
      assert.equal(withTotp.status, 200);
      const latest: string[] = withTotp.body.recoveryCodes;
      assert.equal((await c.get('/api/auth/recovery-codes')).body.remaining, 10);

      await c.post('/api/auth/logout');
      for (const old of [codes[0], fresh.body.recoveryCodes[0]]) {
        assert.equal((await (await partial(admin.email)).post('/api/auth/login/recovery-code', { code: old })).status, 401, 'an old set no longer works');
      }
      assert.equal((await (await partial(admin.email)).post('/api/auth/login/recovery-code', { code: latest[0] })).status, 200);
      const generated = await audits('admin.recovery_codes_generated', admin.id);
      assert.deepEqual(
        generated.map((e) => e.details.proof ?? e.details.reason),
        ['totp', 'recent sign-in', 'totp enabled'],
      );
    });

    it('drops the codes when TOTP is reset for a lost phone', async () => {
      const { admin, codes } = await adminWithCodes();
      await t.services.admins.resetTotp(cliContext(), admin.id);
      const c = await signedInAdmin(t, { ...ADMIN, email: admin.email });
      assert.equal((await c.get('/api/auth/recovery-codes')).body.remaining, 0);
      await enableTotpWithCodes(c, clock);
      await c.post('/api/auth/logout');
      assert.equal((await (await partial(admin.email)).post('/api/auth/login/recovery-code', { code: codes[0] })).status, 401);
    });
  });
}

describe('admin recovery codes and the per-IP credential budget', () => {
  const clock = manualClock(new Date('2026-05-04T08:00:10Z'));
  const LIMIT = 4;
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock, credentialLimit: LIMIT });
  });
  after(() => t.close());
  const clientFrom = (ip: string) => new Client({ inject: (opts: object) => t.app.inject({ ...opts, remoteAddress: ip }) } as unknown as App);

  it('spends the address budget with wrong recovery codes, which then refuses any credential from it', async () => {
    const c0 = await signedInAdmin(t);
    const { codes } = await enableTotpWithCodes(c0, clock);
    // Raise the lockout so that the budget, not the account, is what stops the guesses.
    await t.services.settings.update(cliContext(), { lockoutThreshold: 50 } as never);
    const c = clientFrom('203.0.113.9');
    assert.equal((await c.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).body.status, 'totp_required');
    for (let i = 0; i < LIMIT; i++) {
      assert.equal((await c.post('/api/auth/login/recovery-code', { code: `wrong-${String(i).padStart(5, '4')}` })).status, 401);
    }
    const refused = await c.post('/api/auth/login/recovery-code', { code: codes[0] });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'rate_limit.exceeded');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal((await clientFrom('203.0.113.9').post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status, 429);
    const elsewhere = clientFrom('198.51.100.7');
    assert.equal((await elsewhere.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).body.status, 'totp_required');
    assert.equal((await elsewhere.post('/api/auth/login/recovery-code', { code: codes[0] })).status, 200, 'the refused code was not consumed');
  });
});

describe('tessera admin recovery-codes', () => {
  const clock = manualClock(new Date('2026-05-04T09:00:00Z'));
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());

  it('prints a new set from the server shell for an admin without phone or codes; the old set stops working', async () => {
    const c = await signedInAdmin(t);
    const { codes } = await enableTotpWithCodes(c, clock);
    const lines: string[] = [];
    const io = { out: (line = '') => lines.push(line) };
    const run = (email: string) => adminRecoveryCodes.run({ services: t.services, config: t.services.config } as never, { email }, io as never);
    assert.equal(await run(ADMIN.email), 0);
    const printed = lines.map((l) => l.trim()).filter((l) => CODE_SHAPE.test(l));
    assert.equal(printed.length, 10);
    const partial = async () => {
      const p = new Client(t.app);
      await p.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
      return p;
    };
    assert.equal((await (await partial()).post('/api/auth/login/recovery-code', { code: codes[0] })).status, 401);
    assert.equal((await (await partial()).post('/api/auth/login/recovery-code', { code: printed[0] })).status, 200);
    const admin = (await t.services.admins.findByEmail(ADMIN.email))!;
    const generated = (await t.services.audit.find({ action: 'admin.recovery_codes_generated', targetId: admin.id }, { offset: 0, limit: 5 })).items;
    assert.deepEqual(generated[0].details, { count: 10, reason: 'cli' });
    await assert.rejects(run('nobody@corp.example'), /no admin with e-mail/);
  });
});
