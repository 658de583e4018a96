/**
 * Invitations as an administrator sends them and an employee uses them: the link only in the
 * mail (written with the invitation, in one transaction), one use, expiry, revocation, and the
 * enrolment by passkey or by password + TOTP that the link allows.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { createInvitationService } from './invitation.service.js';
import * as repo from './invitation.repository.js';
import { insertEmployee } from '../employees/employee.repository.js';
import { renderInvitationMail } from '../mail/mail.templates.js';
import { sha256 } from '../security/tokens.js';
import { totpCode } from '../security/totp.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { createEmployee, DEFAULT_POLICY, ORIGIN, passkeySignIn, setPolicy } from '../../test/helpers/signin.js';
import { softKeys } from '../../test/helpers/soft-authenticator.js';

const PASSWORD = 'a long and private passphrase';

describe('invitations and enrolment', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  let admin: Client;
  before(async () => {
    t = await createTestApp({ clock });
    admin = await signedInAdmin(t);
  });
  after(() => t.close());
  beforeEach(() => setPolicy(t, DEFAULT_POLICY));

  /** The link of an invitation, read from its (sealed) mail in the outbox as the mail worker would. */
  async function linkFromMail(invitationId: string): Promise<{ to: string; link: string; token: string }> {
    const [row] = await t.db.database.query<{ id: string; to_address: string; body: string }>(
      'SELECT id, to_address, body FROM mail_outbox WHERE related_id = $1',
      [invitationId],
    );
    assert.ok(row, 'the invitation has a mail');
    const { text, html } = JSON.parse(t.services.sealer.open(row.body, `mail_outbox.body:${row.id}`)) as { text: string; html: string };
    const link = /http:\/\/localhost:8080\/enroll\?token=[A-Za-z0-9_-]+/.exec(text)?.[0];
    assert.ok(link, 'the text part holds the link');
    assert.ok(html.includes(link), 'so does the HTML part');
    return { to: row.to_address, link, token: new URL(link).searchParams.get('token')! };
  }

  async function invite(employeeId: string) {
    const res = await admin.post(`/api/employees/${employeeId}/invitations`);
    assert.equal(res.status, 201, res.raw);
    return { invitation: res.body, ...(await linkFromMail(res.body.id)) };
  }

  it('sends the link by mail only: the API answers without it and the database keeps its hash', async () => {
    const employee = await createEmployee(t, { firstName: 'Ada' });
    const res = await admin.post(`/api/employees/${employee.id}/invitations`);
    assert.equal(res.status, 201);
    const expiresAt = new Date(clock.now().getTime() + 7 * 86_400_000).toISOString();
    assert.equal(res.body.status, 'open');
    assert.equal(res.body.expiresAt, expiresAt, 'settings.invitations.validityDays (7)');
    assert.equal(res.body.createdBy, 'root@corp.example');
    assert.deepEqual(res.body.mail, { status: 'pending', attempts: 0, lastError: null, sentAt: null });
    const { to, token } = await linkFromMail(res.body.id);
    assert.equal(to, employee.email);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits');
    assert.ok(!res.raw.includes(token));
    const [stored] = await t.db.database.query<{ token_hash: string }>('SELECT token_hash FROM invitations WHERE id = $1', [res.body.id]);
    assert.equal(stored.token_hash, sha256(token));

    const page = await new Client(t.app).get(`/api/enroll/${token}`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.body, {
      employee: { firstName: 'Ada', lastName: employee.lastName, email: employee.email },
      branding: { organisationName: 'Tessera', primaryColor: '#1c7ed6', hasLogo: false },
      policy: {
        allowPlatform: false,
        userVerification: 'required',
        allowPasswordSignIn: false,
        secondFactors: ['totp', 'passkey'],
        allowSecondFactorKeys: false,
        maxCredentialsPerEmployee: 5,
      },
      expiresAt,
    });
    assert.equal((await t.services.audit.find({ action: 'invitation.created', targetId: res.body.id }, { offset: 0, limit: 1 })).total, 1);
  });

  it('writes an invitation and its mail together: no invitation without its mail', async () => {
    const employee = await createEmployee(t);
    const broken = createInvitationService({
      db: t.services.db,
      audit: t.services.audit,
      clock,
      settings: t.services.settings,
      config: t.services.config,
      renderMail: renderInvitationMail,
      employees: t.services.employees,
      mail: {
        enqueue: async () => {
          throw new Error('outbox unavailable');
        },
        enqueueMany: async () => {
          throw new Error('outbox unavailable');
        },
        statusForRelated: async () => new Map(),
      },
    });
    await assert.rejects(broken.create(cliContext(), employee.id), /outbox unavailable/);
    assert.deepEqual((await admin.get(`/api/employees/${employee.id}/invitations`)).body, { items: [] });
  });

  it('enrols a security key by the link, signs the employee in, and uses the link up', async () => {
    const employee = await createEmployee(t);
    const { token } = await invite(employee.id);
    const browser = new Client(t.app);
    const key = softKeys.yubikey();
    const start = await browser.post(`/api/enroll/${token}/webauthn/options`, { kind: 'security_key' });
    assert.equal(start.status, 200, start.raw);
    assert.equal(start.body.options.authenticatorSelection.residentKey, 'required');
    const done = await browser.post(`/api/enroll/${token}/webauthn/verify`, {
      ceremonyId: start.body.ceremonyId,
      response: key.register(start.body.options, { origin: ORIGIN }),
      name: 'My key',
    });
    assert.equal(done.status, 200, done.raw);
    assert.equal(done.body.credential.name, 'My key');
    assert.equal(done.body.credential.type, 'security_key');
    assert.equal((await browser.get('/api/portal/me')).body.employee.id, employee.id, 'signed in');

    const used = await new Client(t.app).get(`/api/enroll/${token}`);
    assert.equal(used.status, 410);
    assert.equal(used.body.error.code, 'invitations.used');
    assert.equal((await new Client(t.app).post(`/api/enroll/${token}/webauthn/options`, { kind: 'security_key' })).body.error.code, 'invitations.used');
    assert.equal((await passkeySignIn(new Client(t.app), key)).status, 200, 'the key signs in from now on');
    const [listed] = (await admin.get(`/api/employees/${employee.id}/invitations`)).body.items;
    assert.equal(listed.status, 'used');
    assert.ok(listed.usedAt);
    const audit = (await t.services.audit.find({ action: 'invitation.used', targetId: listed.id }, { offset: 0, limit: 1 })).items[0];
    assert.equal(audit.actorType, 'employee');
  });

  it('uses a link once even when two enrolments race', async () => {
    await setPolicy(t, { allowPasswordSignIn: true });
    const employee = await createEmployee(t);
    const { token } = await invite(employee.id);
    const key = softKeys.yubikey();
    const a = new Client(t.app);
    const b = new Client(t.app);
    const totp = await a.post(`/api/enroll/${token}/totp/options`);
    const startB = await b.post(`/api/enroll/${token}/webauthn/options`, { kind: 'security_key' });
    const [byPassword, byKey] = await Promise.all([
      a.post(`/api/enroll/${token}/password`, { password: PASSWORD, totpCode: totpCode(totp.body.secret, clock.now().getTime()) }),
      b.post(`/api/enroll/${token}/webauthn/verify`, { ceremonyId: startB.body.ceremonyId, response: key.register(startB.body.options, { origin: ORIGIN }) }),
    ]);
    assert.deepEqual([byPassword.status, byKey.status].sort(), [200, 410]);
    const loser = byPassword.status === 410 ? byPassword : byKey;
    assert.equal(loser.body.error.code, 'invitations.used');
    const { hasPassword } = await t.services.employeeFactors.status(employee.id);
    const keys = await t.services.webauthn.list('employee', employee.id);
    assert.equal(Number(hasPassword) + keys.length, 1, 'exactly one enrolment was saved');
  });

  it('answers expired, revoked, replaced, unknown and malformed links clearly', async () => {
    const employee = await createEmployee(t);
    const first = await invite(employee.id);
    clock.advance(1000);
    const second = await invite(employee.id);
    const replaced = await new Client(t.app).get(`/api/enroll/${first.token}`);
    assert.equal(replaced.status, 410);
    assert.equal(replaced.body.error.code, 'invitations.revoked');
    assert.equal(second.invitation.status, 'open');
    assert.equal((await t.services.audit.find({ action: 'invitation.resent', targetId: second.invitation.id }, { offset: 0, limit: 1 })).total, 1);
    assert.deepEqual(
      (await admin.get(`/api/employees/${employee.id}/invitations`)).body.items.map((i: { status: string }) => i.status),
      ['open', 'revoked'],
    );

    assert.equal((await admin.delete(`/api/invitations/${second.invitation.id}`)).status, 204);
    assert.equal((await new Client(t.app).get(`/api/enroll/${second.token}`)).body.error.code, 'invitations.revoked');
    assert.equal((await admin.delete(`/api/invitations/${second.invitation.id}`)).status, 204, 'revoking twice is harmless');

    const third = await invite(employee.id);
    clock.advance(7 * 86_400_000 + 1000);
    const expired = await new Client(t.app).get(`/api/enroll/${third.token}`);
    assert.equal(expired.status, 410);
    assert.equal(expired.body.error.code, 'invitations.expired');
    assert.equal(
      (await new Client(t.app).post(`/api/enroll/${third.token}/webauthn/options`, { kind: 'security_key' })).body.error.code,
      'invitations.expired',
    );
    admin = await signedInAdmin(t); // a week later, the console session has ended too

    assert.equal((await new Client(t.app).get(`/api/enroll/${'A'.repeat(43)}`)).body.error.code, 'invitations.not_found');
    assert.equal((await new Client(t.app).get('/api/enroll/not-a-token')).status, 400);
    assert.equal((await new Client(t.app).post(`/api/enroll/${crypto.randomUUID()}/webauthn/options`, { kind: 'security_key' })).status, 404);
    assert.equal((await admin.delete(`/api/invitations/${crypto.randomUUID()}`)).body.error.code, 'invitations.not_found');
  });

  it('does not revoke a used invitation, and refuses invitations for inactive employees', async () => {
    const employee = await createEmployee(t);
    const { invitation, token } = await invite(employee.id);
    const key = softKeys.yubikey();
    const browser = new Client(t.app);
    const start = await browser.post(`/api/enroll/${token}/webauthn/options`, { kind: 'security_key' });
    await browser.post(`/api/enroll/${token}/webauthn/verify`, {
      ceremonyId: start.body.ceremonyId,
      response: key.register(start.body.options, { origin: ORIGIN }),
    });
    assert.equal((await admin.delete(`/api/invitations/${invitation.id}`)).body.error.code, 'invitations.used');

    const leaving = await createEmployee(t);
    const open = await invite(leaving.id);
    await t.services.employees.update(cliContext(), leaving.id, { status: 'disabled' });
    const page = await new Client(t.app).get(`/api/enroll/${open.token}`);
    assert.equal(page.status, 409);
    assert.equal(page.body.error.code, 'invitations.employee_inactive');
    const again = await admin.post(`/api/employees/${leaving.id}/invitations`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'invitations.employee_inactive');
    assert.equal((await admin.post(`/api/employees/${crypto.randomUUID()}/invitations`)).body.error.code, 'employees.not_found');
  });

  it('invites several employees at once, all or none, with an API key of scope write', async () => {
    const [a, b] = [await createEmployee(t), await createEmployee(t)];
    const disabled = await createEmployee(t, { status: 'disabled' });
    const { secret } = await t.services.apiKeys.create(cliContext(), { name: 'provisioning', scope: 'write' });
    const automation = new Client(t.app, { authorization: `Bearer ${secret}` });
    const none = await automation.post('/api/invitations', { employeeIds: [a.id, disabled.id] });
    assert.equal(none.status, 409);
    assert.match(none.body.error.message, new RegExp(disabled.email.replace(/\./g, '\\.')));
    assert.deepEqual((await admin.get(`/api/employees/${a.id}/invitations`)).body.items, [], 'nothing was sent');
    const all = await automation.post('/api/invitations', { employeeIds: [a.id, b.id, a.id] });
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.items.map((i: { employeeId: string }) => i.employeeId),
      [a.id, b.id],
    );
    assert.equal(all.body.items[0].createdBy, 'provisioning');
    const { secret: readOnly } = await t.services.apiKeys.create(cliContext(), { name: 'reporting', scope: 'read' });
    const reader = new Client(t.app, { authorization: `Bearer ${readOnly}` });
    assert.equal((await reader.post('/api/invitations', { employeeIds: [a.id] })).body.error.code, 'auth.insufficient_scope');
    assert.equal((await reader.get(`/api/employees/${a.id}/invitations`)).status, 200);
  });

  it('enrols a password with TOTP only where policy allows it', async () => {
    const employee = await createEmployee(t);
    const { token } = await invite(employee.id);
    const browser = new Client(t.app);
    assert.equal((await browser.post(`/api/enroll/${token}/totp/options`)).body.error.code, 'signin.method_not_allowed');
    assert.equal((await browser.post(`/api/enroll/${token}/webauthn/options`, { kind: 'passkey' })).body.error.code, 'webauthn.authenticator_not_allowed');

    await setPolicy(t, { allowPasswordSignIn: true, secondFactors: ['totp'] });
    assert.equal((await browser.post(`/api/enroll/${token}/password`, { password: PASSWORD, totpCode: '123456' })).body.error.code, 'portal.totp_not_pending');
    const setup = await browser.post(`/api/enroll/${token}/totp/options`);
    assert.equal(setup.status, 200);
    const code = totpCode(setup.body.secret, clock.now().getTime());
    assert.equal((await browser.post(`/api/enroll/${token}/password`, { password: 'short', totpCode: code })).body.error.code, 'signin.password_too_weak');
    assert.equal(
      (await browser.post(`/api/enroll/${token}/password`, { password: PASSWORD, totpCode: code === '000000' ? '111111' : '000000' })).body.error.code,
      'signin.invalid_totp',
    );
    const done = await browser.post(`/api/enroll/${token}/password`, { password: PASSWORD, totpCode: code });
    assert.equal(done.status, 200, done.raw);
    assert.deepEqual(done.body, { status: 'ok' });
    assert.deepEqual((await browser.get('/api/portal/me')).body.hasPassword, true);
    assert.equal((await new Client(t.app).get(`/api/enroll/${token}`)).body.error.code, 'invitations.used');

    clock.advance(30_000);
    const later = new Client(t.app);
    assert.deepEqual((await later.post('/api/signin/password', { email: employee.email, password: PASSWORD })).body.methods, ['totp']);
    assert.equal((await later.post('/api/signin/totp', { code: totpCode(setup.body.secret, clock.now().getTime()) })).status, 200);
  });
});

for (const engine of ENGINES) {
  describe(`invitation storage (${engine})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(engine);
    });
    after(() => t.close());

    it('uses an invitation up once, however many try at the same moment', async () => {
      const db = t.database.db;
      const employee = await insertEmployee(db, { email: `race.${engine}@corp.example`, firstName: 'R', lastName: 'Ace' });
      const now = new Date();
      const inv = await repo.insertInvitation(db, {
        employeeId: employee.id,
        tokenHash: sha256(crypto.randomUUID()),
        expiresAt: new Date(now.getTime() + 60_000),
      });
      const results = await Promise.all(Array.from({ length: 8 }, () => t.database.db.transaction((tx) => repo.consumeInvitation(tx, inv.id, now))));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await repo.revokeInvitationById(db, inv.id, now), undefined, 'a used invitation is not revoked');
    });

    it("revokes only the employee's open invitations", async () => {
      const db = t.database.db;
      const now = new Date();
      const employee = await insertEmployee(db, { email: `revoke.${engine}@corp.example`, firstName: 'Re', lastName: 'Voke' });
      const other = await insertEmployee(db, { email: `other.${engine}@corp.example`, firstName: 'Ot', lastName: 'Her' });
      const mk = (employeeId: string, expiresInMs: number) =>
        repo.insertInvitation(db, { employeeId, tokenHash: sha256(crypto.randomUUID()), expiresAt: new Date(now.getTime() + expiresInMs) });
      const open = await mk(employee.id, 60_000);
      const expired = await mk(employee.id, -60_000);
      const used = await mk(employee.id, 60_000);
      await repo.consumeInvitation(db, used.id, now);
      const othersOpen = await mk(other.id, 60_000);
      assert.deepEqual(
        (await repo.revokeOpenInvitations(db, employee.id, now)).map((i) => i.id),
        [open.id],
      );
      assert.equal((await repo.findInvitationById(db, expired.id))?.revokedAt, null);
      assert.equal((await repo.findInvitationById(db, othersOpen.id))?.revokedAt, null);
      assert.equal((await repo.findInvitationByTokenHash(db, open.tokenHash))?.id, open.id);
      assert.deepEqual((await repo.findInvitationsByEmployee(db, employee.id)).length, 3);
    });
  });
}
