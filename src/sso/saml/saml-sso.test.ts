// SAML 2.0 web browser SSO against @node-saml/node-saml as the service provider, through the
// real application (inject): SP-initiated over HTTP-Redirect and HTTP-POST with RelayState,
// sign-in by passkey in between, ForceAuthn, IsPassive, IdP-initiated from the portal, and
// single logout across two SPs.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../../lib/context.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';
import { idpCertFromMetadata, nodeSamlSp, parsePostForm, randomEntity, spKeyPair } from '../../../test/helpers/saml.js';
import { createEmployee, passkeySignIn, registerKey } from '../../../test/helpers/signin.js';
import { softKeys } from '../../../test/helpers/soft-authenticator.js';

const ORIGIN = 'http://localhost:8080';
const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

describe('SAML SSO with node-saml as SP', () => {
  let t: TestApp;
  let idpCert: string[];
  let employee: Awaited<ReturnType<typeof createEmployee>>;
  const key = softKeys.yubikey();

  const registerSp = async (name: string, extra: Record<string, unknown> = {}) => {
    const entityId = randomEntity(name);
    const acs = `https://${name}.sp.example/acs`;
    const sp = await t.services.serviceProviders.create(cliContext(), 'saml', {
      name,
      entityId,
      acsEndpoints: [{ url: acs, binding: 'post', index: 0, isDefault: true }],
      sloUrl: `https://${name}.sp.example/slo`,
      nameIdFormat: 'email',
      nameIdField: 'email',
      attributes: [
        { name: 'email', field: 'email' },
        { name: 'displayName', field: 'displayName' },
      ],
      ...extra,
    });
    const saml = nodeSamlSp({
      idpCert,
      entryPoint: `${ORIGIN}/saml/sso`,
      issuer: entityId,
      callbackUrl: acs,
      audience: entityId,
      logoutUrl: `${ORIGIN}/saml/slo`,
    });
    return { sp, saml, entityId, acs };
  };
  const signedInClient = async () => {
    const client = new Client(t.app);
    const res = await passkeySignIn(client, key);
    assert.equal(res.status, 200, res.raw);
    return client;
  };

  before(async () => {
    t = await createTestApp();
    const metadata = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.equal(metadata.statusCode, 200);
    idpCert = idpCertFromMetadata(metadata.body);
    employee = await createEmployee(t, { email: 'ada.lovelace@corp.example', firstName: 'Ada', lastName: 'Lovelace' });
    await registerKey(t, employee, key, 'security_key');
  });
  after(async () => {
    await t?.close();
  });

  it('publishes metadata with SSO and SLO endpoints for both bindings and a signing certificate', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.match(res.headers['content-type'] as string, /samlmetadata\+xml/);
    assert.match(res.body, /entityID="http:\/\/localhost:8080\/saml\/metadata"/);
    for (const b of ['HTTP-Redirect', 'HTTP-POST']) {
      assert.match(res.body, new RegExp(`SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${b}" Location="${ORIGIN}/saml/sso"`));
      assert.match(res.body, new RegExp(`SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${b}" Location="${ORIGIN}/saml/slo"`));
    }
    assert.equal(idpCert.length, 1);
  });

  it('SP-initiated over HTTP-Redirect: sends the employee to sign in, then posts a signed response with RelayState', async () => {
    const { saml, acs } = await registerSp('redirect');
    const url = await saml.getAuthorizeUrlAsync('relay-123', undefined, {});
    const client = new Client(t.app);
    const first = await client.get(pathOf(url));
    assert.equal(first.status, 303, first.raw);
    const location = first.headers.location as string;
    assert.match(location, /^\/signin\?return_to=\/saml\/continue\/[A-Za-z0-9_-]+$/);
    assert.ok(!location.includes('SAMLRequest'), 'the pending request stays server-side');
    assert.equal((await passkeySignIn(client, key)).status, 200);
    const resumed = await client.get(decodeURIComponent(location.split('return_to=')[1]));
    assert.equal(resumed.status, 200, resumed.raw);
    assert.match(resumed.headers['content-security-policy'] as string, /script-src 'nonce-/);
    const form = parsePostForm(resumed.raw);
    assert.equal(form.action, acs);
    assert.equal(form.fields.RelayState, 'relay-123');
    const { profile } = await saml.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, 'ada.lovelace@corp.example');
    assert.equal(profile?.displayName, 'Ada Lovelace');
    const xml = Buffer.from(form.fields.SAMLResponse, 'base64').toString();
    assert.match(
      xml,
      /<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI<\/saml:AuthnContextClassRef>/,
      'a security key sign-in says so',
    );
    assert.match(xml, /SessionIndex="_[0-9a-f]+"/);
    // What the SP must check (saml-profiles §4.1.4.2-3), pinned here: node-saml does not check
    // InResponseTo unless told to, nor the Response's Destination.
    const requestId = /ID="([^"]+)"/.exec(zlib.inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest')!, 'base64')).toString())![1];
    const esc = (v: string) => v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    assert.match(xml, new RegExp(`<samlp:Response [^>]*Destination="${esc(acs)}" InResponseTo="${requestId}"`));
    assert.match(xml, new RegExp(`<saml:SubjectConfirmationData NotOnOrAfter="[^"]+" Recipient="${esc(acs)}" InResponseTo="${requestId}"/>`));
    assert.match(xml, new RegExp(`<saml:AudienceRestriction><saml:Audience>${esc(saml.options.issuer)}</saml:Audience>`));
    const notOnOrAfter = new Date(/<saml:Conditions NotBefore="[^"]+" NotOnOrAfter="([^"]+)"/.exec(xml)![1]).getTime();
    assert.ok(notOnOrAfter > Date.now() && notOnOrAfter <= Date.now() + 5 * 60_000 + 1000, 'a short-lived bearer assertion');
    const events = await t.services.audit.find({ action: 'saml.sign_in' }, { offset: 0, limit: 10 });
    assert.ok(events.items.some((e) => e.actorId === employee.id && e.outcome === 'success'));
  });

  it('SP-initiated over HTTP-POST with a signed AuthnRequest, for an employee already signed in', async () => {
    const spKey = await spKeyPair();
    const { saml, acs } = await registerSp('post', { certificates: [spKey.certificate], requireSignedRequests: true });
    const postSp = nodeSamlSp({ ...saml.options, authnRequestBinding: 'HTTP-POST', privateKey: spKey.privateKey, publicCert: spKey.certificate } as never);
    const message = await postSp.getAuthorizeMessageAsync('post-relay');
    const client = await signedInClient();
    const posted = await client.request('POST', '/saml/sso', new URLSearchParams(message as Record<string, string>).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(posted.status, 303, posted.raw);
    const resumed = await client.get(posted.headers.location as string);
    const form = parsePostForm(resumed.raw);
    assert.equal(form.action, acs);
    assert.equal(form.fields.RelayState, 'post-relay');
    const { profile } = await postSp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, 'ada.lovelace@corp.example');
  });

  it('refuses an unsigned request from an SP that requires signed requests, with a SAML status to its ACS', async () => {
    const spKey = await spKeyPair();
    const { saml, acs } = await registerSp('strict', { certificates: [spKey.certificate], requireSignedRequests: true });
    const res = await (await signedInClient()).get(pathOf(await saml.getAuthorizeUrlAsync('', undefined, {})));
    const form = parsePostForm(res.raw);
    assert.equal(form.action, acs);
    const xml = Buffer.from(form.fields.SAMLResponse, 'base64').toString();
    assert.match(
      xml,
      /StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/,
    );
    await assert.rejects(saml.validatePostResponseAsync(form.fields));
  });

  it('IsPassive with no session answers NoPassive; ForceAuthn makes a signed-in employee sign in again', async () => {
    const { saml } = await registerSp('passive');
    const passive = nodeSamlSp({ ...saml.options, passive: true } as never);
    const res = await new Client(t.app).get(pathOf(await passive.getAuthorizeUrlAsync('', undefined, {})));
    assert.equal(res.status, 200);
    const xml = Buffer.from(parsePostForm(res.raw).fields.SAMLResponse, 'base64').toString();
    assert.match(xml, /status:NoPassive/);

    const force = nodeSamlSp({ ...saml.options, forceAuthn: true } as never);
    const client = await signedInClient();
    const first = await client.get(pathOf(await force.getAuthorizeUrlAsync('', undefined, {})));
    assert.equal(first.status, 303);
    assert.match(first.headers.location as string, /^\/signin\?return_to=/);
    const me = await client.get('/api/signin/session');
    assert.notEqual(me.status, 200, 'the old session ended');
    // Come back without signing in: still sent to sign in.
    const again = await client.get(decodeURIComponent((first.headers.location as string).split('return_to=')[1]));
    assert.equal(again.status, 303);
    assert.equal((await passkeySignIn(client, key)).status, 200);
    const done = await client.get(decodeURIComponent((first.headers.location as string).split('return_to=')[1]));
    const { profile } = await force.validatePostResponseAsync(parsePostForm(done.raw).fields);
    assert.equal(profile?.nameID, 'ada.lovelace@corp.example');
  });

  it('IdP-initiated from the portal: the application is listed and its link posts an unsolicited response', async () => {
    const { saml, sp, acs } = await registerSp('portal', { idpInitiated: true, startUrl: 'https://portal.sp.example/home' });
    const idpInitSp = nodeSamlSp({ ...saml.options, validateInResponseTo: 'never' } as never);
    const client = await signedInClient();
    const apps = await client.get('/api/portal/applications');
    assert.equal(apps.status, 200, apps.raw);
    const item = (apps.body.items as { id: string; url: string; protocol: string }[]).find((a) => a.id === sp.id);
    assert.ok(item, JSON.stringify(apps.body));
    assert.equal(item.url, `/saml/start/${sp.id}`);
    const res = await client.get(item.url);
    const form = parsePostForm(res.raw);
    assert.equal(form.action, acs);
    assert.equal(form.fields.RelayState, 'https://portal.sp.example/home');
    const { profile } = await idpInitSp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, 'ada.lovelace@corp.example');
  });

  it('single logout from one SP ends the Tessera session and sends a LogoutRequest to the other SP', async () => {
    const a = await registerSp('slo-a');
    const b = await registerSp('slo-b');
    const client = await signedInClient();
    const profiles = [];
    for (const sp of [a, b]) {
      const res = await client.get(pathOf(await sp.saml.getAuthorizeUrlAsync('', undefined, {})));
      profiles.push((await sp.saml.validatePostResponseAsync(parsePostForm(res.raw).fields)).profile!);
    }
    const logoutUrl = await a.saml.getLogoutUrlAsync(profiles[0], 'bye', {});
    const step1 = await client.get(pathOf(logoutUrl));
    assert.equal(step1.status, 303, step1.raw);
    const toB = new URL(step1.headers.location as string);
    assert.equal(toB.origin + toB.pathname, 'https://slo-b.sp.example/slo');
    const fromIdp = await b.saml.validateRedirectAsync(Object.fromEntries(toB.searchParams), toB.search.slice(1));
    assert.equal(fromIdp.loggedOut, true);
    assert.equal(fromIdp.profile?.nameID, 'ada.lovelace@corp.example');
    assert.equal((await client.get('/api/signin/session')).status === 200, false, 'the Tessera session ended');
    const bAnswer = await b.saml.getLogoutResponseUrlAsync(fromIdp.profile!, toB.searchParams.get('RelayState')!, {}, true);
    const step2 = await client.get(pathOf(bAnswer.replace('http://localhost:8080/saml/slo', `${ORIGIN}/saml/slo`)));
    assert.equal(step2.status, 303, step2.raw);
    const toA = new URL(step2.headers.location as string);
    assert.equal(toA.origin + toA.pathname, 'https://slo-a.sp.example/slo');
    assert.equal(toA.searchParams.get('RelayState'), 'bye');
    const done = await a.saml.validateRedirectAsync(Object.fromEntries(toA.searchParams), toA.search.slice(1));
    assert.equal(done.loggedOut, true);
  });

  it('IdP-initiated logout (/saml/logout) walks every SP, over HTTP-POST and HTTP-Redirect, then shows "signed out"', async () => {
    const a = await registerSp('idp-slo-a', { sloBinding: 'post' });
    const b = await registerSp('idp-slo-b');
    const client = await signedInClient();
    const profiles = [];
    for (const sp of [a, b]) {
      const res = await client.get(pathOf(await sp.saml.getAuthorizeUrlAsync('', undefined, {})));
      profiles.push((await sp.saml.validatePostResponseAsync(parsePostForm(res.raw).fields)).profile!);
    }
    const first = await client.get('/saml/logout');
    assert.equal(first.status, 200, first.raw);
    const toA = parsePostForm(first.raw);
    assert.equal(toA.action, 'https://idp-slo-a.sp.example/slo');
    const fromIdp = await a.saml.validatePostRequestAsync(toA.fields);
    assert.equal(fromIdp.profile?.nameID, 'ada.lovelace@corp.example');
    assert.equal(fromIdp.profile?.sessionIndex, profiles[0].sessionIndex, 'the SessionIndex of that SP');
    const answerA = new URL(await a.saml.getLogoutResponseUrlAsync(fromIdp.profile!, toA.fields.RelayState, {}, true));
    const second = await client.get(answerA.pathname + answerA.search);
    assert.equal(second.status, 303, second.raw);
    const toB = new URL(second.headers.location as string);
    assert.equal(toB.origin + toB.pathname, 'https://idp-slo-b.sp.example/slo');
    const fromIdpB = await b.saml.validateRedirectAsync(Object.fromEntries(toB.searchParams), toB.search.slice(1));
    const answerB = new URL(await b.saml.getLogoutResponseUrlAsync(fromIdpB.profile!, toB.searchParams.get('RelayState')!, {}, true));
    const done = await client.get(answerB.pathname + answerB.search);
    assert.equal(done.status, 200);
    assert.match(done.raw, /You are signed out/);
    assert.notEqual((await client.get('/api/signin/session')).status, 200);
  });

  it("the portal's Sign out (/saml/logout?from=portal) ends the SAML and WS-Fed sessions, then lands on the sign-in page", async () => {
    const sp = await registerSp('portal-out');
    const realm = 'urn:owa:portal-out';
    await t.services.serviceProviders.create(cliContext(), 'wsfed', {
      name: 'OWA',
      entityId: realm,
      preset: 'exchange',
      acsEndpoints: [{ url: 'https://mail.corp.example/owa/' }],
    });
    const client = await signedInClient();
    const signedIn = await client.get(pathOf(await sp.saml.getAuthorizeUrlAsync('', undefined, {})));
    const { profile } = await sp.saml.validatePostResponseAsync(parsePostForm(signedIn.raw).fields);
    assert.equal(parsePostForm((await client.get(`/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}`)).raw).fields.wa, 'wsignin1.0');

    const first = await client.get('/saml/logout?from=portal');
    assert.equal(first.status, 303, first.raw);
    assert.notEqual((await client.get('/api/signin/session')).status, 200, 'the Tessera session ended at once');
    const toSp = new URL(first.headers.location as string);
    assert.equal(toSp.origin + toSp.pathname, 'https://portal-out.sp.example/slo');
    const fromIdp = await sp.saml.validateRedirectAsync(Object.fromEntries(toSp.searchParams), toSp.search.slice(1));
    assert.equal(fromIdp.loggedOut, true);
    assert.equal(fromIdp.profile?.sessionIndex, profile!.sessionIndex, 'the SP is told which of its sessions ends');
    const answer = new URL(await sp.saml.getLogoutResponseUrlAsync(fromIdp.profile!, toSp.searchParams.get('RelayState')!, {}, true));
    const done = await client.get(answer.pathname + answer.search);
    assert.equal(done.status, 200, done.raw);
    assert.match(done.raw, /<img src="https:\/\/mail\.corp\.example\/owa\/\?wa=wsignoutcleanup1\.0"/, 'the WS-Fed relying party is told to clean up');
    assert.match(done.raw, /<a href="\/signin\?signed_out=1">Continue<\/a>/);
    assert.match(String(done.headers['content-security-policy']), /img-src https:\/\/mail\.corp\.example/);
    const events = await t.services.audit.find({ action: 'saml.logout' }, { offset: 0, limit: 50 });
    assert.ok(
      events.items.some(
        (e) =>
          (e.details as { initiator?: string; otherSps?: number; relyingParties?: number }).initiator === 'idp' &&
          (e.details as { otherSps: number }).otherSps === 1 &&
          (e.details as { relyingParties: number }).relyingParties === 1,
      ),
      'audited with both sessions',
    );
    assert.ok(
      (await t.services.audit.find({ action: 'employee.sign_out', targetId: employee.id }, { offset: 0, limit: 1 })).total >= 1,
      'the sign-out is audited',
    );

    // Nothing to walk: straight to the sign-in page; signed out already: the same.
    const plain = await signedInClient();
    const direct = await plain.get('/saml/logout?from=portal');
    assert.equal(direct.status, 303);
    assert.equal(direct.headers.location, '/signin?signed_out=1', 'the sign-in page says "You are signed out"');
    assert.notEqual((await plain.get('/api/signin/session')).status, 200);
    assert.equal((await plain.get('/saml/logout?from=portal')).headers.location, '/signin?signed_out=1');
    assert.equal((await plain.get('/saml/logout?from=https://evil.example')).status, 400, 'from names no URL');
  });

  it("WS-Fed sign-out (wsignout1.0) also walks the session's SAML SPs, then returns to the registered wreply", async () => {
    const sp = await registerSp('wsfed-out');
    const realm = 'urn:owa:wsfed-out';
    await t.services.serviceProviders.create(cliContext(), 'wsfed', {
      name: 'OWA 2',
      entityId: realm,
      preset: 'exchange',
      acsEndpoints: [{ url: 'https://mail2.corp.example/owa/' }],
    });
    const client = await signedInClient();
    await sp.saml.validatePostResponseAsync(parsePostForm((await client.get(pathOf(await sp.saml.getAuthorizeUrlAsync('', undefined, {})))).raw).fields);
    await client.get(`/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}`);
    const out = await client.get(`/wsfed?wa=wsignout1.0&wreply=${encodeURIComponent('https://mail2.corp.example/owa/')}`);
    assert.equal(out.status, 303, out.raw);
    assert.notEqual((await client.get('/api/signin/session')).status, 200, 'the Tessera session ended');
    const toSp = new URL(out.headers.location as string);
    assert.equal(toSp.origin + toSp.pathname, 'https://wsfed-out.sp.example/slo');
    const fromIdp = await sp.saml.validateRedirectAsync(Object.fromEntries(toSp.searchParams), toSp.search.slice(1));
    assert.equal(fromIdp.loggedOut, true);
    const answer = new URL(await sp.saml.getLogoutResponseUrlAsync(fromIdp.profile!, toSp.searchParams.get('RelayState')!, {}, true));
    const done = await client.get(answer.pathname + answer.search);
    assert.equal(done.status, 303, done.raw);
    assert.equal(done.headers.location, 'https://mail2.corp.example/owa/', 'back to the relying party that asked, no cleanup image for it');
  });

  it('admins manage service providers over the API; every change is audited', async () => {
    const admin = await signedInAdmin(t);
    const created = await admin.post('/api/saml/service-providers', {
      name: 'GitLab',
      entityId: 'https://gitlab.corp.example',
      preset: 'gitlab',
      acsEndpoints: [{ url: 'https://gitlab.corp.example/users/auth/saml/callback' }],
    });
    assert.equal(created.status, 201, created.raw);
    assert.equal(created.body.nameIdFormat, 'persistent');
    assert.ok(created.body.attributes.some((a: { name: string }) => a.name === 'username'));
    const dup = await admin.post('/api/saml/service-providers', {
      name: 'Again',
      entityId: 'https://gitlab.corp.example',
      acsEndpoints: [{ url: 'https://x.example/acs' }],
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'saml.entity_id_in_use');
    const bad = await admin.post('/api/saml/service-providers', {
      name: 'Bad',
      entityId: 'https://bad.example',
      acsEndpoints: [{ url: 'https://bad.example/acs' }],
      certificates: ['not a cert'],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'saml.certificate_invalid');
    const unsigned = await admin.patch(`/api/saml/service-providers/${created.body.id}`, { signResponse: false, signAssertion: false });
    assert.equal(unsigned.status, 400, 'nothing signed is refused');
    const patched = await admin.patch(`/api/saml/service-providers/${created.body.id}`, { enabled: false });
    assert.equal(patched.status, 200, patched.raw);
    assert.equal(patched.body.enabled, false);
    assert.equal(patched.body.nameIdFormat, 'persistent', 'a PATCH changes only what it names');
    assert.equal(patched.body.attributes.length, created.body.attributes.length);
    const removed = await admin.delete(`/api/saml/service-providers/${created.body.id}`);
    assert.equal(removed.status, 204);
    const actions = (await t.services.audit.find({}, { offset: 0, limit: 200 })).items.map((e) => e.action);
    for (const a of ['saml.sp_created', 'saml.sp_updated', 'saml.sp_deleted']) assert.ok(actions.includes(a as never), a);
    const anon = await new Client(t.app).get('/api/saml/service-providers');
    assert.equal(anon.status, 401);
  });
});
