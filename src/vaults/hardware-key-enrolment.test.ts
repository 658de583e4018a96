import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { attestationCertificate } from '../../test/helpers/key-attestation.js';
import { createEmployee, ORIGIN, passkeySignIn } from '../../test/helpers/signin.js';
import { type ClientOverrides, SoftAuthenticator, softKeys } from '../../test/helpers/soft-authenticator.js';
import { cliContext } from '../lib/context.js';

/**
 * Issue 14 §1: a key is "created when an employee enrols one (AAGUID and model from the
 * attestation where it is direct)". Through the API as the employee enrols (an invitation on
 * /enroll, or "add a security key" in the portal) with a software security key that gives a full
 * packed attestation, its certificate in x5c: the key appears in the inventory Active, bound to
 * the credential, with a history line saying where it came from. No attestation, self attestation
 * and a certificate chain that does not hold create nothing; a key reserved for the employee
 * still goes the activation-code way; the default access profile is applied at that enrolment.
 */
const YUBIKEY = 'ee882879-721c-4913-9775-3dfcce97072a';
const UNLISTED = '4b0fb9bc-3a0c-4e4b-9d39-5dd1e0b1a2c3';

type Overrides = Partial<ClientOverrides>;

for (const engine of ENGINES) {
  describe(`hardware keys created at enrolment (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let yubicoCert: Awaited<ReturnType<typeof attestationCertificate>>;
    let unlistedCert: Awaited<ReturnType<typeof attestationCertificate>>;

    /** The employee's side of /enroll with an invitation. */
    async function enrolByInvitation(employeeId: string, key: SoftAuthenticator, o: Overrides) {
      const { token } = await t.services.invitations.create(cliContext(), employeeId);
      const client = new Client(t.app);
      const start = await client.post(`/api/enroll/${token}/webauthn/options`, { kind: 'security_key' });
      assert.equal(start.status, 200, start.raw);
      const res = await client.post(`/api/enroll/${token}/webauthn/verify`, {
        ceremonyId: start.body.ceremonyId,
        response: key.register(start.body.options, { origin: ORIGIN, ...o }),
      });
      return { res, client };
    }
    const keysOf = async (employeeId: string) => {
      const res = await admin.get(`/api/employees/${employeeId}/hardware-keys`);
      assert.equal(res.status, 200, res.raw);
      return res.body.items as { id: string; serial: string; state: string; model: string | null; aaguid: string | null }[];
    };
    const detail = async (id: string) => (await admin.get(`/api/hardware-keys/${id}`)).body;
    const direct = (cert: typeof yubicoCert): Overrides => ({ attestation: 'packed', attestationCertificate: cert });

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      // Direct attestation is the organisation's choice (Settings → Authenticators).
      const set = await admin.patch('/api/settings', { authenticators: { attestation: 'direct' } });
      assert.equal(set.status, 200, set.raw);
      [yubicoCert, unlistedCert] = await Promise.all([
        attestationCertificate({ aaguid: YUBIKEY, organisation: 'Yubico AB', commonName: 'Yubico U2F EE Serial 61730834' }),
        attestationCertificate({ aaguid: UNLISTED, organisation: 'Acme Keys', commonName: 'Acme FIDO2 Key Mk II' }),
      ]);
    });
    after(() => t.close());

    it('creates an Active key bound to the credential, its model from the AAGUID list, with a history line and an audit event; it signs in', async () => {
      const employee = await createEmployee(t);
      const yubikey = softKeys.yubikey();
      const { res } = await enrolByInvitation(employee.id, yubikey, direct(yubicoCert));
      assert.equal(res.status, 200, res.raw);
      const [key] = await keysOf(employee.id);
      assert.ok(key, 'a key row was created');
      assert.equal(key.state, 'active');
      assert.equal(key.aaguid, YUBIKEY);
      assert.equal(key.model, 'YubiKey 5 Series');
      assert.match(key.serial, /^ENR-[0-9A-F]{12}$/);
      const d = await detail(key.id);
      assert.deepEqual(d.credentialIds, [res.body.credential.id]);
      assert.equal(d.history.length, 1);
      assert.equal(d.history[0].from, null);
      assert.equal(d.history[0].to, 'active');
      assert.match(
        d.history[0].reason,
        /created at enrolment from the key's direct attestation \(packed; certificate CN=Yubico U2F EE Serial 61730834, OU=Authenticator Attestation, O=Yubico AB, C=SE/,
      );
      assert.match(d.history[0].reason, /not checked against the vendor's root certificate/);
      assert.match(d.history[0].reason, new RegExp(`${key.serial} stands in for it`));
      assert.deepEqual(d.allowedTransitions.map((x: { to: string }) => x.to).sort(), ['compromised', 'deactivated', 'locked', 'suspended']);
      const audit = await admin.get(`/api/audit?action=hardware_key.registered_at_enrolment&targetId=${key.id}`);
      assert.equal(audit.body.items.length, 1);
      assert.equal(audit.body.items[0].details.credential, res.body.credential.id);
      assert.equal(audit.body.items[0].details.certificate.isRootChecked, false);
      assert.equal((await passkeySignIn(new Client(t.app), yubikey)).status, 200, 'an Active key signs in');
      assert.equal((await admin.post(`/api/hardware-keys/${key.id}/transitions`, { to: 'suspended', reason: 'on leave' })).status, 200);
      const refused = await passkeySignIn(new Client(t.app), yubikey);
      assert.equal(refused.body.error.code, 'signin.hardware_key_not_active', 'its lifecycle applies like an imported key');
    });

    it('takes the model from the attestation certificate for an AAGUID it does not know, and from the portal too', async () => {
      const employee = await createEmployee(t);
      const first = await enrolByInvitation(employee.id, softKeys.yubikey(), { attestation: 'none' });
      assert.equal(first.res.status, 200, first.res.raw);
      const acme = new SoftAuthenticator({ aaguid: UNLISTED, attachment: 'cross-platform', transports: ['usb'] });
      const start = await first.client.post('/api/portal/credentials/options', { kind: 'security_key' });
      assert.equal(start.status, 200, start.raw);
      const added = await first.client.post('/api/portal/credentials/verify', {
        ceremonyId: start.body.ceremonyId,
        response: acme.register(start.body.options, { origin: ORIGIN, ...direct(unlistedCert) }),
      });
      assert.equal(added.status, 200, added.raw);
      const keys = await keysOf(employee.id);
      assert.equal(keys.length, 1, 'only the directly attested one');
      assert.equal(keys[0].model, 'Acme FIDO2 Key Mk II');
      assert.equal(keys[0].aaguid, UNLISTED);
      assert.deepEqual((await detail(keys[0].id)).credentialIds, [added.body.id]);
    });

    it('creates nothing without a direct attestation: none, self attestation, a certificate chain that does not hold', async () => {
      const employee = await createEmployee(t);
      const none = await enrolByInvitation(employee.id, softKeys.yubikey(), { attestation: 'none' });
      assert.equal(none.res.status, 200, none.res.raw);
      const other = await createEmployee(t);
      const self = await enrolByInvitation(other.id, softKeys.yubikey(), { attestation: 'packed' });
      assert.equal(self.res.status, 200, self.res.raw);
      // The leaf and a "CA" that did not issue it: an attestation that names a chain it does not have.
      const third = await createEmployee(t);
      const broken = await enrolByInvitation(third.id, softKeys.yubikey(), {
        ...direct(yubicoCert),
        attestationChain: [unlistedCert.der],
      });
      assert.equal(broken.res.status, 200, broken.res.raw);
      for (const e of [employee, other, third]) assert.deepEqual(await keysOf(e.id), [], e.email);
      const audit = await admin.get('/api/audit?action=hardware_key.registered_at_enrolment');
      assert.ok(!audit.body.items.some((x: { details: { employee: string } }) => [employee.id, other.id, third.id].includes(x.details.employee)));
    });

    it('leaves a key reserved for the employee to its activation code: no second row, and the code activates the reserved one', async () => {
      const employee = await createEmployee(t);
      const serial = `RSV-${engine}`;
      assert.equal((await admin.post('/api/hardware-keys/import', { csv: `${serial},YubiKey 5 NFC,${YUBIKEY}` })).body.created, 1);
      const [reserved] = (await admin.get(`/api/hardware-keys?q=${serial}`)).body.items;
      const r = await admin.post(`/api/hardware-keys/${reserved.id}/transitions`, { to: 'reserved', reason: 'issue', employeeId: employee.id });
      assert.equal(r.status, 200, r.raw);
      const byInvitation = await enrolByInvitation(employee.id, softKeys.yubikey(), direct(yubicoCert));
      assert.equal(byInvitation.res.status, 200, byInvitation.res.raw);
      assert.deepEqual(
        (await keysOf(employee.id)).map((k) => [k.serial, k.state]),
        [[serial, 'reserved']],
      );

      const client = new Client(t.app);
      const start = await client.post('/api/enroll/activation/options', { email: employee.email, code: r.body.activationCode });
      assert.equal(start.status, 200, start.raw);
      const activated = await client.post('/api/enroll/activation/verify', {
        email: employee.email,
        code: r.body.activationCode,
        ceremonyId: start.body.ceremonyId,
        response: softKeys.yubikey().register(start.body.options, { origin: ORIGIN, ...direct(yubicoCert) }),
      });
      assert.equal(activated.status, 200, activated.raw);
      assert.deepEqual(
        (await keysOf(employee.id)).map((k) => [k.serial, k.state]),
        [[serial, 'active']],
      );
      assert.deepEqual((await detail(reserved.id)).credentialIds, [activated.body.credential.id]);
    });

    it('applies the default access profile at that enrolment: a model it does not allow is refused, audited, and nothing is stored', async () => {
      const profile = await admin.post('/api/access-profiles', { name: `Yubico only ${engine}`, allowedAaguids: [YUBIKEY], isDefault: true });
      assert.equal(profile.status, 201, profile.raw);
      try {
        const employee = await createEmployee(t);
        const acme = new SoftAuthenticator({ aaguid: UNLISTED, attachment: 'cross-platform', transports: ['usb'] });
        const { res } = await enrolByInvitation(employee.id, acme, direct(unlistedCert));
        assert.equal(res.status, 403, res.raw);
        assert.equal(res.body.error.code, 'access_profiles.aaguid_not_allowed');
        assert.deepEqual(await keysOf(employee.id), []);
        assert.equal((await t.services.webauthn.list('employee', employee.id)).length, 0, 'the credential was rolled back');
        const audit = await admin.get(`/api/audit?action=employee.credential_registered&outcome=failure&targetId=${employee.id}`);
        assert.equal(audit.body.items[0]?.details.reason, 'access_profiles.aaguid_not_allowed');
        const allowed = await enrolByInvitation(employee.id, softKeys.yubikey(), direct(yubicoCert));
        assert.equal(allowed.res.status, 200, allowed.res.raw);
        assert.equal((await keysOf(employee.id)).length, 1);
      } finally {
        assert.equal((await admin.request('DELETE', `/api/access-profiles/${profile.body.id}`)).status, 204);
      }
    });
  });
}
