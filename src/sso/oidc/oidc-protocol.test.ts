// The OpenID Connect provider against openid-client 6 as the relying party, over real HTTP: code +
// PKCE through the employee sign-in, acr/amr, userinfo, refresh with rotation and reuse detection,
// client credentials, introspection, revocation, and the OAuth errors the specs name for a wrong
// redirect URI, an unknown client, a bad PKCE verifier and a replayed code. A disabled employee's
// refresh token is refused on the very next request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { cliContext } from '../../lib/context.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

describe('OIDC provider with openid-client', { timeout: 60_000 }, () => {
  let t: OidcTestApp;
  let clientId = '';
  let clientSecret = '';
  let config: oidc.Configuration;

  before(async () => {
    t = await startOidcApp();
    const created = await registerClient(t, {
      name: 'Wiki',
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: ['http://127.0.0.1:9/bye'],
      claims: ['email', 'name', 'department'],
    });
    clientId = created.client.clientId;
    clientSecret = created.clientSecret!;
    config = await oidc.discovery(new URL(t.issuer), clientId, clientSecret, oidc.ClientSecretBasic(), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    await t?.close();
  });

  /** Runs the front channel as a browser would and returns the callback URL with the code. */
  async function authorize(browser: Browser, extra: Record<string, string> = {}, verifier = pkce()) {
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email profile offline_access',
      code_challenge: verifier.challenge,
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    const { location, visited } = await browser.follow(url.href);
    return { callback: new URL(location), state, verifier, visited };
  }

  async function signedInBrowser() {
    const { employee, key } = await employeeWithKey(t);
    const browser = new Browser(t.url);
    await signIn(t, browser, key);
    return { employee, key, browser };
  }

  it('publishes discovery and a JWKS with an RS256 and an ES256 key', async () => {
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, t.issuer);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.ok(meta.end_session_endpoint && meta.introspection_endpoint && meta.revocation_endpoint);
    const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: { alg: string; d?: string }[] };
    assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    assert.ok(
      jwks.keys.every((k) => k.d === undefined),
      'no private key material is published',
    );
    // However a request reaches the node (another Host, forged forwarding headers), URLs are PUBLIC_URL's.
    const port = new URL(t.url).port;
    const direct = (await (
      await fetch(`http://127.0.0.1:${port}/oidc/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      })
    ).json()) as { issuer: string; token_endpoint: string };
    assert.equal(direct.issuer, t.issuer);
    assert.equal(direct.token_endpoint, `${t.issuer}/token`);
  });

  it('sends an employee without a session to the sign-in page, and back to the interaction', async () => {
    const browser = new Browser(t.url);
    const { callback } = await authorize(browser);
    assert.equal(callback.pathname, '/signin');
    assert.match(callback.searchParams.get('return_to') ?? '', /^\/oidc\/interaction\/[\w-]+$/);
  });

  it('completes code + PKCE for a signed-in employee, with claims, acr and amr of a security key', async () => {
    const { employee, browser } = await signedInBrowser();
    const { callback, state, verifier } = await authorize(browser);
    assert.equal(callback.origin + callback.pathname, REDIRECT, `ended at ${callback.href}`);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: state });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, employee.id);
    assert.equal(claims.email, employee.email);
    assert.equal(claims.name, `${employee.firstName} ${employee.lastName}`);
    assert.equal(claims.acr, 'urn:tessera:acr:phr');
    assert.deepEqual(claims.amr, ['fido', 'hwk', 'mfa']);
    assert.ok(tokens.refresh_token, 'a refresh token is issued');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, employee.id);
    assert.equal(info.email, employee.email);

    // Refresh rotates; the old refresh token, presented again, revokes the grant (RFC 9700 §4.14.2).
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: oidc.ResponseBodyError) => err.error === 'invalid_grant');
    await assert.rejects(
      oidc.refreshTokenGrant(config, refreshed.refresh_token!),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
      'the reuse revoked the whole grant',
    );
  });

  it("refuses a disabled employee's refresh token on the next request", async () => {
    const { employee, browser } = await signedInBrowser();
    const { callback, state, verifier } = await authorize(browser);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: state });
    const ok = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await t.services.employees.update(cliContext(), employee.id, { status: 'disabled' });
    await assert.rejects(oidc.refreshTokenGrant(config, ok.refresh_token!), (err: oidc.ResponseBodyError) => err.error === 'invalid_grant');
    const introspected = await oidc.tokenIntrospection(config, ok.access_token);
    assert.equal(introspected.active, false, 'the access token is revoked too');
  });

  it("refuses a deleted employee's refresh token and removes their grants", async () => {
    const { employee, browser } = await signedInBrowser();
    const { callback, state, verifier } = await authorize(browser);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: state });
    await t.services.employees.remove(cliContext(), employee.id);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: oidc.ResponseBodyError) => err.error === 'invalid_grant');
    const left = await t.db.database.query('SELECT model FROM oidc_models WHERE account_id = $1', [employee.id]);
    assert.deepEqual(left, [], 'nothing of theirs is left at the provider');
  });

  it('answers a bad PKCE verifier and a replayed code with invalid_grant', async () => {
    const { browser } = await signedInBrowser();
    const first = await authorize(browser);
    await assert.rejects(
      oidc.authorizationCodeGrant(config, first.callback, { pkceCodeVerifier: pkce().verifier, expectedState: first.state }),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
    const second = await authorize(browser);
    const tokens = await oidc.authorizationCodeGrant(config, second.callback, { pkceCodeVerifier: second.verifier.verifier, expectedState: second.state });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, second.callback, { pkceCodeVerifier: second.verifier.verifier, expectedState: second.state }),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
    // A replayed code revokes what it produced (RFC 6749 §4.1.2).
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
  });

  it('refuses a request without PKCE, an unknown client and an unregistered redirect URI', async () => {
    const browser = new Browser(t.url);
    const noPkce = await browser.follow(
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT })}`,
    );
    const back = new URL(noPkce.location);
    assert.equal(back.searchParams.get('error'), 'invalid_request', noPkce.location);

    // Without a trustworthy redirect URI the error is shown, not redirected (RFC 6749 §4.1.2.1).
    const unknown = await browser.fetch(
      `/oidc/auth?${new URLSearchParams({ client_id: 'nobody', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
    );
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /invalid_client/);
    const wrong = await browser.fetch(
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: 'http://127.0.0.1:9/evil', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
    );
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /invalid_redirect_uri/);
    assert.equal(wrong.headers.get('location'), null);

    const badSecret = await oidc.discovery(new URL(t.issuer), clientId, 'not-the-secret', oidc.ClientSecretBasic(), { execute: [oidc.allowInsecureRequests] });
    // A client_secret_basic client is refused with a Basic challenge (RFC 6749 §5.2: 401 and WWW-Authenticate).
    await assert.rejects(
      oidc.clientCredentialsGrant(badSecret),
      (err: oidc.WWWAuthenticateChallengeError) => err.status === 401 && err.cause.some((c) => c.scheme === 'basic' && c.parameters.error === 'invalid_client'),
    );
    // Counted per source and minute (anyone can send wrong secrets at request speed): written on flush.
    await t.services.audit.flush();
    const failures = await t.services.audit.find({ action: 'oidc.client_auth_failed' }, { offset: 0, limit: 5 });
    const samples = failures.items.flatMap((e) => (e.details as { samples?: { clientId?: string }[] }).samples ?? []);
    assert.ok(
      failures.items.every((e) => e.outcome === 'failure') && samples.some((d) => d.clientId === clientId),
      'the failed client authentication is audited',
    );
    assert.ok(!JSON.stringify(failures.items).includes('not-the-secret'), 'without the secret tried');
  });

  it('issues client-credentials tokens, introspects and revokes them', async () => {
    const service = await registerClient(t, { name: 'Batch job', grantTypes: ['client_credentials'], redirectUris: [], scopes: ['openid'] });
    const cc = await oidc.discovery(new URL(t.issuer), service.client.clientId, service.clientSecret!, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    const token = (await cc.serverMetadata()) && (await oidc.clientCredentialsGrant(cc));
    assert.ok(token.access_token);
    const info = await oidc.tokenIntrospection(cc, token.access_token);
    assert.equal(info.active, true);
    assert.equal(info.client_id, service.client.clientId);
    assert.deepEqual(await oidc.tokenIntrospection(config, token.access_token), { active: false }, 'another client learns nothing about the token');
    await oidc.tokenRevocation(cc, token.access_token);
    assert.equal((await oidc.tokenIntrospection(cc, token.access_token)).active, false);
    // A code client is not registered for client_credentials.
    await assert.rejects(oidc.clientCredentialsGrant(config), (err: oidc.ResponseBodyError) => /grant type is not allowed/.test(err.error_description ?? ''));
  });

  it('logs out through the end-session endpoint and ends the employee session too', async () => {
    const { browser } = await signedInBrowser();
    const { callback, state, verifier } = await authorize(browser);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: state });
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/bye', state: 'bye' });
    const page = await browser.fetch(end.href);
    assert.equal(page.status, 200);
    const html = await page.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(xsrf, html);
    const confirm = await browser.follow(`${t.issuer}/session/end/confirm`, { method: 'POST', body: new URLSearchParams({ xsrf, logout: 'yes' }) });
    assert.equal(confirm.location, 'http://127.0.0.1:9/bye?state=bye');
    const again = await authorize(browser);
    assert.equal(again.callback.pathname, '/signin', 'signed out of Tessera as well');
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
  });
});
