// What happens between the authorization request and the code: prompt=none, prompt=login and
// max_age against the employee's Tessera session, consent for a client an admin did not mark
// first-party, back-channel logout when an admin disables the employee, and private_key_jwt
// client authentication.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, exportJWK, generateKeyPair, jwtVerify, createRemoteJWKSet } from 'jose';
import * as oidc from 'openid-client';
import { cliContext } from '../../lib/context.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';
import { freePort } from '../../../test/helpers/server.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

async function eventually<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OIDC interactions', { timeout: 60_000 }, () => {
  let t: OidcTestApp;
  let clientId = '';
  let clientSecret = '';
  let logoutServer: http.Server;
  const logoutTokens: string[] = [];
  let logoutUrl = '';

  before(async () => {
    t = await startOidcApp();
    const port = await freePort();
    logoutUrl = `http://127.0.0.1:${port}/backchannel`;
    logoutServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) logoutTokens.push(token);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => logoutServer.listen(port, '127.0.0.1', resolve));
    const created = await registerClient(t, { name: 'Wiki', redirectUris: [REDIRECT], backchannelLogoutUri: logoutUrl });
    clientId = created.client.clientId;
    clientSecret = created.clientSecret!;
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((resolve) => logoutServer?.close(() => resolve()));
  });

  const authorizeUrl = (extra: Record<string, string> = {}, client = clientId) =>
    `/oidc/auth?${new URLSearchParams({ client_id: client, response_type: 'code', scope: 'openid email', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 'st', ...extra })}`;

  async function signedIn() {
    const { employee, key } = await employeeWithKey(t);
    const browser = new Browser(t.url);
    await signIn(t, browser, key);
    return { employee, key, browser };
  }

  it('answers prompt=none without a session with login_required, and with one with a code', async () => {
    const anonymous = new Browser(t.url);
    const refused = new URL((await anonymous.follow(authorizeUrl({ prompt: 'none' }))).location);
    assert.equal(refused.searchParams.get('error'), 'login_required', refused.href);

    const { browser } = await signedIn();
    const first = new URL((await browser.follow(authorizeUrl())).location);
    assert.ok(first.searchParams.get('code'), first.href);
    const silent = new URL((await browser.follow(authorizeUrl({ prompt: 'none' }))).location);
    assert.ok(silent.searchParams.get('code'), `a signed-in employee gets a code silently: ${silent.href}`);
  });

  it('makes the employee sign in again for prompt=login and max_age=0, but not for a generous max_age', async () => {
    const { browser, key } = await signedIn();
    assert.ok(new URL((await browser.follow(authorizeUrl())).location).searchParams.get('code'));
    assert.ok(new URL((await browser.follow(authorizeUrl({ max_age: '3600' }))).location).searchParams.get('code'), 'a recent sign-in satisfies max_age=3600');

    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      const again = await browser.follow(authorizeUrl(extra));
      const signin = new URL(again.location, t.url);
      assert.equal(signin.pathname, '/signin', `${JSON.stringify(extra)}: ${again.location}`);
      assert.equal((await browser.api('GET', '/api/signin/session')).status === 200, false, 'the old Tessera session is over');
      await signIn(t, browser, key);
      const done = new URL((await browser.follow(signin.searchParams.get('return_to')!)).location);
      assert.ok(done.searchParams.get('code'), `${JSON.stringify(extra)}: ${done.href}`);
    }
  });

  it('gives an essential acr the sign-in meets, and answers unmet_authentication_requirements after one more sign-in for one it does not', async () => {
    const { browser, key } = await signedIn();
    const acrClaims = (value: string) => JSON.stringify({ id_token: { acr: { essential: true, values: [value] } } });
    const met = new URL((await browser.follow(authorizeUrl({ claims: acrClaims('urn:tessera:acr:phr') }))).location);
    assert.ok(met.searchParams.get('code'), `a security key sign-in is phishing-resistant: ${met.href}`);

    // A security key never gives urn:tessera:acr:mfa: one more sign-in, then the error (not a redirect loop).
    const again = await browser.follow(authorizeUrl({ claims: acrClaims('urn:tessera:acr:mfa') }));
    const signin = new URL(again.location, t.url);
    assert.equal(signin.pathname, '/signin', again.location);
    await signIn(t, browser, key);
    const { location, visited } = await browser.follow(signin.searchParams.get('return_to')!);
    assert.equal(new URL(location).searchParams.get('error'), 'unmet_authentication_requirements', visited.join('\n'));
  });

  it('asks for consent for a client that is not first-party, and honours "Deny"', async () => {
    const thirdParty = await registerClient(t, { name: 'Partner portal', redirectUris: [REDIRECT], firstParty: false });
    const { browser } = await signedIn();
    const ask = await browser.follow(authorizeUrl({}, thirdParty.client.clientId));
    const html = await ask.res.text();
    assert.match(html, /Allow Partner portal\?/);
    const action = /action="([^"]+\/confirm)"/.exec(html)![1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1];
    // A post that did not come from the page (cross-site form, no token) changes nothing.
    for (const body of [new URLSearchParams(), new URLSearchParams({ csrf: `${csrf.slice(0, -2)}AA` })]) {
      const forged = await browser.fetch(action, { method: 'POST', body });
      assert.equal(forged.status, 403);
    }
    assert.equal((await t.services.audit.find({ action: 'oidc.consent_given' }, { offset: 0, limit: 5 })).items.length, 0);
    const allowed = new URL((await browser.follow(action, { method: 'POST', body: new URLSearchParams({ csrf }) })).location);
    assert.ok(allowed.searchParams.get('code'), allowed.href);
    const consents = await t.services.audit.find({ action: 'oidc.consent_given' }, { offset: 0, limit: 5 });
    assert.equal(consents.items.length, 1);
    // Consent is remembered in the grant: the next request does not ask again.
    assert.ok(new URL((await browser.follow(authorizeUrl({}, thirdParty.client.clientId))).location).searchParams.get('code'));

    const other = await signedIn();
    const page = await (await other.browser.follow(authorizeUrl({}, thirdParty.client.clientId))).res.text();
    const abort = /action="([^"]+\/abort)"/.exec(page)![1];
    const denied = new URL(
      (await other.browser.follow(abort, { method: 'POST', body: new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec(page)![1] }) })).location,
    );
    assert.equal(denied.searchParams.get('error'), 'access_denied');
  });

  it('answers a stale or foreign interaction link with 400, never 500', async () => {
    const stranger = new Browser(t.url);
    for (const [method, path] of [
      ['GET', '/oidc/interaction/abc123'],
      ['POST', '/oidc/interaction/abc123/confirm'],
      ['POST', '/oidc/interaction/abc123/abort'],
    ]) {
      const res = await stranger.fetch(path, { method, body: method === 'POST' ? '' : undefined });
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.match(await res.text(), /expired/);
    }
  });

  it('sends back-channel logout to the client when an admin disables the employee', async () => {
    const { employee, browser } = await signedIn();
    const verifier = pkce();
    const callback = new URL(
      (
        await browser.follow(
          `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, code_challenge: verifier.challenge, code_challenge_method: 'S256', state: 'bc' })}`,
        )
      ).location,
    );
    const config = await oidc.discovery(new URL(t.issuer), clientId, clientSecret, oidc.ClientSecretBasic(), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: 'bc' });
    const sid = tokens.claims()!.sid;
    assert.ok(sid, 'the ID token names the session (sid) for back-channel logout');

    await t.services.employees.update(cliContext(), employee.id, { status: 'disabled' });
    const token = await eventually(() => logoutTokens.find((lt) => decodeJwt(lt).sub === employee.id), 'the logout token');
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), { issuer: t.issuer, audience: clientId });
    assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
    assert.equal(payload.sid, sid);
    assert.equal(payload.nonce, undefined, 'a logout token has no nonce (Back-Channel Logout 1.0 §2.4)');
  });

  it('authenticates a private_key_jwt client by its registered public key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const created = await registerClient(t, {
      name: 'Signed batch',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      scopes: ['openid'],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'batch-1' }] },
    });
    assert.equal(created.clientSecret, null);
    const config = await oidc.discovery(new URL(t.issuer), created.client.clientId, undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'batch-1' }), {
      execute: [oidc.allowInsecureRequests],
    });
    const token = await oidc.clientCredentialsGrant(config);
    assert.ok(token.access_token);
    const { privateKey: otherKey } = await generateKeyPair('ES256');
    const impostor = await oidc.discovery(new URL(t.issuer), created.client.clientId, undefined, oidc.PrivateKeyJwt({ key: otherKey, kid: 'batch-1' }), {
      execute: [oidc.allowInsecureRequests],
    });
    await assert.rejects(oidc.clientCredentialsGrant(impostor), (err: oidc.ResponseBodyError) => err.error === 'invalid_client');
  });
});
