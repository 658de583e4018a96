import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { createEmployee, DEFAULT_POLICY, ORIGIN, passkeySignIn, setPolicy } from '../../test/helpers/signin.js';
import { SoftAuthenticator } from '../../test/helpers/soft-authenticator.js';

/**
 * A key's access profile applied where the employee meets it, through the API as the employee's
 * browser would drive it: at activation on /enroll (user verification asked for and its flag
 * required, allowed models, the reported minimum PIN length) and at sign-in (a credential of a key
 * whose profile requires UV refused, audited, without the UV flag). The organisation's policy is
 * set to "preferred" user verification, so that what refuses is the profile, not the policy.
 */
const YUBIKEY = 'ee882879-721c-4913-9775-3dfcce97072a';
const FEITIAN = '833b721a-ff5f-4d00-bb2e-bdda3ec01e29';

const yubikey = (o: { userVerified?: boolean; minPinLength?: number } = {}) =>
  new SoftAuthenticator({ aaguid: YUBIKEY, attachment: 'cross-platform', transports: ['usb'], ...o });

for (const engine of ENGINES) {
  describe(`access profiles at enrolment and sign-in (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let employee: { id: string; email: string };
    let n = 0;

    /** A key reserved for the employee, with this profile of its own (or none). */
    async function reservedKey(profile?: Record<string, unknown>): Promise<{ id: string; code: string }> {
      n++;
      const serial = `ENF-${engine}-${n}`;
      assert.equal((await admin.post('/api/hardware-keys/import', { csv: `${serial},YubiKey 5 NFC,${YUBIKEY}` })).body.created, 1);
      const id = (await admin.get(`/api/hardware-keys?q=${serial}`)).body.items[0].id;
      if (profile) {
        const p = await admin.post('/api/access-profiles', { name: `P ${engine} ${n}`, ...profile });
        assert.equal(p.status, 201, p.raw);
        assert.equal((await admin.request('PUT', `/api/hardware-keys/${id}/access-profile`, { accessProfileId: p.body.id })).status, 200);
      }
      const res = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'reserved', reason: 'issue', employeeId: employee.id });
      assert.equal(res.status, 200, res.raw);
      return { id, code: res.body.activationCode };
    }

    async function start(client: Client, code: string) {
      const res = await client.post('/api/enroll/activation/options', { email: employee.email, code });
      assert.equal(res.status, 200, res.raw);
      return res.body;
    }
    const verify = (client: Client, code: string, ceremonyId: string, response: unknown) =>
      client.post('/api/enroll/activation/verify', { email: employee.email, code, ceremonyId, response });
    async function enrol(code: string, key: SoftAuthenticator) {
      const client = new Client(t.app);
      const s = await start(client, code);
      return verify(client, code, s.ceremonyId, key.register(s.options, { origin: ORIGIN }));
    }
    const keyOf = async (id: string) => (await admin.get(`/api/hardware-keys/${id}`)).body;
    const credentialCount = async () => (await admin.get(`/api/employees/${employee.id}/credentials`)).body.items.length;
    const lastAudit = async (action: string, targetId: string) =>
      (await admin.get(`/api/audit?action=${action}&targetId=${targetId}&pageSize=1`)).body.items[0];

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      const e = await createEmployee(t);
      employee = { id: e.id, email: e.email };
    });
    beforeEach(() => setPolicy(t, { ...DEFAULT_POLICY, userVerification: 'preferred', maxCredentialsPerEmployee: 50 } as never));
    after(() => t.close());

    it('asks for user verification and refuses a key that did not verify its user (the built-in default), keeping the key waiting', async () => {
      const { id, code } = await reservedKey();
      const client = new Client(t.app);
      const s = await start(client, code);
      assert.equal(s.options.authenticatorSelection.userVerification, 'required', 'the profile asks for it, whatever the policy');
      assert.equal(s.options.extensions?.minPinLength, undefined, 'no PIN length asked for without a minimum');
      const before = await credentialCount();
      const res = await verify(client, code, s.ceremonyId, yubikey({ userVerified: false }).register(s.options, { origin: ORIGIN }));
      assert.equal(res.status, 403, res.raw);
      assert.equal(res.body.error.code, 'access_profiles.user_verification_required');
      assert.match(res.body.error.message, /PIN/);
      assert.equal((await keyOf(id)).state, 'reserved');
      assert.equal(await credentialCount(), before, 'no credential was stored');
      assert.equal((await lastAudit('hardware_key.activation_failed', id)).details.reason, 'access_profiles.user_verification_required');
      // The ceremony is spent: the same one cannot be finished by another answer.
      const replay = await verify(client, code, s.ceremonyId, yubikey().register(s.options, { origin: ORIGIN }));
      assert.equal(replay.body.error.code, 'webauthn.challenge_invalid');
      // A fresh attempt with the PIN entered activates the key.
      const ok = await enrol(code, yubikey());
      assert.equal(ok.status, 200, ok.raw);
      assert.equal((await keyOf(id)).state, 'active');
    });

    it('lets a key enrol without user verification where its profile does not require it', async () => {
      const { id, code } = await reservedKey({ userVerificationRequired: false });
      const s = await start(new Client(t.app), code);
      assert.equal(s.options.authenticatorSelection.userVerification, 'preferred', 'the policy applies');
      assert.equal((await enrol(code, yubikey({ userVerified: false }))).status, 200);
      assert.equal((await keyOf(id)).state, 'active');
    });

    it('refuses a model the profile does not allow, with a clear code', async () => {
      const { id, code } = await reservedKey({ allowedAaguids: [FEITIAN] });
      const res = await enrol(code, yubikey());
      assert.equal(res.status, 403, res.raw);
      assert.equal(res.body.error.code, 'access_profiles.aaguid_not_allowed');
      assert.match(res.body.error.message, new RegExp(YUBIKEY));
      assert.deepEqual(res.body.error.details.allowed, [FEITIAN]);
      assert.equal((await keyOf(id)).state, 'reserved');
      assert.equal((await lastAudit('hardware_key.activation_failed', id)).details.reason, 'access_profiles.aaguid_not_allowed');
    });

    it('asks for the minimum PIN length and refuses a key that allows shorter PINs', async () => {
      const { id, code } = await reservedKey({ minPinLength: 8 });
      const client = new Client(t.app);
      const s = await start(client, code);
      assert.equal(s.options.extensions.minPinLength, true);
      const res = await verify(client, code, s.ceremonyId, yubikey({ minPinLength: 6 }).register(s.options, { origin: ORIGIN }));
      assert.equal(res.status, 403, res.raw);
      assert.equal(res.body.error.code, 'access_profiles.pin_too_short');
      assert.deepEqual([res.body.error.details.required, res.body.error.details.reported], [8, 6]);
      assert.equal((await keyOf(id)).state, 'reserved');
      const ok = await enrol(code, yubikey({ minPinLength: 8 }));
      assert.equal(ok.status, 200, ok.raw);
      const activated = await lastAudit('hardware_key.activated', id);
      assert.deepEqual(activated.details.pinLength, { required: 8, reported: 8, outcome: 'verified' });
    });

    it('records that the PIN length was not verifiable when the key does not report it', async () => {
      const { id, code } = await reservedKey({ minPinLength: 6 });
      const ok = await enrol(code, yubikey());
      assert.equal(ok.status, 200, ok.raw);
      const key = await keyOf(id);
      assert.equal(key.state, 'active');
      assert.match(key.history[0].reason, /minimum PIN length 6 not verifiable/);
      assert.deepEqual((await lastAudit('hardware_key.activated', id)).details.pinLength, { required: 6, reported: null, outcome: 'not_verifiable' });
    });

    it('a credential whose key requires UV never signs in without the UV flag, audited; once the profile allows it, it does', async () => {
      const { id, code } = await reservedKey({ userVerificationRequired: true });
      const soft = yubikey();
      assert.equal((await enrol(code, soft)).status, 200);
      assert.equal((await passkeySignIn(new Client(t.app), soft)).status, 200, 'with UV it signs in');
      // The same key, now answering without verifying its user (no PIN asked, or a client that skips it).
      (soft.options as { userVerified?: boolean }).userVerified = false;
      const refused = await passkeySignIn(new Client(t.app), soft);
      assert.equal(refused.status, 403, refused.raw);
      assert.equal(refused.body.error.code, 'signin.user_verification_required');
      const audit = (await admin.get(`/api/audit?action=employee.sign_in&outcome=failure&targetId=${employee.id}&pageSize=1`)).body.items[0];
      assert.equal(audit.details.reason, 'user verification required by the key access profile');
      assert.equal(audit.details.key, (await keyOf(id)).serial);
      // The e-mail-first path is refused the same way.
      assert.equal((await passkeySignIn(new Client(t.app), soft, {}, { email: employee.email })).body.error.code, 'signin.user_verification_required');
      const relaxed = (await admin.post('/api/access-profiles', { name: `Relaxed ${engine}`, userVerificationRequired: false })).body;
      await admin.request('PUT', `/api/hardware-keys/${id}/access-profile`, { accessProfileId: relaxed.id });
      assert.equal((await passkeySignIn(new Client(t.app), soft)).status, 200);
    });

    it('a default profile applies to keys without their own, at enrolment and at sign-in', async () => {
      const def = (await admin.post('/api/access-profiles', { name: `Default ${engine}`, isDefault: true, userVerificationRequired: false })).body;
      try {
        const { code } = await reservedKey();
        const soft = yubikey({ userVerified: false });
        assert.equal((await enrol(code, soft)).status, 200);
        assert.equal((await passkeySignIn(new Client(t.app), soft)).status, 200);
        await admin.patch(`/api/access-profiles/${def.id}`, { userVerificationRequired: true });
        assert.equal((await passkeySignIn(new Client(t.app), soft)).body.error.code, 'signin.user_verification_required');
      } finally {
        await admin.patch(`/api/access-profiles/${def.id}`, { isDefault: false });
      }
    });
  });
}
