// SSO per employee: the importing domain's default applies to employees without an override, an
// override sticks; SSO off refuses every protocol in its own form (OIDC access_denied to the
// redirect URI, SAML Responder/RequestDenied to the ACS, WS-Fed an error page), audited; the SSO
// method decides which sign-in path the server accepts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { domainCreate } from '../directory/directory.schemas.js';
import { Browser, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../test/helpers/oidc.js';
import { ENGINES } from '../../test/helpers/db.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { fakeDirectory } from '../../test/helpers/fake-directory.js';
import { parsePostForm } from '../../test/helpers/saml.js';
import { softKeys } from '../../test/helpers/soft-authenticator.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

for (const engine of ENGINES) {
  describe(`SSO per employee (${engine})`, { timeout: 120_000 }, () => {
    let t: OidcTestApp;
    let clientId = '';
    let domainId = '';
    let n = 0;

    before(async () => {
      t = await startOidcApp({ engine });
      clientId = (await registerClient(t, { name: 'Wiki', redirectUris: [REDIRECT] })).client.clientId;
      const domain = await t.services.domains.create(
        cliContext(),
        domainCreate.parse({
          kind: 'ad',
          name: 'corp.example.test',
          secret: 'service-account-password',
          passwordChangeDays: 30,
          settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
        }),
      );
      domainId = domain.id;
    });
    after(async () => {
      await t?.close();
    });

    /** An employee imported by the domain (source = its id), with a security key. */
    async function imported() {
      n++;
      const employee = await t.services.employees.create(cliContext(), {
        email: `sso${n}.${engine}@corp.example.test`,
        firstName: 'Ada',
        lastName: `Lovelace${n}`,
        source: domainId,
      });
      const key = softKeys.yubikey();
      const subject = { type: 'employee' as const, id: employee.id, name: employee.email, displayName: 'Ada' };
      const { ceremonyId, options } = await t.services.webauthn.startRegistration(subject, 'security_key');
      await t.services.webauthn.finishRegistration(cliContext(), { subject, ceremonyId, response: key.register(options, { origin: t.url }) });
      return { employee, key };
    }
    const authorize = () =>
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid email', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 'st' })}`;
    const setDomain = (patch: { ssoEnabled?: boolean; ssoMethod?: 'passwordless' | 'password_2fa' }) =>
      t.services.domains.update(cliContext(), domainId, patch as never);
    const effective = async (id: string) => t.services.appAccess.effectiveSso((await t.services.employees.findById(id))!);

    it('follows the domain default without an override, and keeps an override when the default changes', async () => {
      const { employee, key } = await imported();
      const browser = new Browser(t.url);
      await signIn(t, browser, key);
      assert.deepEqual(await effective(employee.id), { enabled: true, method: 'passwordless', enabledFrom: 'domain', methodFrom: 'domain' });
      assert.ok(new URL((await browser.follow(authorize())).location).searchParams.get('code'));

      await setDomain({ ssoEnabled: false });
      try {
        const r = await browser.follow(authorize());
        const refused = new URL(r.location);
        assert.equal(refused.origin + refused.pathname, REDIRECT);
        assert.equal(refused.searchParams.get('error'), 'access_denied', refused.href);
        assert.equal(refused.searchParams.get('code'), null);
        const audit = await t.services.audit.find({ action: 'oidc.sign_in_refused' }, { offset: 0, limit: 10 });
        assert.ok(audit.items.some((e) => e.actorId === employee.id && (e.details as Record<string, unknown>).reason === 'sso.disabled_for_employee'));

        // An override sticks against the domain's default, and is audited as an employee change.
        await t.services.employees.update(cliContext(), employee.id, { ssoEnabled: true });
        assert.equal((await effective(employee.id)).enabledFrom, 'override');
        assert.ok(new URL((await browser.follow(authorize())).location).searchParams.get('code'));
        const updates = await t.services.audit.find({ action: 'employee.updated' }, { offset: 0, limit: 50 });
        assert.ok(updates.items.some((e) => e.targetId === employee.id && JSON.stringify(e.details).includes('ssoEnabled')));

        // Back to "domain default": refused again.
        await t.services.employees.update(cliContext(), employee.id, { ssoEnabled: null });
        assert.equal(new URL((await browser.follow(authorize())).location).searchParams.get('error'), 'access_denied');
      } finally {
        await setDomain({ ssoEnabled: true });
      }
    });

    it('refuses SAML with Responder/RequestDenied to the registered ACS and WS-Fed with a page, when SSO is off', async () => {
      const { employee, key } = await imported();
      await t.services.employees.update(cliContext(), employee.id, { ssoEnabled: false });
      const browser = new Browser(t.url);
      await signIn(t, browser, key);
      const acs = 'https://wiki.sp.example/acs';
      const sp = await t.services.serviceProviders.create(cliContext(), 'saml', {
        name: 'Wiki SAML',
        entityId: `https://wiki-${engine}.sp.example/metadata`,
        acsEndpoints: [{ url: acs, binding: 'post', index: 0, isDefault: true }],
        nameIdFormat: 'email',
        nameIdField: 'email',
        attributes: [],
        idpInitiated: true,
      } as never);
      const started = await browser.follow(`/saml/start/${sp.id}`);
      const html = await started.res.text();
      const form = parsePostForm(html);
      assert.equal(form.action, acs);
      const response = Buffer.from(form.fields.SAMLResponse, 'base64').toString();
      assert.match(response, /status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/);
      assert.doesNotMatch(response, /Assertion/);
      const samlAudit = await t.services.audit.find({ action: 'saml.sign_in_refused' }, { offset: 0, limit: 10 });
      assert.ok(samlAudit.items.some((e) => e.actorId === employee.id && (e.details as Record<string, unknown>).code === 'sso.disabled_for_employee'));

      const realm = `urn:owa:${engine}`;
      const reply = 'https://mail.corp.example/owa/';
      await t.services.serviceProviders.create(cliContext(), 'wsfed', {
        name: 'Exchange',
        entityId: realm,
        preset: 'exchange',
        tokenType: 'saml20',
        acsEndpoints: [{ url: reply }],
        startUrl: reply,
      } as never);
      const ws = await browser.follow(`/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}&wreply=${encodeURIComponent(reply)}`);
      assert.equal(ws.res.status, 403);
      const page = await ws.res.text();
      assert.match(page, /sso\.disabled_for_employee/);
      assert.doesNotMatch(page, /wresult/);
      const wsAudit = await t.services.audit.find({ action: 'wsfed.sign_in_refused' }, { offset: 0, limit: 10 });
      assert.ok(wsAudit.items.some((e) => e.actorId === employee.id));
    });

    it('refuses a passkey alone for an employee whose method is password plus a second factor', async () => {
      const { employee, key } = await imported();
      await t.services.employees.update(cliContext(), employee.id, { ssoMethod: 'password_2fa' });
      const browser = new Browser(t.url);
      const start = await browser.api('POST', '/api/signin/webauthn/options', {});
      const done = await browser.api('POST', '/api/signin/webauthn/verify', {
        ceremonyId: start.json.ceremonyId,
        response: key.authenticate(start.json.options, { origin: t.url }),
      });
      assert.equal(done.status, 403, done.text);
      assert.equal(done.json.error.code, 'signin.method_not_allowed_for_employee');
      assert.equal((await browser.api('GET', '/api/signin/session')).status, 401);
      const audit = await t.services.audit.find({ action: 'employee.sign_in', outcome: 'failure' } as never, { offset: 0, limit: 20 });
      assert.ok(audit.items.some((e) => e.targetId === employee.id && (e.details as Record<string, unknown>).ssoMethod === 'password_2fa'));

      // Back to the domain default (passwordless): the passkey signs in.
      await t.services.employees.update(cliContext(), employee.id, { ssoMethod: null });
      await signIn(t, browser, key);
    });
  });
}

for (const engine of ENGINES) {
  describe(`SSO override in the admin API (${engine})`, { timeout: 120_000 }, () => {
    const directory = fakeDirectory([{ externalId: 'guid-ada', username: 'ada', email: 'ada@corp.example.test', givenName: 'Ada', surname: 'Lovelace' }]);
    let t: TestApp;
    let admin: Client;
    before(async () => {
      t = await createTestApp({ engine, connectorFactory: directory.factory });
      admin = await signedInAdmin(t);
    });
    after(async () => {
      await t?.close();
    });

    it('imports employees under the domain default, and sets, audits and clears an override; refuses a bad value', async () => {
      const domain = await admin.post('/api/directory/domains', {
        kind: 'ad',
        name: 'corp.example.test',
        secret: 'service-account-password',
        passwordChangeDays: 30,
        ssoEnabled: false,
        ssoMethod: 'password_2fa',
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
      });
      assert.equal(domain.status, 201, domain.raw);
      assert.equal((await admin.post(`/api/directory/domains/${domain.body.id}/sync`, { wait: true })).body.status, 'succeeded');
      const ada = (await admin.get('/api/employees?q=ada@corp.example.test')).body.items[0];
      assert.deepEqual(ada.ssoOverride, { enabled: null, method: null });
      const row = () => t.services.employees.findById(ada.id).then((e) => t.services.appAccess.effectiveSso(e!));
      assert.deepEqual(await row(), { enabled: false, method: 'password_2fa', enabledFrom: 'domain', methodFrom: 'domain' });

      const set = await admin.patch(`/api/employees/${ada.id}`, { ssoEnabled: true, ssoMethod: 'passwordless' });
      assert.equal(set.status, 200, set.raw);
      assert.deepEqual(set.body.ssoOverride, { enabled: true, method: 'passwordless' });
      assert.deepEqual(await row(), { enabled: true, method: 'passwordless', enabledFrom: 'override', methodFrom: 'override' });
      const audit = await t.services.audit.find({ action: 'employee.updated' }, { offset: 0, limit: 50 });
      assert.ok(audit.items.some((e) => e.targetId === ada.id && JSON.stringify(e.details).includes('ssoMethod')));

      // The override survives a change of the domain default.
      assert.equal((await admin.patch(`/api/directory/domains/${domain.body.id}`, { ssoEnabled: true, ssoMethod: 'password_2fa' })).status, 200);
      assert.equal((await row()).method, 'passwordless');

      for (const bad of [{ ssoMethod: 'none' }, { ssoEnabled: 'yes' }]) {
        const refused = await admin.patch(`/api/employees/${ada.id}`, bad);
        assert.equal(refused.status, 400, refused.raw);
        assert.ok(refused.body.error.code);
      }
      const cleared = await admin.patch(`/api/employees/${ada.id}`, { ssoEnabled: null, ssoMethod: null });
      assert.deepEqual(cleared.body.ssoOverride, { enabled: null, method: null });
      assert.deepEqual(await row(), { enabled: true, method: 'password_2fa', enabledFrom: 'domain', methodFrom: 'domain' });
    });
  });
}
