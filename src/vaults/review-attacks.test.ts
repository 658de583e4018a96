import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compactDecrypt, exportJWK, importJWK } from 'jose';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { fakeDirectory } from '../../test/helpers/fake-directory.js';
import { ORIGIN, passkeySignIn } from '../../test/helpers/signin.js';
import { type SoftAuthenticator, softKeys } from '../../test/helpers/soft-authenticator.js';
import { enrollSoftwareAgent, type SoftwareAgent } from '../../test/helpers/software-agent.js';
import * as workstationRepo from '../workstations/workstation.repository.js';

/**
 * Attacks on the hardware-key lifecycle and the workstation delivery that an earlier review found
 * open, each kept as a test (both engines): a Suspended key's credential signing in again once the
 * key's inventory row is deleted, and vault accounts marked for workstation use never reaching the
 * workstation.
 */
const YUBIKEY = 'ee882879-721c-4913-9775-3dfcce97072a';
const OTHER_MODEL = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const DANA = 'dana@corp.example.test';

for (const engine of ENGINES) {
  describe(`review attacks on keys and delivery (${engine})`, () => {
    const clock = manualClock(new Date());
    const directory = fakeDirectory([
      { externalId: '6f1c1f8e-0d7c-4a4e-9d50-2f6a9f3f0a01', username: 'dana', upn: DANA, email: DANA, givenName: 'Dana', surname: 'Review' },
    ]);
    let t: TestApp;
    let admin: Client;
    let danaId: string;
    let agent: SoftwareAgent;
    let serial = 0;

    /** Imports, reserves and activates a key for Dana; the client is Dana's signed-in portal session. */
    async function activeKey(authenticator: SoftAuthenticator): Promise<{ id: string; portal: Client }> {
      serial++;
      const csv = `serial,model,aaguid\nREV-${engine}-${serial},YubiKey 5 NFC,${YUBIKEY}`;
      assert.equal((await admin.post('/api/hardware-keys/import', { csv })).body.created, 1);
      const id = (await admin.get(`/api/hardware-keys?q=REV-${engine}-${serial}`)).body.items[0].id;
      const reserved = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'reserved', reason: 'issued', employeeId: danaId });
      assert.equal(reserved.status, 200, reserved.raw);
      const portal = new Client(t.app);
      const code = reserved.body.activationCode;
      const start = await portal.post('/api/enroll/activation/options', { email: DANA, code });
      assert.equal(start.status, 200, start.raw);
      const done = await portal.post('/api/enroll/activation/verify', {
        email: DANA,
        code,
        ceremonyId: start.body.ceremonyId,
        response: authenticator.register(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(done.status, 200, done.raw);
      return { id, portal };
    }

    const call = async (url: string, payload: unknown) => {
      const r = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${await agent.assertion()}` }, payload: payload as never });
      return { status: r.statusCode, body: r.json(), raw: r.body };
    };

    before(async () => {
      t = await createTestApp({ engine, clock, connectorFactory: directory.factory });
      admin = await signedInAdmin(t);
      const domain = await admin.post('/api/directory/domains', {
        kind: 'ad',
        name: 'corp.example.test',
        secret: 'service-account-password',
        passwordChangeDays: 30,
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
      });
      assert.equal(domain.status, 201, domain.raw);
      assert.equal((await admin.post(`/api/directory/domains/${domain.body.id}/sync`, { wait: true })).body.status, 'succeeded');
      danaId = (await admin.get(`/api/employees?q=${DANA}`)).body.items[0].id;
      const token = (await admin.post('/api/workstation-enrolment-tokens', { name: 'review', maxUses: 2, autoApprove: true })).body.secret;
      agent = await enrollSoftwareAgent(t.app, { token });
    });
    after(() => t.close());

    it("attack: deleting a Suspended key's inventory row must not turn its credential back into one that signs in", async () => {
      const authenticator = softKeys.yubikey();
      const { id } = await activeKey(authenticator);
      assert.equal((await passkeySignIn(new Client(t.app), authenticator)).status, 200, 'Active: signs in');
      const suspended = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'suspended', reason: 'investigation' });
      assert.equal(suspended.status, 200, suspended.raw);
      const refused = await passkeySignIn(new Client(t.app), authenticator);
      assert.equal(refused.status, 403, refused.raw);
      assert.equal(refused.body.error.code, 'signin.hardware_key_not_active');

      // The legacy "remove key" of the employee page, on the Suspended key.
      const beforeRemoval = directory.passwords.get('dana');
      const removed = await admin.delete(`/api/employees/${danaId}/hardware-keys/${id}`);
      assert.equal(removed.status, 204, removed.raw);
      const after = await passkeySignIn(new Client(t.app), authenticator);
      assert.notEqual(after.status, 200, `the suspended key signed in once its row was gone: ${after.raw}`);
      const credentials = await t.services.webauthn.list('employee', danaId);
      assert.ok(
        !credentials.some((c) => c.credentialId === authenticator.credentials[0].id.toString('base64url')),
        'the credential the key held is removed with it',
      );
      const [audit] = (await admin.get('/api/audit?action=hardware_key.removed&pageSize=10')).body.items;
      assert.equal(audit.details.credentialsRemoved, 1);
      assert.notEqual(
        directory.passwords.get('dana'),
        beforeRemoval,
        'a key that left the inventory from the hands of its employee rotates their password, as a returned one does',
      );
    });

    it('attack: a Compromised key is never reusable, so its record cannot be deleted (and its serial re-added as Active)', async () => {
      const authenticator = softKeys.yubikey();
      const { id } = await activeKey(authenticator);
      const serialOf = (await admin.get(`/api/hardware-keys/${id}`)).body.serial;
      const lost = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'compromised', reason: 'lost on the train' });
      assert.equal(lost.status, 200, lost.raw);
      const removed = await admin.delete(`/api/employees/${danaId}/hardware-keys/${id}`);
      assert.equal(removed.status, 409, removed.raw);
      assert.equal(removed.body.error.code, 'hardware_keys.compromised_kept');
      assert.equal((await admin.get(`/api/hardware-keys/${id}`)).body.state, 'compromised');
      const again = await admin.post(`/api/employees/${danaId}/hardware-keys`, { serial: serialOf });
      assert.equal(again.status, 409, again.raw);
      assert.equal(again.body.error.code, 'hardware_keys.serial_in_use');
    });

    it('delivers the accounts marked for workstation use with the directory password, and only those', async () => {
      const authenticator = softKeys.yubikey();
      const { portal } = await activeKey(authenticator);
      const accounts = (await admin.get(`/api/employees/${danaId}/directory-accounts`)).body.items;
      assert.equal((await admin.post(`/api/employees/${danaId}/directory-accounts/${accounts[0].id}/password`, { generate: true })).status, 204);
      const forLogon = await portal.post('/api/portal/vault/accounts', {
        name: 'SAP GUI',
        login: 'dana.sap',
        password: 'Sap-Logon-Pass-1!',
        workstationUse: true,
      });
      assert.equal(forLogon.status, 201, forLogon.raw);
      assert.equal((await portal.post('/api/portal/vault/accounts', { name: 'Web only', password: 'Web-Only-Pass-1!', workstationUse: false })).status, 201);

      const start = await call('/api/agent/v1/credentials/options', { account: 'CORP\\dana' });
      assert.equal(start.status, 200, start.raw);
      const assertion = authenticator.authenticate(start.body.options, { origin: start.body.origin });
      const done = await call('/api/agent/v1/credentials', { requestId: start.body.requestId, assertion });
      assert.equal(done.status, 200, done.raw);
      assert.deepEqual(done.body.accounts, [
        { type: 'directory', name: 'corp.example.test\\dana' },
        { type: 'vault', name: 'SAP GUI' },
      ]);
      const [command] = (await workstationRepo.findOpenCommands(t.db.database.db, agent.workstationId, clock.now())).filter(
        (c) => c.id === done.body.commandId,
      );
      const jwk = await exportJWK(agent.privateKey);
      const { plaintext } = await compactDecrypt(command.payload.jwe as string, await importJWK({ ...jwk, alg: undefined }, 'ECDH-ES'));
      const content = JSON.parse(new TextDecoder().decode(plaintext));
      assert.deepEqual(
        content.accounts.map((a: { name: string; login: string; password: string }) => [a.name, a.login, a.password]),
        [['SAP GUI', 'dana.sap', 'Sap-Logon-Pass-1!']],
      );
      const all = JSON.stringify((await admin.get('/api/audit?pageSize=200')).body);
      assert.ok(!all.includes('Sap-Logon-Pass-1!'), 'no vault password in the audit log');
    });

    it('attack: a key whose model its access profile no longer allows must not sign in (the rule applies at sign-in, not only at activation and delivery)', async () => {
      const authenticator = softKeys.yubikey();
      const { id } = await activeKey(authenticator);
      assert.equal((await passkeySignIn(new Client(t.app), authenticator)).status, 200);
      // The model is banned after the key was activated (a firmware advisory, say).
      const profile = await admin.post('/api/access-profiles', {
        name: `Other model only ${engine}`,
        userVerificationRequired: true,
        minPinLength: null,
        allowedAaguids: [OTHER_MODEL],
        reauthMinutes: 480,
      });
      assert.equal(profile.status, 201, profile.raw);
      assert.equal((await admin.request('PUT', `/api/hardware-keys/${id}/access-profile`, { accessProfileId: profile.body.id })).status, 200);
      const refused = await passkeySignIn(new Client(t.app), authenticator);
      assert.equal(refused.status, 403, refused.raw);
      assert.equal(refused.body.error.code, 'signin.key_model_not_allowed');
      const [audit] = (await admin.get('/api/audit?action=employee.sign_in&outcome=failure&pageSize=5')).body.items;
      assert.equal(audit.details.reason, 'hardware key model not allowed by its access profile');
      // Allowed again: signs in.
      assert.equal((await admin.request('PUT', `/api/hardware-keys/${id}/access-profile`, { accessProfileId: null })).status, 200);
      assert.equal((await passkeySignIn(new Client(t.app), authenticator)).status, 200);
    });

    /** The portal's passkey check for one field; the assertion made, not yet sent. */
    async function revealStart(portal: Client, authenticator: SoftAuthenticator, accountId: string, field: 'password' | 'notes') {
      const start = await portal.post(`/api/portal/vault/accounts/${accountId}/reveal/options`, { field });
      assert.equal(start.status, 200, start.raw);
      return { ceremonyId: start.body.ceremonyId as string, response: authenticator.authenticate(start.body.options, { origin: ORIGIN }) };
    }

    it('held: a reveal refuses a Suspended key (the portal session outlives the suspension), a challenge of another purpose or field, and a raced replay', async () => {
      const authenticator = softKeys.yubikey();
      const { id, portal } = await activeKey(authenticator);
      const account = await portal.post('/api/portal/vault/accounts', { name: 'Held', password: 'Held-Pass-1!', notes: 'held notes' });
      assert.equal(account.status, 201, account.raw);
      const url = `/api/portal/vault/accounts/${account.body.id}/reveal`;

      // Suspended after the employee signed in: the session stays, the key's assertion does not count.
      assert.equal((await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'suspended', reason: 'leave' })).status, 200);
      const suspended = await revealStart(portal, authenticator, account.body.id, 'password');
      const refused = await portal.post(url, { ...suspended, field: 'password' });
      assert.equal(refused.status, 401, refused.raw);
      assert.equal(refused.body.error.code, 'vault.reveal_refused');
      assert.ok(!refused.raw.includes('Held-Pass-1!'));
      assert.equal((await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'active', reason: 'back' })).status, 200);

      // A sign-in challenge (same employee, same key) is not a reveal challenge.
      const signIn = await new Client(t.app).post('/api/signin/webauthn/options', {});
      const confused = await portal.post(url, {
        ceremonyId: signIn.body.ceremonyId,
        response: authenticator.authenticate(signIn.body.options, { origin: ORIGIN }),
        field: 'password',
      });
      assert.equal(confused.status, 400, confused.raw);
      assert.equal(confused.body.error.code, 'webauthn.challenge_invalid');

      // Started for the notes, spent on the password: refused.
      const forNotes = await revealStart(portal, authenticator, account.body.id, 'notes');
      const otherField = await portal.post(url, { ...forNotes, field: 'password' });
      assert.equal(otherField.status, 400, otherField.raw);
      assert.equal(otherField.body.error.code, 'webauthn.challenge_invalid');

      // One assertion sent twice at once: exactly one reveal.
      const once = await revealStart(portal, authenticator, account.body.id, 'password');
      const raced = await Promise.all([portal.post(url, { ...once, field: 'password' }), portal.post(url, { ...once, field: 'password' })]);
      assert.deepEqual(raced.map((r) => r.status).sort(), [200, 400], raced.map((r) => r.raw).join(' | '));
    });

    it('held: one delivery assertion raced twice delivers once, and a reveal challenge is not a delivery challenge', async () => {
      const authenticator = softKeys.yubikey();
      const { portal } = await activeKey(authenticator);
      const start = await call('/api/agent/v1/credentials/options', { account: 'dana@corp.example.test' });
      assert.equal(start.status, 200, start.raw);
      const assertion = authenticator.authenticate(start.body.options, { origin: start.body.origin });
      const raced = await Promise.all([
        call('/api/agent/v1/credentials', { requestId: start.body.requestId, assertion }),
        call('/api/agent/v1/credentials', { requestId: start.body.requestId, assertion }),
      ]);
      assert.deepEqual(raced.map((r) => r.status).sort(), [200, 400], raced.map((r) => r.raw).join(' | '));

      const account = await portal.post('/api/portal/vault/accounts', { name: 'Purpose', password: 'Purpose-Pass-1!' });
      const reveal = await revealStart(portal, authenticator, account.body.id, 'password');
      const confused = await call('/api/agent/v1/credentials', { requestId: reveal.ceremonyId, assertion: reveal.response });
      assert.equal(confused.status, 400, confused.raw);
      assert.equal(confused.body.error.code, 'webauthn.challenge_invalid');
    });
  });
}
