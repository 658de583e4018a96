// WS-Federation passive requestor profile against passport-wsfed-saml2 as the relying party:
// wsignin1.0 with wtrealm/wreply/wctx through a passkey sign-in, SAML 1.1 and SAML 2.0 tokens,
// federation metadata, and wsignout1.0 back to a registered wreply only.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../../lib/context.js';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { idpCertFromMetadata, parsePostForm } from '../../../test/helpers/saml.js';
import { AD_SID, giveDirectoryGroups, insertAccount, insertDomain } from '../../../test/helpers/directory-identity.js';
import { createEmployee, passkeySignIn, registerKey } from '../../../test/helpers/signin.js';
import { softKeys } from '../../../test/helpers/soft-authenticator.js';

const ORIGIN = 'http://localhost:8080';
const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const MS_CLAIMS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims';
// passport-wsfed-saml2 is CommonJS without types.
const { Strategy: WsFedStrategy } = createRequire(import.meta.url)('passport-wsfed-saml2') as {
  Strategy: new (options: object, verify: (...args: never[]) => unknown) => unknown;
};
type Outcome = { kind: 'success' | 'fail' | 'redirect' | 'error'; value: any };

/** Runs the passport strategy on one request, as passport.authenticate would. */
function runStrategy(strategy: any, req: Record<string, unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = Object.create(strategy);
    // What passport reads of an Express request.
    const headers = (req.headers ?? {}) as Record<string, string>;
    req = { protocol: 'https', get: (name: string) => headers[name.toLowerCase()], ...req };
    s.success = (user: unknown) => resolve({ kind: 'success', value: user });
    s.fail = (value: unknown) => resolve({ kind: 'fail', value });
    s.redirect = (value: string) => resolve({ kind: 'redirect', value });
    s.error = (value: unknown) => resolve({ kind: 'error', value });
    s.authenticate(req, {});
  });
}

describe('WS-Federation with passport-wsfed-saml2 as relying party', () => {
  let t: TestApp;
  let cert: string;
  const key = softKeys.yubikey();
  let client: Client;

  before(async () => {
    t = await createTestApp();
    const employee = await createEmployee(t, { email: 'grace.hopper@corp.example', firstName: 'Grace', lastName: 'Hopper' });
    await registerKey(t, employee, key, 'security_key');
    // Grace's AD account as the sync stores it: her UPN differs from her e-mail, her objectSid is mapped.
    const corp = await insertDomain(t, 'ad', 'corp.example');
    await insertAccount(t, employee.id, corp, { username: 'ghopper', upn: 'ghopper@corp.local', importing: true, attributes: { objectSid: AD_SID } });
    await giveDirectoryGroups(t, corp, employee.id, ['Mailbox Users', 'Navy']);
    const md = await t.app.inject({ method: 'GET', url: '/FederationMetadata/2007-06/FederationMetadata.xml' });
    assert.equal(md.statusCode, 200);
    assert.match(
      md.body,
      /PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http:\/\/www.w3.org\/2005\/08\/addressing"><wsa:Address>http:\/\/localhost:8080\/wsfed</,
    );
    cert = idpCertFromMetadata(md.body.replace(/<(\/?)X509Certificate>/g, '<$1ds:X509Certificate>'))[0];
    assert.ok(cert);
  });
  after(async () => {
    await t?.close();
  });

  for (const tokenType of ['saml11', 'saml20'] as const) {
    it(`signs in with a ${tokenType === 'saml11' ? 'SAML 1.1' : 'SAML 2.0'} token, wctx preserved`, async () => {
      const realm = `urn:owa:${tokenType}`;
      const reply = `https://mail-${tokenType}.corp.example/owa/`;
      await t.services.serviceProviders.create(cliContext(), 'wsfed', {
        name: `Exchange ${tokenType}`,
        entityId: realm,
        preset: 'exchange',
        tokenType,
        acsEndpoints: [{ url: reply }],
        startUrl: reply,
      });
      const strategy = new WsFedStrategy(
        { realm, identityProviderUrl: `${ORIGIN}/wsfed`, wreply: reply, cert, checkRecipient: false },
        (profile: unknown, done: (e: null, u: unknown) => void) => done(null, profile),
      );
      const start = await runStrategy(strategy, { method: 'GET', query: {}, headers: { host: 'mail.corp.example' }, url: '/owa/', originalUrl: '/owa/' });
      assert.equal(start.kind, 'redirect');
      const url = new URL(start.value);
      url.searchParams.set('wctx', 'rm=0&id=passive&ru=%2fowa%2f');
      client = new Client(t.app);
      const first = await client.get(url.pathname + url.search);
      assert.equal(first.status, 303, first.raw);
      assert.equal((await passkeySignIn(client, key)).status, 200);
      const resumed = await client.get(decodeURIComponent((first.headers.location as string).split('return_to=')[1]));
      const form = parsePostForm(resumed.raw);
      assert.equal(form.action, reply);
      assert.equal(form.fields.wa, 'wsignin1.0');
      assert.equal(form.fields.wctx, 'rm=0&id=passive&ru=%2fowa%2f');
      const done = await runStrategy(strategy, {
        method: 'POST',
        body: form.fields,
        headers: { host: new URL(reply).host },
        url: '/owa/',
        originalUrl: '/owa/',
      });
      assert.equal(done.kind, 'success', String(done.value?.stack ?? JSON.stringify(done.value)));
      // The Exchange preset: the directory UPN (not the e-mail) and the AD objectSid as primary SID.
      const upn = done.value['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'];
      assert.equal(upn, 'ghopper@corp.local');
      assert.equal(done.value['http://schemas.microsoft.com/ws/2008/06/identity/claims/primarysid'], AD_SID);
      const events = await t.services.audit.find({ action: 'wsfed.sign_in' }, { offset: 0, limit: 10 });
      assert.ok(events.items.length >= 1);
    });
  }

  for (const tokenType of ['saml11', 'saml20'] as const) {
    it(`sends every group as a value of one claim in a ${tokenType === 'saml11' ? 'SAML 1.1' : 'SAML 2.0'} token, and leaves out what Grace lacks`, async () => {
      const realm = `urn:groups:${tokenType}`;
      const reply = `https://groups-${tokenType}.corp.example/`;
      await t.services.serviceProviders.create(cliContext(), 'wsfed', {
        name: `Groups ${tokenType}`,
        entityId: realm,
        tokenType,
        acsEndpoints: [{ url: reply }],
        attributes: [
          { name: `${MS_CLAIMS}/groups`, field: 'groups' },
          { name: `${CLAIMS}/windowsaccountname`, field: 'sAMAccountName' },
          { name: `${CLAIMS}/mobilephone`, field: 'phone' },
        ],
      });
      const strategy = new WsFedStrategy(
        { realm, identityProviderUrl: `${ORIGIN}/wsfed`, wreply: reply, cert, checkRecipient: false },
        (profile: unknown, done: (e: null, u: unknown) => void) => done(null, profile),
      );
      const c = new Client(t.app);
      assert.equal((await passkeySignIn(c, key)).status, 200);
      const res = await c.get(`/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}`);
      const form = parsePostForm(res.raw);
      const done = await runStrategy(strategy, { method: 'POST', body: form.fields, headers: { host: new URL(reply).host }, url: '/', originalUrl: '/' });
      assert.equal(done.kind, 'success', String(done.value?.stack ?? JSON.stringify(done.value)));
      assert.deepEqual(done.value[`${MS_CLAIMS}/groups`], ['Mailbox Users', 'Navy']);
      assert.equal(done.value[`${CLAIMS}/windowsaccountname`], 'ghopper');
      assert.ok(!(`${CLAIMS}/mobilephone` in done.value), 'no phone number: no claim');
    });
  }

  it('refuses an unregistered wreply and an unknown realm with an error page, never a redirect', async () => {
    const bad = await new Client(t.app).get(
      `/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent('urn:owa:saml11')}&wreply=${encodeURIComponent('https://evil.example/owa/')}`,
    );
    assert.equal(bad.status, 400);
    assert.match(bad.raw, /wsfed\.reply_unknown/);
    const unknown = await new Client(t.app).get('/wsfed?wa=wsignin1.0&wtrealm=urn:nobody');
    assert.equal(unknown.status, 400);
    assert.match(unknown.raw, /wsfed\.rp_unknown/);
    const tampered = await runStrategy(
      new WsFedStrategy(
        { realm: 'urn:owa:saml11', identityProviderUrl: `${ORIGIN}/wsfed`, cert, checkRecipient: false },
        (p: unknown, d: (e: null, u: unknown) => void) => d(null, p),
      ),
      {
        method: 'POST',
        body: {
          wa: 'wsignin1.0',
          wresult:
            '<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:RequestedSecurityToken><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" MinorVersion="1"/></t:RequestedSecurityToken></t:RequestSecurityTokenResponse>',
        },
        headers: { host: 'x' },
        url: '/',
        originalUrl: '/',
      },
    );
    assert.notEqual(tampered.kind, 'success', 'the RP itself refuses an unsigned token');
  });

  it('wsignout1.0 ends the session and returns to a registered wreply only', async () => {
    assert.equal((await client.get('/api/signin/session')).status, 200, 'signed in from the previous test');
    const out = await client.get(`/wsfed?wa=wsignout1.0&wreply=${encodeURIComponent('https://mail-saml20.corp.example/owa/')}`);
    assert.equal(out.status, 303);
    assert.equal(out.headers.location, 'https://mail-saml20.corp.example/owa/');
    assert.notEqual((await client.get('/api/signin/session')).status, 200, 'signed out');
    const evil = await client.get(`/wsfed?wa=wsignout1.0&wreply=${encodeURIComponent('https://evil.example/')}`);
    assert.equal(evil.status, 200);
    assert.match(evil.raw, /You are signed out/);
    const events = await t.services.audit.find({ action: 'wsfed.sign_out' }, { offset: 0, limit: 10 });
    assert.ok(events.items.length >= 1);
  });

  it('signing out of one relying party cleans up the others of the session (OWA and ECP)', async () => {
    for (const [realm, reply] of [
      ['urn:owa:cleanup', 'https://mail.corp.example/owa/'],
      ['urn:ecp:cleanup', 'https://mail.corp.example/ecp/'],
    ]) {
      await t.services.serviceProviders.create(cliContext(), 'wsfed', { name: realm, entityId: realm, preset: 'exchange', acsEndpoints: [{ url: reply }] });
    }
    const c = new Client(t.app);
    assert.equal((await passkeySignIn(c, key)).status, 200);
    for (const realm of ['urn:owa:cleanup', 'urn:ecp:cleanup']) {
      const res = await c.get(`/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}`);
      assert.equal(parsePostForm(res.raw).fields.wa, 'wsignin1.0');
    }
    const out = await c.get(`/wsfed?wa=wsignout1.0&wreply=${encodeURIComponent('https://mail.corp.example/owa/')}`);
    assert.equal(out.status, 200, out.raw);
    assert.match(out.raw, /<img src="https:\/\/mail\.corp\.example\/ecp\/\?wa=wsignoutcleanup1\.0"/, 'ECP is told to clean up');
    assert.doesNotMatch(out.raw, /owa\/\?wa=wsignoutcleanup1\.0/, 'not the RP that asked');
    assert.match(out.raw, /<a href="https:\/\/mail\.corp\.example\/owa\/">Continue<\/a>/);
    assert.match(String(out.headers['content-security-policy']), /img-src https:\/\/mail\.corp\.example/);
    assert.notEqual((await c.get('/api/signin/session')).status, 200);
  });
});
