// RP-initiated logout asks before it ends anything. `/oidc/session/end` without a provider session
// (a link on any site, no id_token_hint) used to answer oidc-provider's page that submits itself on
// load, which also ended the employee's Tessera session. Now every case shows the same page: which
// session ends, a form, a button, no script; only the click (POST of the form) signs out. With the
// id_token_hint of the current session the usual logout goes on to the post-logout redirect URI.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const BYE = 'http://127.0.0.1:9/bye';

describe('OIDC logout confirmation', { timeout: 60_000 }, () => {
  let t: OidcTestApp;
  let config: oidc.Configuration;

  before(async () => {
    t = await startOidcApp();
    const created = await registerClient(t, { name: 'Wiki', redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] });
    config = await oidc.discovery(new URL(t.issuer), created.client.clientId, created.clientSecret!, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  after(async () => {
    await t?.close();
  });

  async function signedInEmployee() {
    const { employee, key } = await employeeWithKey(t);
    const browser = new Browser(t.url);
    await signIn(t, browser, key);
    return { employee, browser };
  }

  /** The logout page: a form with the xsrf value and a submit button, and nothing that submits it by itself. */
  async function logoutPage(browser: Browser, url: string) {
    const res = await browser.fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.match(html, /<form id="op\.logoutForm" method="post" action="[^"]*\/oidc\/session\/end\/confirm">/);
    assert.match(html, /<button[^>]*type="submit"[^>]*name="logout"[^>]*>Yes, sign me out<\/button>/);
    assert.doesNotMatch(html, /<script/i, 'no script on the page');
    assert.doesNotMatch(html, /\bon(load|submit|focus|pageshow)\s*=/i, 'no event handler attribute');
    assert.doesNotMatch(html, /<meta[^>]+http-equiv="refresh"/i);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, `no script hash or inline script allowed: ${csp}`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(xsrf, html);
    return { html, xsrf };
  }

  it('asks, without a script, when nobody is signed in', async () => {
    const { html } = await logoutPage(new Browser(t.url), `${t.issuer}/session/end`);
    assert.match(html, /<h1>Sign out\?<\/h1>/);
    assert.match(html, /No one is signed in with a company account in this browser/);
  });

  it('asks the employee signed in to Tessera, names them, and signs out only on the click', async () => {
    const { employee, browser } = await signedInEmployee();
    const { html, xsrf } = await logoutPage(browser, `${t.issuer}/session/end`);
    assert.ok(html.includes(employee.email), 'the page says which session ends');
    assert.equal((await browser.api('GET', '/api/signin/session')).status, 200, 'showing the page ends nothing');

    const confirm = await browser.follow(`${t.issuer}/session/end/confirm`, { method: 'POST', body: new URLSearchParams({ xsrf, logout: 'yes' }) });
    assert.equal(new URL(confirm.location).pathname, '/oidc/session/end/success');
    assert.equal((await browser.api('GET', '/api/signin/session')).status, 401, 'the Tessera session ended with the click');
  });

  it('answers a forged id_token_hint with an error page and signs nobody out', async () => {
    const { browser } = await signedInEmployee();
    const forged = await browser.fetch(`${t.issuer}/session/end?id_token_hint=not.a.token`);
    assert.equal(forged.status, 400);
    assert.doesNotMatch(await forged.text(), /<script/i);
    assert.equal((await browser.api('GET', '/api/signin/session')).status, 200);
  });

  it('logs out normally with the id_token_hint of the current session', async () => {
    const { employee, browser } = await signedInEmployee();
    const verifier = pkce();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: verifier.challenge,
      code_challenge_method: 'S256',
      state: 's',
    });
    const callback = new URL((await browser.follow(authUrl.href)).location);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: 's' });

    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE, state: 'bye' });
    const { html, xsrf } = await logoutPage(browser, end.href);
    assert.ok(html.includes(employee.email));
    assert.match(html, /sign out of Wiki and/);
    assert.match(html, /<ul aria-label="Applications to sign out of"><li>Wiki<\/li><\/ul>/, 'the applications of this session, by name');
    const confirm = await browser.follow(`${t.issuer}/session/end/confirm`, { method: 'POST', body: new URLSearchParams({ xsrf, logout: 'yes' }) });
    assert.equal(confirm.location, `${BYE}?state=bye`);
    assert.equal((await browser.api('GET', '/api/signin/session')).status, 401);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
  });

  /** An employee signed in to Wiki in their own browser, with the tokens Wiki got. */
  async function signedInToWiki() {
    const { employee, key } = await employeeWithKey(t);
    const browser = new Browser(t.url);
    await signIn(t, browser, key);
    const verifier = pkce();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: verifier.challenge,
      code_challenge_method: 'S256',
      state: 's',
    });
    const callback = new URL((await browser.follow(authUrl.href)).location);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: 's' });
    assert.equal(typeof tokens.claims()?.sid, 'string', 'the ID token names its session (sid)');
    return { employee, key, browser, tokens };
  }
  const isSignedIn = async (browser: Browser) => (await browser.api('GET', '/api/signin/session')).status === 200;
  const isActive = async (token: string) => (await oidc.tokenIntrospection(config, token)).active === true;

  /** The logout endpoint's error form (an HTML page naming invalid_request, status 400), with no logout form on it. */
  async function refused(browser: Browser, url: string, why: RegExp) {
    const res = await browser.fetch(url);
    const html = await res.text();
    assert.equal(res.status, 400, html);
    assert.match(html, /<code>invalid_request<\/code>/);
    assert.match(html, why);
    assert.doesNotMatch(html, /op\.logoutForm/, 'no form to confirm');
  }

  it("refuses another employee's id_token_hint in this browser, and both sessions go on", async () => {
    const alice = await signedInToWiki();
    const bob = await signedInToWiki();
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: bob.tokens.id_token!, post_logout_redirect_uri: BYE });
    await refused(alice.browser, end.href, /not issued in the session of this browser/);
    // Even posted straight to the confirmation, nothing ends: no xsrf was handed out for it.
    const confirm = await alice.browser.fetch(`${t.issuer}/session/end/confirm`, { method: 'POST', body: new URLSearchParams({ xsrf: 'x', logout: 'yes' }) });
    assert.equal(confirm.status, 400);
    assert.ok(await isSignedIn(alice.browser), "Alice's Tessera session goes on");
    assert.ok(await isSignedIn(bob.browser), "Bob's Tessera session goes on");
    assert.ok(await isActive(alice.tokens.access_token), "Alice's tokens stay valid");
    assert.ok(await isActive(bob.tokens.access_token), "Bob's tokens stay valid");
  });

  it('refuses a post_logout_redirect_uri that Wiki did not register, and signs nobody out', async () => {
    const { browser, tokens } = await signedInToWiki();
    for (const forged of ['http://127.0.0.1:9/bye/../evil', 'http://evil.example/bye', `${BYE}?next=http://evil.example`, 'http://127.0.0.1:9/BYE']) {
      const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: forged });
      await refused(browser, end.href, /post_logout_redirect_uri not registered/);
    }
    assert.ok(await isSignedIn(browser));
    assert.ok(await isActive(tokens.access_token));
  });

  it('refuses an id_token_hint replayed after its session ended, and the new session goes on', async () => {
    const first = await signedInToWiki();
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: first.tokens.id_token!, post_logout_redirect_uri: BYE, state: 'one' });
    const { xsrf } = await logoutPage(first.browser, end.href);
    const confirm = await first.browser.follow(`${t.issuer}/session/end/confirm`, { method: 'POST', body: new URLSearchParams({ xsrf, logout: 'yes' }) });
    assert.equal(confirm.location, `${BYE}?state=one`);
    assert.equal(await isSignedIn(first.browser), false);

    // The same employee signs in again in the same browser; the old hint names the ended session.
    const verifier = pkce();
    await signIn(t, first.browser, first.key);
    const again = await first.browser.follow(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: verifier.challenge,
        code_challenge_method: 'S256',
        state: 'a',
      }).href,
    );
    const tokens = await oidc.authorizationCodeGrant(config, new URL(again.location), { pkceCodeVerifier: verifier.verifier, expectedState: 'a' });
    await refused(first.browser, end.href, /not issued in the session of this browser/);
    assert.ok(await isSignedIn(first.browser), 'the new session goes on');
    assert.ok(await isActive(tokens.access_token));
  });

  it('"No, stay signed in" ends only the asking application\'s part: the Tessera session goes on', async () => {
    const { browser, tokens } = await signedInToWiki();
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE });
    const { xsrf } = await logoutPage(browser, end.href);
    const confirm = await browser.follow(`${t.issuer}/session/end/confirm`, { method: 'POST', body: new URLSearchParams({ xsrf }) });
    assert.equal(confirm.location, BYE);
    assert.equal(await isActive(tokens.access_token), false, "Wiki's grant ended");
    assert.ok(await isSignedIn(browser), 'the Tessera session goes on');
  });
});
