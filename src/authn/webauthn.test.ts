/**
 * WebAuthn ceremonies against real authenticator output: a software authenticator that builds
 * CBOR/COSE attestations and ES256 assertions from the specification (test/helpers), and Debian's
 * Chromium with a CDP virtual authenticator for the real browser path.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import type { Browser, Page } from 'playwright-core';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { addVirtualAuthenticator, assertChromiumInstalled, browserSkipReason, launchBrowser, newSession } from '../../test/helpers/browser.js';
import { freePort } from '../../test/helpers/server.js';
import { createEmployee, DEFAULT_POLICY, ORIGIN, passkeySignIn, registerKey, setPolicy, subjectOf } from '../../test/helpers/signin.js';
import { SoftAuthenticator, softKeys } from '../../test/helpers/soft-authenticator.js';

const YUBIKEY_AAGUID = 'ee882879-721c-4913-9775-3dfcce97072a';

describe('WebAuthn ceremonies with a software authenticator', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());
  beforeEach(() => setPolicy(t, DEFAULT_POLICY));

  const audits = async (action: string) => (await t.services.audit.find({ action }, { offset: 0, limit: 50 })).items;

  it("registers a security key with the policy's options, then signs in without a user name", async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    const { ceremonyId, options } = await t.services.webauthn.startRegistration(subjectOf(employee), 'security_key');
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.attestation, 'none');
    assert.deepEqual(options.authenticatorSelection, {
      authenticatorAttachment: 'cross-platform',
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    });
    assert.equal(options.user.name, employee.email);
    const row = await t.services.webauthn.finishRegistration(cliContext(), {
      subject: subjectOf(employee),
      ceremonyId,
      response: key.register(options, { origin: ORIGIN }),
    });
    assert.equal(row.attachment, 'cross-platform');
    assert.equal(row.aaguid, YUBIKEY_AAGUID);
    assert.equal(row.name, 'YubiKey 5 Series', 'named after the model when no name is given');
    assert.deepEqual(row.transports, ['usb', 'nfc']);
    assert.equal(row.isUserVerified, true);
    assert.ok((await audits('employee.credential_registered')).some((e) => e.targetId === employee.id && e.details.model === 'YubiKey 5 Series'));

    const client = new Client(t.app);
    const start = await client.post('/api/signin/webauthn/options', {});
    assert.equal(start.status, 200);
    assert.deepEqual(start.body.options.allowCredentials, [], 'username-less: the authenticator offers its discoverable credential');
    assert.equal(start.body.options.userVerification, 'required');
    const verify = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: start.body.ceremonyId,
      response: key.authenticate(start.body.options, { origin: ORIGIN }),
    });
    assert.equal(verify.status, 200, verify.raw);
    assert.deepEqual(verify.body, {
      status: 'ok',
      employee: { id: employee.id, firstName: employee.firstName, lastName: employee.lastName, email: employee.email },
    });
    assert.ok(client.cookies.has('tessera_employee_session'));
    assert.equal((await client.get('/api/signin/session')).body.employee.id, employee.id);
    const [stored] = await t.services.webauthn.list('employee', employee.id);
    assert.equal(stored.signCount, 1);
    assert.ok(stored.lastUsedAt);
    assert.ok(
      (await audits('employee.sign_in')).some((e) => e.targetId === employee.id && e.outcome === 'success' && e.details.method === 'security_key'),
      'the sign-in names the security key',
    );
  });

  it('accepts a packed self-attestation when policy asks for direct attestation', async () => {
    await setPolicy(t, { attestation: 'direct' });
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    const { ceremonyId, options } = await t.services.webauthn.startRegistration(subjectOf(employee), 'security_key');
    assert.equal(options.attestation, 'direct');
    await t.services.webauthn.finishRegistration(cliContext(), {
      subject: subjectOf(employee),
      ceremonyId,
      response: key.register(options, { origin: ORIGIN, attestation: 'packed' }),
    });
    assert.ok((await audits('employee.credential_registered')).some((e) => e.targetId === employee.id && e.details.attestation === 'packed'));
    assert.equal((await passkeySignIn(new Client(t.app), key)).status, 200);
  });

  it('refuses a captured assertion sent again, with the same ceremony or a new one', async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const client = new Client(t.app);
    const start = await client.post('/api/signin/webauthn/options', {});
    const captured = key.authenticate(start.body.options, { origin: ORIGIN });
    assert.equal((await client.post('/api/signin/webauthn/verify', { ceremonyId: start.body.ceremonyId, response: captured })).status, 200);

    const attacker = new Client(t.app);
    const same = await attacker.post('/api/signin/webauthn/verify', { ceremonyId: start.body.ceremonyId, response: captured });
    assert.equal(same.status, 400);
    assert.equal(same.body.error.code, 'webauthn.challenge_invalid');
    const fresh = await attacker.post('/api/signin/webauthn/options', {});
    const other = await attacker.post('/api/signin/webauthn/verify', { ceremonyId: fresh.body.ceremonyId, response: captured });
    assert.equal(other.status, 400);
    assert.equal(other.body.error.code, 'webauthn.verification_failed');
    assert.match(other.body.error.message, /challenge/);
    assert.ok(!attacker.cookies.has('tessera_employee_session'));
  });

  it('refuses an assertion made for another origin or another RP ID', async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const client = new Client(t.app);
    const phished = await passkeySignIn(client, key, { origin: 'https://login.evil.example' });
    assert.equal(phished.status, 400);
    assert.equal(phished.body.error.code, 'webauthn.verification_failed');
    assert.match(phished.body.error.message, /origin "https:\/\/login\.evil\.example", expected "http:\/\/localhost:8080"/);
    const otherRp = await passkeySignIn(client, key, { rpId: 'evil.example' });
    assert.equal(otherRp.status, 400);
    assert.match(otherRp.body.error.message, /RP ID/);
    // Registration checks the same: an attestation made on another site is refused.
    const { ceremonyId, options } = await t.services.webauthn.startRegistration(subjectOf(employee), 'security_key');
    await assert.rejects(
      t.services.webauthn.finishRegistration(cliContext(), {
        subject: subjectOf(employee),
        ceremonyId,
        response: softKeys.yubikey().register(options, { origin: 'https://evil.example' }),
      }),
      { code: 'webauthn.verification_failed' },
    );
    assert.ok(!client.cookies.has('tessera_employee_session'));
  });

  it('refuses a challenge after 5 minutes, a used one, an unknown one and one issued for another ceremony', async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const client = new Client(t.app);
    const late = await client.post('/api/signin/webauthn/options', {});
    clock.advance(5 * 60_000 + 1000);
    const expired = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: late.body.ceremonyId,
      response: key.authenticate(late.body.options, { origin: ORIGIN }),
    });
    assert.equal(expired.status, 400);
    assert.equal(expired.body.error.code, 'webauthn.challenge_expired');
    const again = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: late.body.ceremonyId,
      response: key.authenticate(late.body.options, { origin: ORIGIN }),
    });
    assert.equal(again.body.error.code, 'webauthn.challenge_invalid', 'an expired challenge is used up too');
    const unknown = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: 'no-such-ceremony',
      response: key.authenticate(late.body.options, { origin: ORIGIN }),
    });
    assert.equal(unknown.body.error.code, 'webauthn.challenge_invalid');
    // A registration challenge cannot be answered as a sign-in.
    const reg = await t.services.webauthn.startRegistration(subjectOf(employee), 'security_key');
    const crossed = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: reg.ceremonyId,
      response: key.authenticate({ challenge: reg.options.challenge, rpId: 'localhost' }, { origin: ORIGIN }),
    });
    assert.equal(crossed.body.error.code, 'webauthn.challenge_invalid');
    // And a failed answer uses the challenge up: no second try with a corrected answer.
    const first = await client.post('/api/signin/webauthn/options', {});
    assert.equal(
      (
        await client.post('/api/signin/webauthn/verify', {
          ceremonyId: first.body.ceremonyId,
          response: key.authenticate(first.body.options, { origin: 'https://evil.example' }),
        })
      ).status,
      400,
    );
    const retried = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: first.body.ceremonyId,
      response: key.authenticate(first.body.options, { origin: ORIGIN }),
    });
    assert.equal(retried.body.error.code, 'webauthn.challenge_invalid');
  });

  it('flags a sign counter that goes backwards in the audit log, refuses it by policy, or only flags it', async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const client = new Client(t.app);
    assert.equal((await passkeySignIn(client, key)).status, 200);
    assert.equal((await passkeySignIn(client, key)).status, 200);
    // A clone of the key, used once more than the original: its counter is behind.
    const cloned = await passkeySignIn(client, key, { signCount: 2 });
    assert.equal(cloned.status, 401);
    assert.equal(cloned.body.error.code, 'webauthn.sign_count_regressed');
    const flagged = (await audits('employee.sign_count_regressed')).filter((e) => e.targetId === employee.id);
    assert.equal(flagged.length, 1);
    assert.deepEqual(
      { stored: flagged[0].details.stored, received: flagged[0].details.received, policy: flagged[0].details.policy, outcome: flagged[0].outcome },
      { stored: 2, received: 2, policy: 'refuse', outcome: 'failure' },
    );

    await setPolicy(t, { signCountPolicy: 'flag' });
    const allowed = await passkeySignIn(new Client(t.app), key, { signCount: 1 });
    assert.equal(allowed.status, 200, 'policy "flag" lets it in');
    assert.equal((await audits('employee.sign_count_regressed')).filter((e) => e.targetId === employee.id).length, 2, 'and records it');
    assert.equal((await t.services.webauthn.list('employee', employee.id))[0].signCount, 2, 'the stored counter never goes down');
  });

  it('accepts authenticators that do not count (counter always 0)', async () => {
    await setPolicy(t, { allowPlatform: true });
    const employee = await createEmployee(t);
    const key = softKeys.icloud();
    await registerKey(t, employee, key, 'passkey');
    for (let i = 0; i < 3; i++) assert.equal((await passkeySignIn(new Client(t.app), key)).status, 200);
    assert.equal((await audits('employee.sign_count_regressed')).filter((e) => e.targetId === employee.id).length, 0);
  });

  it('refuses platform authenticators while allowPlatform is off, even from a client that lies about the attachment', async () => {
    const employee = await createEmployee(t);
    await assert.rejects(t.services.webauthn.startRegistration(subjectOf(employee), 'passkey'), { code: 'webauthn.authenticator_not_allowed' });
    const lies: [string, SoftAuthenticator, Parameters<SoftAuthenticator['register']>[1]][] = [
      ['says cross-platform, transport internal', softKeys.windowsHello(), { origin: ORIGIN, reportAttachment: 'cross-platform' }],
      [
        'says nothing, transport hybrid (a phone)',
        new SoftAuthenticator({ attachment: 'cross-platform', transports: ['hybrid'] }),
        { origin: ORIGIN, reportAttachment: null },
      ],
      [
        'says cross-platform over usb, but the credential is a synced passkey',
        softKeys.icloud(),
        { origin: ORIGIN, reportAttachment: 'cross-platform', reportTransports: ['usb'] },
      ],
      ['says platform, transport usb', softKeys.yubikey(), { origin: ORIGIN, reportAttachment: 'platform' }],
    ];
    for (const [label, key, client] of lies) {
      const { ceremonyId, options } = await t.services.webauthn.startRegistration(subjectOf(employee), 'security_key');
      assert.equal(options.authenticatorSelection?.authenticatorAttachment, 'cross-platform');
      await assert.rejects(
        t.services.webauthn.finishRegistration(cliContext(), { subject: subjectOf(employee), ceremonyId, response: key.register(options, client) }),
        (err: { code?: string; message?: string }) => err.code === 'webauthn.authenticator_not_allowed' && /hardware security key/.test(err.message ?? ''),
        label,
      );
    }
    assert.equal((await t.services.webauthn.list('employee', employee.id)).length, 0);
    assert.ok(
      (await audits('employee.credential_registered')).some(
        (e) =>
          e.targetId === employee.id &&
          e.outcome === 'failure' &&
          e.details.reason === 'platform authenticator not allowed' &&
          e.details.model === 'Windows Hello',
      ),
    );

    const row = await registerKey(t, employee, softKeys.yubikey());
    assert.equal(row.attachment, 'cross-platform', 'a roaming security key is accepted');

    await setPolicy(t, { allowPlatform: true });
    const hello = await registerKey(t, employee, softKeys.windowsHello(), 'passkey');
    assert.equal(hello.attachment, 'platform');
    const { options } = await t.services.webauthn.startRegistration(subjectOf(employee), 'passkey');
    assert.equal(options.authenticatorSelection?.authenticatorAttachment, 'platform');
  });

  it('keeps authenticator models off the allow-list out, naming the model', async () => {
    await setPolicy(t, { allowPlatform: true, aaguidAllowList: [YUBIKEY_AAGUID] });
    const employee = await createEmployee(t);
    await assert.rejects(
      registerKey(t, employee, softKeys.windowsHello(), 'passkey'),
      (err: { code?: string; message?: string }) => err.code === 'webauthn.authenticator_not_allowed' && /^Windows Hello is not/.test(err.message ?? ''),
    );
    await assert.rejects(registerKey(t, employee, new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'] })), (err: { message?: string }) =>
      /AAGUID 00000000-0000-0000-0000-000000000000/.test(err.message ?? ''),
    );
    assert.equal((await registerKey(t, employee, softKeys.yubikey())).aaguid, YUBIKEY_AAGUID);
  });

  it('limits the number of credentials and excludes the ones already registered', async () => {
    await setPolicy(t, { maxCredentialsPerEmployee: 2 });
    const employee = await createEmployee(t);
    const first = softKeys.yubikey();
    await registerKey(t, employee, first);
    const { options } = await t.services.webauthn.startRegistration(subjectOf(employee), 'security_key');
    assert.deepEqual(
      options.excludeCredentials?.map((c) => c.id),
      [first.credentials[0].id.toString('base64url')],
    );
    assert.throws(() => first.register(options, { origin: ORIGIN }), /InvalidStateError/, 'the same key cannot register twice');
    await registerKey(t, employee, softKeys.yubikey());
    await assert.rejects(t.services.webauthn.startRegistration(subjectOf(employee), 'security_key'), { code: 'webauthn.too_many_credentials' });
  });

  it('requires user verification when policy does, and not when it prefers it', async () => {
    const employee = await createEmployee(t);
    const noPin = new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'], userVerified: false });
    await assert.rejects(registerKey(t, employee, noPin), { code: 'webauthn.verification_failed' });
    await setPolicy(t, { userVerification: 'preferred' });
    await registerKey(t, employee, noPin);
    assert.equal((await passkeySignIn(new Client(t.app), noPin)).status, 200);
    await setPolicy(t, { userVerification: 'required' });
    const refused = await passkeySignIn(new Client(t.app), noPin);
    assert.equal(refused.body.error.code, 'webauthn.verification_failed');
  });

  it("answers an e-mail address with its owner's credentials, and an unknown one with stable decoys", async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const client = new Client(t.app);
    const known = await client.post('/api/signin/webauthn/options', { email: employee.email.toUpperCase() });
    assert.deepEqual(
      known.body.options.allowCredentials.map((c: { id: string }) => c.id),
      [key.credentials[0].id.toString('base64url')],
    );
    const unknown1 = await client.post('/api/signin/webauthn/options', { email: 'nobody@corp.example' });
    const unknown2 = await client.post('/api/signin/webauthn/options', { email: 'nobody@corp.example' });
    assert.equal(unknown1.body.options.allowCredentials.length, 1);
    assert.deepEqual(unknown1.body.options.allowCredentials, unknown2.body.options.allowCredentials, 'asking twice gives the same answer');
    assert.deepEqual(Object.keys(unknown1.body.options).sort(), Object.keys(known.body.options).sort());
    // The employee's key answering a challenge issued for someone else's address is refused.
    const other = await createEmployee(t);
    const forOther = await client.post('/api/signin/webauthn/options', { email: other.email });
    const wrong = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: forOther.body.ceremonyId,
      response: key.authenticate({ challenge: forOther.body.options.challenge, rpId: 'localhost' }, { origin: ORIGIN }),
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'webauthn.credential_unknown');
    const forNobody = await client.post('/api/signin/webauthn/options', { email: 'nobody@corp.example' });
    const none = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: forNobody.body.ceremonyId,
      response: key.authenticate({ challenge: forNobody.body.options.challenge, rpId: 'localhost' }, { origin: ORIGIN }),
    });
    assert.equal(none.body.error.code, 'webauthn.credential_unknown');
  });

  it('refuses a credential that is not registered, and one whose user handle does not match', async () => {
    const employee = await createEmployee(t);
    const key = softKeys.yubikey();
    await registerKey(t, employee, key);
    const stranger = softKeys.yubikey();
    stranger.register((await t.services.webauthn.startRegistration(subjectOf(employee), 'security_key')).options, { origin: ORIGIN });
    const res = await passkeySignIn(new Client(t.app), stranger);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'webauthn.credential_unknown');
    key.credentials[0].userHandle = Buffer.from('someone else');
    assert.equal((await passkeySignIn(new Client(t.app), key)).body.error.code, 'webauthn.credential_unknown');
  });
});

describe('admin passkeys for the console', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('registers an admin passkey in the profile and signs in with it as a complete sign-in, even when TOTP is required', async () => {
    const admin = await signedInAdmin(t);
    const key = softKeys.yubikey();
    const start = await admin.post('/api/auth/passkeys/options', { kind: 'security_key' });
    assert.equal(start.status, 200, start.raw);
    const done = await admin.post('/api/auth/passkeys/verify', {
      ceremonyId: start.body.ceremonyId,
      response: key.register(start.body.options, { origin: ORIGIN }),
      name: 'Desk key',
    });
    assert.equal(done.status, 200, done.raw);
    assert.equal(done.body.name, 'Desk key');
    assert.equal(done.body.type, 'security_key');
    assert.equal((await admin.get('/api/auth/passkeys')).body.items.length, 1);
    await t.services.settings.update(cliContext(), { requireAdminTotp: true });

    const console = new Client(t.app);
    const options = await console.post('/api/auth/passkey/options');
    assert.equal(options.body.options.userVerification, 'required');
    const signIn = await console.post('/api/auth/passkey/verify', {
      ceremonyId: options.body.ceremonyId,
      response: key.authenticate(options.body.options, { origin: ORIGIN }),
    });
    assert.equal(signIn.status, 200, signIn.raw);
    assert.equal(signIn.body.status, 'ok');
    assert.equal((await console.get('/api/auth/me')).status, 200);
    const { items } = await t.services.audit.find({ action: 'admin.sign_in' }, { offset: 0, limit: 5 });
    assert.equal(items[0].details.method, 'passkey');
    await t.services.settings.update(cliContext(), { requireAdminTotp: false });

    const removed = await admin.delete(`/api/auth/passkeys/${done.body.id}`);
    assert.equal(removed.status, 204);
    const after = await console.post('/api/auth/passkey/options');
    const refused = await console.post('/api/auth/passkey/verify', {
      ceremonyId: after.body.ceremonyId,
      response: key.authenticate(after.body.options, { origin: ORIGIN }),
    });
    assert.equal(refused.body.error.code, 'webauthn.credential_unknown');
  });

  it('keeps admin and employee credentials apart, and refuses an admin passkey without user verification', async () => {
    const employee = await createEmployee(t);
    const employeeKey = softKeys.yubikey();
    await registerKey(t, employee, employeeKey);
    const console = new Client(t.app);
    const options = await console.post('/api/auth/passkey/options');
    const asAdmin = await console.post('/api/auth/passkey/verify', {
      ceremonyId: options.body.ceremonyId,
      response: employeeKey.authenticate(options.body.options, { origin: ORIGIN }),
    });
    assert.equal(asAdmin.body.error.code, 'webauthn.credential_unknown');
    assert.equal((await console.get('/api/auth/me')).status, 401);

    const admin = await signedInAdmin(t);
    await setPolicy(t, { userVerification: 'preferred' });
    const noPin = new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'], userVerified: false });
    const start = await admin.post('/api/auth/passkeys/options', { kind: 'security_key' });
    assert.equal(
      (await admin.post('/api/auth/passkeys/verify', { ceremonyId: start.body.ceremonyId, response: noPin.register(start.body.options, { origin: ORIGIN }) }))
        .status,
      200,
    );
    const adminOptions = await console.post('/api/auth/passkey/options');
    const withoutPin = await console.post('/api/auth/passkey/verify', {
      ceremonyId: adminOptions.body.ceremonyId,
      response: noPin.authenticate(adminOptions.body.options, { origin: ORIGIN }),
    });
    assert.equal(withoutPin.body.error.code, 'webauthn.verification_failed');
    // The admin's key is not an employee's either.
    assert.equal((await passkeySignIn(new Client(t.app), noPin)).body.error.code, 'webauthn.credential_unknown');
    await setPolicy(t, DEFAULT_POLICY);
  });
});

describe('WebAuthn in Chromium with a virtual authenticator', { skip: browserSkipReason() }, () => {
  let t: TestApp;
  let browser: Browser;
  let baseURL: string;
  before(async () => {
    assertChromiumInstalled();
    const port = await freePort();
    baseURL = `http://localhost:${port}`;
    // Chromium refuses an IP address as RP ID: the server is reached, and known, as localhost.
    t = await createTestApp({ env: { PUBLIC_URL: baseURL } });
    await t.app.listen({ port, host: 'localhost' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  /**
   * In the page: the JSON API with the CSRF header, and the browser's own WebAuthn JSON
   * (de)serialisation. Kept as source text: the test runner's transpiler would add helpers to a
   * function that the page does not have.
   */
  const IN_PAGE = `async ({ kind, optionsUrl, optionsBody, verifyUrl, dropAttachment }) => {
    const csrf = (await (await fetch('/api/auth/csrf')).json()).csrfToken;
    const post = async (url, body) => {
      const headers = body === undefined ? { 'x-csrf-token': csrf } : { 'content-type': 'application/json', 'x-csrf-token': csrf };
      const res = await fetch(url, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    };
    if (kind === 'logout') return post('/api/signin/logout', undefined);
    const start = await post(optionsUrl, optionsBody);
    if (start.status !== 200) return { step: 'options', ...start };
    const { ceremonyId, options } = start.body;
    // A client that ignores what the server asked for.
    if (dropAttachment) delete options.authenticatorSelection.authenticatorAttachment;
    const credential = kind === 'create'
      ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
      : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
    const response = credential.toJSON();
    return { step: 'verify', response, ...(await post(verifyUrl, { ceremonyId, response })) };
  }`;
  type InPage = { step?: string; status: number; body: any; response?: { authenticatorAttachment?: string } };
  const ceremony = (
    page: Page,
    input: { kind: 'create' | 'get' | 'logout'; optionsUrl?: string; optionsBody?: unknown; verifyUrl?: string; dropAttachment?: boolean },
  ) => page.evaluate(`(${IN_PAGE})(${JSON.stringify(input)})`) as Promise<InPage>;

  it('enrols a platform passkey by invitation, signs in with it without a user name, and refuses it once platform authenticators are off', async () => {
    await setPolicy(t, { ...DEFAULT_POLICY, allowPlatform: true });
    const employee = await createEmployee(t);
    const { token } = await t.services.invitations.create(cliContext(), employee.id);
    const s = await newSession(browser, { baseURL });
    try {
      await addVirtualAuthenticator(s.context, s.page, 'internal');
      await s.page.goto('/healthz');
      const enrol = await ceremony(s.page, {
        kind: 'create',
        optionsUrl: `/api/enroll/${token}/webauthn/options`,
        optionsBody: { kind: 'passkey' },
        verifyUrl: `/api/enroll/${token}/webauthn/verify`,
      });
      assert.equal(enrol.status, 200, JSON.stringify(enrol));
      assert.equal(enrol.body.credential.attachment, 'platform');
      assert.equal(enrol.body.credential.type, 'passkey');
      assert.equal(enrol.response?.authenticatorAttachment, 'platform', 'Chromium reports its internal authenticator as a platform one');

      const out = (await ceremony(s.page, { kind: 'logout' })).status;
      assert.equal(out, 204);
      const signIn = await ceremony(s.page, {
        kind: 'get',
        optionsUrl: '/api/signin/webauthn/options',
        optionsBody: {},
        verifyUrl: '/api/signin/webauthn/verify',
      });
      assert.equal(signIn.status, 200, JSON.stringify(signIn));
      assert.equal(signIn.body.employee.id, employee.id);
      const session = (await s.page.evaluate('fetch("/api/signin/session").then((r) => r.json())')) as { employee: { email: string } };
      assert.equal(session.employee.email, employee.email);

      // Platform authenticators off: the page asks for a security key, the client drops that
      // requirement, the device's own authenticator answers, and the server still refuses it.
      await setPolicy(t, { allowPlatform: false });
      const newcomer = await createEmployee(t);
      const second = await t.services.invitations.create(cliContext(), newcomer.id);
      const lying = await ceremony(s.page, {
        kind: 'create',
        optionsUrl: `/api/enroll/${second.token}/webauthn/options`,
        optionsBody: { kind: 'security_key' },
        verifyUrl: `/api/enroll/${second.token}/webauthn/verify`,
        dropAttachment: true,
      });
      assert.equal(lying.status, 403, JSON.stringify(lying));
      assert.equal(lying.body.error.code, 'webauthn.authenticator_not_allowed');
      assert.equal((await t.services.webauthn.list('employee', newcomer.id)).length, 0);
    } finally {
      await s.context.close();
    }
  });

  it('registers a roaming security key (USB) while platform authenticators are off', async () => {
    await setPolicy(t, DEFAULT_POLICY);
    const employee = await createEmployee(t);
    const { token } = await t.services.invitations.create(cliContext(), employee.id);
    const s = await newSession(browser, { baseURL });
    try {
      await addVirtualAuthenticator(s.context, s.page, 'usb');
      await s.page.goto('/healthz');
      const enrol = await ceremony(s.page, {
        kind: 'create',
        optionsUrl: `/api/enroll/${token}/webauthn/options`,
        optionsBody: { kind: 'security_key' },
        verifyUrl: `/api/enroll/${token}/webauthn/verify`,
      });
      assert.equal(enrol.status, 200, JSON.stringify(enrol));
      assert.equal(enrol.body.credential.type, 'security_key');
      assert.equal(enrol.body.credential.attachment, 'cross-platform');
      const signIn = await ceremony(s.page, {
        kind: 'get',
        optionsUrl: '/api/signin/webauthn/options',
        optionsBody: { email: employee.email },
        verifyUrl: '/api/signin/webauthn/verify',
      });
      assert.equal(signIn.status, 200, JSON.stringify(signIn));
    } finally {
      await s.context.close();
    }
  });
});
