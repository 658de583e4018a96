import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { fakeDirectory } from '../../test/helpers/fake-directory.js';
import { ORIGIN, passkeySignIn, registerKey } from '../../test/helpers/signin.js';
import { SoftAuthenticator, softKeys } from '../../test/helpers/soft-authenticator.js';
import type { EmployeeDto } from '../employees/employee.schemas.js';

/**
 * A key's life with its employee, through the API as the admin and the employee would drive it:
 * activation with the code on /enroll by a software security key (the reserved model only),
 * attempts and expiry of the code, sign-in refused while the key is not Active, and Compromised
 * revoking the credential, ending the sessions and rotating the directory password at once.
 */
const YUBIKEY = 'ee882879-721c-4913-9775-3dfcce97072a';
const OTHER_MODEL = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const DANA = 'dana.dunn@corp.example.test';

for (const engine of ENGINES) {
  describe(`hardware key activation, sign-in and compromise (${engine})`, () => {
    const clock = manualClock(new Date());
    const directory = fakeDirectory([
      { externalId: '6f1c1f8e-0d7c-4a4e-9d50-2f6a9f3f0001', username: 'dana', email: DANA, givenName: 'Dana', surname: 'Dunn' },
    ]);
    let t: TestApp;
    let admin: Client;
    let dana: { id: string; email: string };
    let serial = 0;
    let domainId: string;

    async function reservedKey(aaguid: string | null = YUBIKEY): Promise<{ id: string; code: string }> {
      serial++;
      const csv = `serial,model,aaguid\nACT-${engine}-${serial},YubiKey 5 NFC,${aaguid ?? '00000000-0000-0000-0000-000000000000'}`;
      assert.equal((await admin.post('/api/hardware-keys/import', { csv })).body.created, 1);
      const id = (await admin.get(`/api/hardware-keys?q=ACT-${engine}-${serial}`)).body.items.find(
        (k: { serial: string }) => k.serial === `ACT-${engine}-${serial}`,
      ).id;
      const res = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'reserved', reason: 'issue to Dana', employeeId: dana.id });
      assert.equal(res.status, 200, res.raw);
      return { id, code: res.body.activationCode };
    }

    /** The employee's side of /enroll with the code. */
    async function enrol(client: Client, code: string, key: SoftAuthenticator, email = DANA) {
      const start = await client.post('/api/enroll/activation/options', { email, code });
      if (start.status !== 200) return start;
      assert.equal(start.body.options.attestation, 'direct', 'the model is asked for');
      return client.post('/api/enroll/activation/verify', {
        email,
        code,
        ceremonyId: start.body.ceremonyId,
        response: key.register(start.body.options, { origin: ORIGIN }),
      });
    }

    const stateOf = async (id: string) => (await admin.get(`/api/hardware-keys/${id}`)).body;

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
      domainId = domain.body.id;
      const run = await admin.post(`/api/directory/domains/${domain.body.id}/sync`, { wait: true });
      assert.equal(run.body.status, 'succeeded', run.raw);
      const found = (await admin.get(`/api/employees?q=${encodeURIComponent(DANA)}`)).body.items[0];
      dana = { id: found.id, email: found.email };
    });
    after(() => t.close());

    it('rotates on a passkey only where the domain lets the portal deliver, and never on a credential of a key that is not Active', async () => {
      const rotation = async () => (await admin.get(`/api/employees/${dana.id}/password-rotation`)).body.code;
      assert.equal(await rotation(), 'no_active_key');
      const { id, code } = await reservedKey();
      assert.equal((await enrol(new Client(t.app), code, softKeys.yubikey())).status, 200);
      assert.equal(await rotation(), 'eligible');
      assert.equal((await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'suspended', reason: 'on leave' })).status, 200);
      assert.equal(await rotation(), 'no_active_key');
      assert.equal((await admin.patch(`/api/directory/domains/${domainId}`, { rotationDelivery: 'key_or_portal' })).status, 200);
      assert.equal(await rotation(), 'no_active_key', "the suspended key's credential signs in nowhere, so it delivers nothing");
      const passkey = await registerKey(t, { id: dana.id, email: dana.email } as EmployeeDto, softKeys.yubikey());
      assert.equal(await rotation(), 'eligible', 'a credential bound to no inventory key, for the portal, is enough where the domain allows it');
      assert.equal((await admin.patch(`/api/directory/domains/${domainId}`, { rotationDelivery: 'key' })).status, 200);
      assert.equal(await rotation(), 'no_active_key');
      assert.equal((await admin.delete(`/api/employees/${dana.id}/credentials/${passkey.id}`)).status, 204);
    });

    it('activates a reserved key with its code: the credential is bound, the key Active, the employee signed in', async () => {
      const { id, code } = await reservedKey();
      const employee = new Client(t.app);
      const res = await enrol(employee, code.toLowerCase().replace(/-/g, ' '), softKeys.yubikey());
      assert.equal(res.status, 200, res.raw);
      const key = await stateOf(id);
      assert.equal(key.state, 'active');
      assert.deepEqual(key.credentialIds, [res.body.credential.id]);
      assert.equal(key.activation, null, 'the code is used up');
      assert.equal(key.history[0].actor.type, 'employee');
      assert.equal((await employee.get('/api/portal/me')).status, 200);
      assert.equal((await enrol(new Client(t.app), code, softKeys.yubikey())).body.error.code, 'hardware_keys.activation_invalid', 'one time only');
      assert.ok((await t.services.hardwareKeys.findActiveKeyHolders([dana.id])).has(dana.id), 'rotation applies to an Active key holder');
    });

    it('refuses a credential from another model than the reserved one, and keeps the key waiting', async () => {
      const { id, code } = await reservedKey();
      const other = new SoftAuthenticator({ aaguid: OTHER_MODEL, attachment: 'cross-platform', transports: ['usb'] });
      const before = (await admin.get(`/api/employees/${dana.id}/credentials`)).body.items?.length;
      const res = await enrol(new Client(t.app), code, other);
      assert.equal(res.status, 403, res.raw);
      assert.equal(res.body.error.code, 'hardware_keys.model_mismatch');
      assert.match(res.body.error.message, new RegExp(OTHER_MODEL));
      assert.equal((await stateOf(id)).state, 'reserved');
      assert.equal((await admin.get(`/api/employees/${dana.id}/credentials`)).body.items?.length, before, 'no credential was stored');
      const audit = await admin.get(`/api/audit?action=hardware_key.activation_failed&targetId=${id}`);
      assert.equal(audit.body.items[0].details.reason, 'hardware_keys.model_mismatch');
    });

    it('locks the key after 5 wrong codes; unlocking issues a new code and the old one is dead', async () => {
      const { id, code } = await reservedKey();
      for (let i = 1; i <= 5; i++) {
        const res = await enrol(new Client(t.app), 'AAAA-BBBB-CCCC-DDDD', softKeys.yubikey());
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'hardware_keys.activation_invalid');
      }
      let key = await stateOf(id);
      assert.equal(key.state, 'locked');
      assert.equal(key.history[0].actor.type, 'system');
      assert.equal((await enrol(new Client(t.app), code, softKeys.yubikey())).status, 401, 'the right code no longer works');
      const unlock = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'reserved', reason: 'employee mistyped' });
      assert.equal(unlock.status, 200, unlock.raw);
      assert.notEqual(unlock.body.activationCode, code);
      assert.equal((await enrol(new Client(t.app), code, softKeys.yubikey())).status, 401);
      assert.equal((await enrol(new Client(t.app), unlock.body.activationCode, softKeys.yubikey())).status, 200);
      key = await stateOf(id);
      assert.equal(key.state, 'active');
    });

    it('answers an unknown address like a wrong code, and refuses an expired code', async () => {
      const { id, code } = await reservedKey();
      const unknown = await enrol(new Client(t.app), code, softKeys.yubikey(), 'nobody@corp.example.test');
      assert.equal(unknown.body.error.code, 'hardware_keys.activation_invalid');
      clock.advance(73 * 3600_000);
      const late = await enrol(new Client(t.app), code, softKeys.yubikey());
      clock.advance(-73 * 3600_000);
      assert.equal(late.status, 401);
      assert.equal(late.body.error.code, 'hardware_keys.activation_invalid');
      assert.equal((await stateOf(id)).state, 'reserved');
    });

    it('refuses, audited, a sign-in with a credential whose key is suspended, and signs in again once resumed', async () => {
      const { id, code } = await reservedKey();
      const yubikey = softKeys.yubikey();
      assert.equal((await enrol(new Client(t.app), code, yubikey)).status, 200);
      assert.equal((await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'suspended', reason: 'on leave' })).status, 200);
      const refused = await passkeySignIn(new Client(t.app), yubikey);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'signin.hardware_key_not_active');
      assert.match(refused.body.error.message, /suspended/);
      const audit = await admin.get(`/api/audit?action=employee.sign_in&outcome=failure&targetId=${dana.id}`);
      assert.equal(audit.body.items[0].details.reason, 'hardware key not active');
      assert.equal(audit.body.items[0].details.keyState, 'suspended');
      assert.equal((await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'active', reason: 'back' })).status, 200);
      assert.equal((await passkeySignIn(new Client(t.app), yubikey)).status, 200);
    });

    it('on Compromised revokes the credential, ends the sessions and rotates the directory password at once', async () => {
      const { id, code } = await reservedKey();
      const yubikey = softKeys.yubikey();
      const employee = new Client(t.app);
      const enrolled = await enrol(employee, code, yubikey);
      assert.equal(enrolled.status, 200);
      assert.equal((await employee.get('/api/portal/me')).status, 200);
      const writes = directory.written.length;
      const res = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'compromised', reason: 'stolen with the laptop bag' });
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(res.body.compromise, { credentialsRevoked: 1, sessionsEnded: true, passwordsRotated: 1, passwordsFailed: 0 });
      assert.equal((await employee.get('/api/portal/me')).status, 401, 'the session ended');
      const credentials = (await admin.get(`/api/employees/${dana.id}/credentials`)).body.items ?? [];
      assert.ok(!credentials.some((c: { id: string }) => c.id === enrolled.body.credential.id), 'the credential is revoked');
      assert.equal(directory.written.length, writes + 1, 'the directory got a new password');
      assert.equal(directory.written.at(-1)!.username, 'dana');
      const rotated = await admin.get(`/api/audit?action=directory.password_rotated&targetId=${dana.id}`);
      assert.equal(rotated.body.items[0].details.reason, 'key_compromised');
      assert.equal((await passkeySignIn(new Client(t.app), yubikey)).status, 401, 'the key signs in no more');
      const key = await stateOf(id);
      assert.deepEqual([key.state, key.credentialIds, key.allowedTransitions], ['compromised', [], []]);
    });

    it('mails the activation code when asked, and never keeps it in the clear', async () => {
      serial++;
      await admin.post('/api/hardware-keys/import', { csv: `MAIL-${engine}-${serial},YubiKey 5 NFC,${YUBIKEY}` });
      const id = (await admin.get(`/api/hardware-keys?q=MAIL-${engine}-${serial}`)).body.items[0].id;
      const res = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'reserved', reason: 'by post', employeeId: dana.id, mailCode: true });
      assert.equal(res.status, 200, res.raw);
      const mails = (await t.services.mail.list({ page: 1, pageSize: 50 })).items.filter((m) => m.relatedId === id);
      assert.deepEqual(
        mails.map((m) => [m.toAddress, m.subject]),
        [[DANA, 'Activate your security key']],
      );
      const dump = JSON.stringify(await t.db.database.query('SELECT * FROM hardware_keys, mail_outbox'));
      assert.ok(!dump.includes(res.body.activationCode) && !dump.includes(res.body.activationCode.replace(/-/g, '')), 'neither table holds the code');
    });

    it('removes the credentials of a deactivated (returned) key', async () => {
      const { id, code } = await reservedKey();
      const yubikey = softKeys.yubikey();
      assert.equal((await enrol(new Client(t.app), code, yubikey)).status, 200);
      assert.equal((await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'deactivated', reason: 'returned on leaving' })).status, 200);
      assert.deepEqual((await stateOf(id)).credentialIds, []);
      assert.equal((await passkeySignIn(new Client(t.app), yubikey)).status, 401);
    });
  });
}
