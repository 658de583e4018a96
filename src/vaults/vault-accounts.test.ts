import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { createEmployee, passkeySignIn, registerKey } from '../../test/helpers/signin.js';
import { softKeys, type SoftAuthenticator } from '../../test/helpers/soft-authenticator.js';
import type { EmployeeDto } from '../employees/employee.schemas.js';
import { totpCode } from '../security/totp.js';

/**
 * Vault accounts through the API on both engines, as the portal and the console use them: secrets
 * sealed at rest (the raw rows hold none), never in a list or an audit event; reveal only after a
 * fresh passkey check with user verification, bound to the account and used once; shared
 * accounts reach every holder and leave at once on unassignment; another employee's ids are 404.
 */
const ORIGIN = 'http://localhost:8080';
const OTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

for (const engine of ENGINES) {
  describe(`vault accounts (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    interface Person {
      e: EmployeeDto;
      key: SoftAuthenticator;
      c: Client;
    }
    let alice: Person;
    let bob: Person;

    async function person(): Promise<Person> {
      const e = await createEmployee(t);
      const key = softKeys.yubikey();
      await registerKey(t, e, key);
      const c = new Client(t.app);
      const res = await passkeySignIn(c, key);
      assert.equal(res.status, 200, res.raw);
      return { e, key, c };
    }

    /** The passkey check and the reveal, as the portal page runs them. */
    async function reveal(p: Person, accountId: string, field: 'password' | 'notes' | 'otp', purpose: 'reveal' | 'copy' = 'reveal') {
      const start = await p.c.post(`/api/portal/vault/accounts/${accountId}/reveal/options`, { field });
      if (start.status !== 200) return start;
      const response = p.key.authenticate(start.body.options, { origin: ORIGIN });
      return p.c.post(`/api/portal/vault/accounts/${accountId}/reveal`, { ceremonyId: start.body.ceremonyId, response, field, purpose });
    }

    const rawRows = () => t.db.database.query<Record<string, unknown>>('SELECT * FROM vault_accounts');
    const auditRows = () => t.db.database.query<Record<string, unknown>>('SELECT * FROM audit_events');

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      alice = await person();
      bob = await person();
    });
    after(() => t.close());

    it('keeps a personal account sealed at rest: the raw rows, the list and the audit log hold no password, OTP secret or notes', async () => {
      const res = await alice.c.post('/api/portal/vault/accounts', {
        name: 'Payroll',
        urls: ['https://payroll.example.com/login'],
        login: 'alice.p',
        password: 'S3cret-Payroll-Pass!',
        otp: `otpauth://totp/Payroll:alice?secret=${OTP_SECRET}&issuer=Payroll`,
        notes: 'recovery code 1234-5678-SECRETNOTE',
        workstationUse: true,
      });
      assert.equal(res.status, 201, res.raw);
      assert.deepEqual(
        { hasPassword: res.body.hasPassword, hasOtp: res.body.hasOtp, hasNotes: res.body.hasNotes, kind: res.body.kind },
        { hasPassword: true, hasOtp: true, hasNotes: true, kind: 'personal' },
      );
      const list = await alice.c.get('/api/portal/vault/accounts');
      assert.equal(list.status, 200);
      assert.ok(list.body.items.some((a: { id: string }) => a.id === res.body.id));
      const dump = JSON.stringify(await rawRows()) + JSON.stringify(await auditRows()) + list.raw;
      for (const secret of ['S3cret-Payroll-Pass!', OTP_SECRET, 'SECRETNOTE']) assert.ok(!dump.includes(secret), `${secret} appears at rest or in a list`);
      const [row] = (await rawRows()).filter((r) => r.id === res.body.id);
      assert.match(String(row.password), /^v1\./);
      assert.equal(t.services.sealer.open(String(row.password), `vault_accounts.password:${row.id}`), 'S3cret-Payroll-Pass!');
      // Sealed for its row: copied into another row's column it does not open.
      assert.throws(() => t.services.sealer.open(String(row.password), `vault_accounts.notes:${row.id}`));
    });

    it('reveals a password, notes and the live OTP code after a passkey check with user verification, and audits each without the value', async () => {
      const created = await alice.c.post('/api/portal/vault/accounts', { name: 'CRM', login: 'alice', password: 'Crm-Pass-42!', otp: OTP_SECRET, notes: 'n1' });
      const id = created.body.id;
      const pw = await reveal(alice, id, 'password');
      assert.equal(pw.status, 200, pw.raw);
      assert.equal(pw.body.value, 'Crm-Pass-42!');
      assert.equal((await reveal(alice, id, 'notes', 'copy')).body.value, 'n1');
      const otp = await reveal(alice, id, 'otp');
      assert.equal(otp.status, 200, otp.raw);
      // Checked against otplib (src/security/totp.ts), a second implementation of RFC 6238.
      const now = Date.now();
      assert.ok([totpCode(OTP_SECRET, now), totpCode(OTP_SECRET, now - 30_000)].includes(otp.body.otp.code));
      assert.equal(otp.body.otp.next.code, totpCode(OTP_SECRET, Date.parse(otp.body.otp.validUntil)));
      const audit = (await auditRows()).filter((r) => r.target_id === id);
      const actions = audit.map((r) => r.action);
      assert.ok(actions.includes('vault.account_revealed') && actions.includes('vault.account_copied'), String(actions));
      assert.ok(!JSON.stringify(audit).includes('Crm-Pass-42!'));
    });

    it('refuses a reveal without an assertion, with a replayed one, with one bound to another account, and without user verification', async () => {
      const a = (await alice.c.post('/api/portal/vault/accounts', { name: 'Replay target', password: 'Replay-Pass-1!' })).body.id;
      const other = (await alice.c.post('/api/portal/vault/accounts', { name: 'Other', password: 'Other-Pass-1!' })).body.id;
      const bare = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal`, { field: 'password' });
      assert.equal(bare.status, 400, 'no assertion, no reveal');

      const start = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal/options`, { field: 'password' });
      assert.equal(start.body.options.userVerification, 'required');
      const response = alice.key.authenticate(start.body.options, { origin: ORIGIN });
      const ok = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal`, { ceremonyId: start.body.ceremonyId, response, field: 'password' });
      assert.equal(ok.status, 200, ok.raw);
      const replay = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal`, { ceremonyId: start.body.ceremonyId, response, field: 'password' });
      assert.equal(replay.status, 400, replay.raw);
      assert.equal(replay.body.error.code, 'webauthn.challenge_invalid');
      assert.equal(replay.body.value, undefined);

      // A check started for one account does not open another, nor another field.
      const forA = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal/options`, { field: 'password' });
      const moved = await alice.c.post(`/api/portal/vault/accounts/${other}/reveal`, {
        ceremonyId: forA.body.ceremonyId,
        response: alice.key.authenticate(forA.body.options, { origin: ORIGIN }),
        field: 'password',
      });
      assert.equal(moved.status, 400, moved.raw);
      assert.equal(moved.body.error.code, 'webauthn.challenge_invalid');

      // The same key, answering with the UV flag clear (touched, no PIN).
      const noUv = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal/options`, { field: 'password' });
      alice.key.options.userVerified = false;
      let refused;
      try {
        refused = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal`, {
          ceremonyId: noUv.body.ceremonyId,
          response: alice.key.authenticate(noUv.body.options, { origin: ORIGIN }),
          field: 'password',
        });
      } finally {
        alice.key.options.userVerified = true;
      }
      assert.equal(refused.status, 400, refused.raw);
      assert.equal(refused.body.error.code, 'webauthn.verification_failed');
      assert.match(refused.body.error.message, /user.*verif/i);
      assert.equal(refused.body.value, undefined);
      // Bob's key is not Alice's: his assertion on her ceremony is refused.
      const hers = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal/options`, { field: 'password' });
      const his = await alice.c.post(`/api/portal/vault/accounts/${a}/reveal`, {
        ceremonyId: hers.body.ceremonyId,
        response: bob.key.authenticate({ ...hers.body.options, allowCredentials: [] }, { origin: ORIGIN }),
        field: 'password',
      });
      assert.equal(his.status, 401, his.raw);
      assert.equal(his.body.error.code, 'webauthn.credential_unknown');
      const refusals = (await auditRows()).filter((r) => r.action === 'vault.reveal_refused' && r.target_id === a);
      assert.ok(refusals.length >= 3, `refusals audited: ${refusals.length}`);
    });

    it("answers 404 for another employee's account on every route, as for an unknown one", async () => {
      const mine = (await alice.c.post('/api/portal/vault/accounts', { name: 'Mine', password: 'Mine-Pass-1!' })).body.id;
      assert.equal((await bob.c.patch(`/api/portal/vault/accounts/${mine}`, { name: 'Stolen' })).status, 404);
      assert.equal((await bob.c.delete(`/api/portal/vault/accounts/${mine}`)).status, 404);
      const opts = await bob.c.post(`/api/portal/vault/accounts/${mine}/reveal/options`, { field: 'password' });
      assert.equal(opts.status, 404);
      assert.equal(opts.body.error.code, 'vault.account_not_found');
      // Even with Alice's ceremony in hand, Bob's session cannot spend it.
      const hers = await alice.c.post(`/api/portal/vault/accounts/${mine}/reveal/options`, { field: 'password' });
      const stolen = await bob.c.post(`/api/portal/vault/accounts/${mine}/reveal`, {
        ceremonyId: hers.body.ceremonyId,
        response: alice.key.authenticate(hers.body.options, { origin: ORIGIN }),
        field: 'password',
      });
      assert.notEqual(stolen.status, 200);
      assert.equal(stolen.body.value, undefined);
      assert.ok(!(await bob.c.get('/api/portal/vault/accounts')).body.items.some((a: { id: string }) => a.id === mine));
      assert.equal((await alice.c.get(`/api/portal/vault/accounts`)).body.items.find((a: { id: string }) => a.id === mine).name, 'Mine');
      assert.equal((await new Client(t.app).get('/api/portal/vault/accounts')).status, 401);
    });

    it('reaches every holder with a shared account change, refuses employees changing it, and revokes at once on unassignment', async () => {
      const created = await admin.post('/api/vault/shared-accounts', {
        name: 'Team Twitter',
        urls: ['https://x.com'],
        login: 'corp',
        password: 'Shared-Pass-1!',
        assignments: { employeeIds: [alice.e.id, bob.e.id] },
      });
      assert.equal(created.status, 201, created.raw);
      assert.equal(created.raw.includes('Shared-Pass-1!'), false);
      const id = created.body.id;
      assert.deepEqual(created.body.assignments.employeeIds.sort(), [alice.e.id, bob.e.id].sort());
      for (const p of [alice, bob]) {
        const item = (await p.c.get('/api/portal/vault/accounts')).body.items.find((a: { id: string }) => a.id === id);
        assert.equal(item.isReadOnly, true);
        assert.equal(item.kind, 'shared');
      }
      assert.equal((await alice.c.patch(`/api/portal/vault/accounts/${id}`, { password: 'mine now' })).body.error.code, 'vault.read_only');
      assert.equal((await alice.c.delete(`/api/portal/vault/accounts/${id}`)).status, 403);

      assert.equal((await admin.patch(`/api/vault/shared-accounts/${id}`, { password: 'Shared-Pass-2!' })).status, 200);
      for (const p of [alice, bob]) assert.equal((await reveal(p, id, 'password')).body.value, 'Shared-Pass-2!');

      // Bob starts a check, then loses the account: the check no longer opens it.
      const pending = await bob.c.post(`/api/portal/vault/accounts/${id}/reveal/options`, { field: 'password' });
      const un = await admin.request('PUT', `/api/vault/shared-accounts/${id}/assignments`, { employeeIds: [alice.e.id] });
      assert.equal(un.status, 200, un.raw);
      const late = await bob.c.post(`/api/portal/vault/accounts/${id}/reveal`, {
        ceremonyId: pending.body.ceremonyId,
        response: bob.key.authenticate(pending.body.options, { origin: ORIGIN }),
        field: 'password',
      });
      assert.equal(late.status, 404, late.raw);
      assert.ok(!(await bob.c.get('/api/portal/vault/accounts')).body.items.some((a: { id: string }) => a.id === id));
      assert.equal((await reveal(alice, id, 'password')).body.value, 'Shared-Pass-2!');
      const actions = (await auditRows()).filter((r) => r.target_id === id).map((r) => r.action);
      for (const a of ['vault.account_created', 'vault.account_assigned', 'vault.account_updated', 'vault.account_unassigned'])
        assert.ok(actions.includes(a), a);
      assert.ok(!JSON.stringify(await auditRows()).includes('Shared-Pass-2!'));
    });

    it('gives a shared account to every employee of a department it is assigned to', async () => {
      const company = await admin.post('/api/companies', { name: `Corp ${engine}` });
      const dept = await admin.post(`/api/companies/${company.body.id}/departments`, { name: 'Sales' });
      assert.equal(dept.status, 201, dept.raw);
      const carol = await person();
      assert.equal((await admin.patch(`/api/employees/${carol.e.id}`, { departmentId: dept.body.id })).status, 200);
      const shared = await admin.post('/api/vault/shared-accounts', {
        name: 'Sales CRM',
        password: 'Dept-Pass-1!',
        workstationUse: true,
        assignments: { departmentIds: [dept.body.id] },
      });
      assert.equal(shared.status, 201, shared.raw);
      assert.equal((await reveal(carol, shared.body.id, 'password')).body.value, 'Dept-Pass-1!');
      assert.equal((await reveal(bob, shared.body.id, 'password')).status, 404);
      const delivered = await t.services.vaultAccounts.accountsForWorkstation(carol.e.id);
      assert.deepEqual(
        delivered.map((d) => [d.name, d.password]),
        [['Sales CRM', 'Dept-Pass-1!']],
      );
      assert.equal((await admin.request('PUT', `/api/vault/shared-accounts/${shared.body.id}/assignments`, {})).status, 200);
      assert.deepEqual(await t.services.vaultAccounts.accountsForWorkstation(carol.e.id), []);
      const unknown = await admin.request('PUT', `/api/vault/shared-accounts/${shared.body.id}/assignments`, { employeeIds: [crypto.randomUUID()] });
      assert.equal(unknown.body.error.code, 'vault.assignee_not_found');
    });

    it('generates a password by policy when none is given, and through the generator endpoint', async () => {
      const gen = await alice.c.post('/api/portal/vault/password-generator', { length: 40, symbols: false });
      assert.equal(gen.status, 200);
      assert.match(gen.body.password, /^[A-Za-z0-9]{40}$/);
      assert.doesNotMatch(gen.body.password, /[Il1O0o]/, 'ambiguous characters are left out by default');
      const none = await alice.c.post('/api/portal/vault/password-generator', { upper: false, lower: false, digits: false, symbols: false });
      assert.equal(none.body.error.code, 'vault.policy_invalid');
      const created = await alice.c.post('/api/portal/vault/accounts', {
        name: 'Generated',
        generatePassword: true,
        passwordPolicy: { length: 28, symbols: false },
      });
      assert.equal(created.body.hasPassword, true);
      assert.match((await reveal(alice, created.body.id, 'password')).body.value, /^[A-Za-z0-9]{28}$/);
      assert.equal((await admin.post('/api/vault/password-generator', {})).body.password.length, 20);
    });

    it('makes accounts from templates and lets admins manage templates', async () => {
      const tpl = await admin.post('/api/vault/templates', { name: 'GitHub', urls: ['https://github.com/login'], loginHint: 'your GitHub user name' });
      assert.equal(tpl.status, 201, tpl.raw);
      assert.equal((await admin.post('/api/vault/templates', { name: ' github ' })).body.error.code, 'vault.template_name_in_use');
      assert.ok((await alice.c.get('/api/portal/vault/templates')).body.items.some((x: { id: string }) => x.id === tpl.body.id));
      const acc = await alice.c.post('/api/portal/vault/accounts/from-template', { templateId: tpl.body.id, login: 'alice-gh', generatePassword: true });
      assert.equal(acc.status, 201, acc.raw);
      assert.deepEqual([acc.body.name, acc.body.urls, acc.body.templateId], ['GitHub', ['https://github.com/login'], tpl.body.id]);
      assert.equal((await admin.patch(`/api/vault/templates/${tpl.body.id}`, { urls: ['https://github.com'] })).status, 200);
      assert.equal((await admin.delete(`/api/vault/templates/${tpl.body.id}`)).status, 204);
      const after = (await alice.c.get('/api/portal/vault/accounts')).body.items.find((a: { id: string }) => a.id === acc.body.id);
      assert.deepEqual([after.urls, after.templateId], [['https://github.com/login'], null], 'the account keeps its own copy');
      assert.equal((await alice.c.post('/api/portal/vault/accounts/from-template', { templateId: tpl.body.id })).body.error.code, 'vault.template_not_found');
    });

    it("lists an employee's accounts for the console without any secret", async () => {
      const res = await admin.get(`/api/employees/${alice.e.id}/vault-accounts`);
      assert.equal(res.status, 200);
      assert.ok(res.body.items.length >= 3);
      assert.ok(!/Pass|SECRETNOTE|JBSWY3DP/.test(res.raw.replace(/"has(Password|Otp|Notes)"/g, '')), res.raw);
      assert.equal((await admin.get(`/api/employees/${crypto.randomUUID()}/vault-accounts`)).status, 404);
      assert.equal((await alice.c.get(`/api/employees/${alice.e.id}/vault-accounts`)).status, 401);
    });

    it('refuses hostile text with a clear 400 and keeps odd but printable text as typed', async () => {
      const bad = [
        { name: 'a\u0000b' },
        { name: 'x', urls: ['javascript:alert(1)'] },
        { name: 'x', urls: ['data:text/html,<script>alert(1)</script>'] },
        { name: 'x', login: 'a\nb' },
        { name: '' },
        { name: 'x', otp: 'otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1' },
        { name: 'x', otp: 'not base32 !!' },
        { name: 'x', password: 'p'.repeat(1001) },
        { name: 'x', extra: true },
      ];
      for (const body of bad) {
        const res = await alice.c.post('/api/portal/vault/accounts', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.raw}`);
        assert.match(res.body.error.code, /^(request\.validation_failed|vault\.otp_invalid|request\.invalid_text)$/);
      }
      const odd = "<img src=x onerror=alert(1)> ‮gnp.exe 🙂 ' OR 1=1 --";
      const ok = await alice.c.post('/api/portal/vault/accounts', { name: odd, login: odd, password: odd, notes: `${odd}\nline 2` });
      assert.equal(ok.status, 201, ok.raw);
      assert.equal(ok.body.name, odd);
      assert.equal((await reveal(alice, ok.body.id, 'notes')).body.value, `${odd}\nline 2`);
      assert.equal((await reveal(alice, ok.body.id, 'password')).body.value, odd);
    });

    it('edits and deletes personal accounts, removing a secret with null', async () => {
      const id = (await alice.c.post('/api/portal/vault/accounts', { name: 'Edit me', password: 'Edit-1!', notes: 'x' })).body.id;
      const res = await alice.c.patch(`/api/portal/vault/accounts/${id}`, { name: 'Edited', notes: null, urls: ['https://e.example'] });
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual([res.body.name, res.body.hasNotes, res.body.hasPassword], ['Edited', false, true]);
      assert.equal((await reveal(alice, id, 'notes')).body.error.code, 'vault.field_empty');
      assert.equal((await alice.c.delete(`/api/portal/vault/accounts/${id}`)).status, 204);
      assert.equal((await alice.c.delete(`/api/portal/vault/accounts/${id}`)).status, 404);
      const actions = (await auditRows()).filter((r) => r.target_id === id).map((r) => r.action);
      assert.deepEqual(actions.filter((a) => String(a).startsWith('vault.account_')).sort(), [
        'vault.account_created',
        'vault.account_deleted',
        'vault.account_updated',
      ]);
    });

    it('rate-limits failed passkey checks per address', async () => {
      // A clock that stands still: the budget is per address and per minute (a fixed window), so the
      // five tries must not straddle a minute's turn.
      const limited = await createTestApp({ engine, credentialLimit: 3, clock: manualClock(new Date()) });
      try {
        const e = await createEmployee(limited);
        const key = softKeys.yubikey();
        await registerKey(limited, e, key);
        const c = new Client(limited.app);
        assert.equal((await passkeySignIn(c, key)).status, 200);
        const id = (await c.post('/api/portal/vault/accounts', { name: 'Limited', password: 'L-1!' })).body.id;
        const codes: number[] = [];
        for (let i = 0; i < 5; i++) {
          const start = await c.post(`/api/portal/vault/accounts/${id}/reveal/options`, { field: 'password' });
          const response = key.authenticate(start.body.options, { origin: 'https://phish.example' });
          codes.push((await c.post(`/api/portal/vault/accounts/${id}/reveal`, { ceremonyId: start.body.ceremonyId, response, field: 'password' })).status);
        }
        assert.deepEqual(codes.slice(0, 3), [400, 400, 400]);
        assert.equal(codes[4], 429);
      } finally {
        await limited.close();
      }
    });
  });
}
