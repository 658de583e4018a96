// An employee signs in to a relying party (openid-client 6, with its own callback server on
// 127.0.0.1) through Tessera in Debian's Chromium: authorization code + PKCE, the sign-in page with
// a passkey held by a CDP virtual authenticator, back to the application; then a refresh, and an
// RP-initiated logout confirmed on Tessera's logout page, after which the refresh token is dead.
// A client an admin did not mark first-party gets the consent page, whose Allow reaches the client
// (the browser checks the redirects after the form post against the page's CSP form-action).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser as Chromium } from 'playwright-core';
import * as oidc from 'openid-client';
import {
  addVirtualAuthenticator,
  importCredential,
  assertChromiumInstalled,
  browserSkipReason,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { employeeWithKey, pkce, registerClient, startOidcApp, type OidcTestApp } from './helpers/oidc.js';
import { freePort } from './helpers/server.js';

/** A relying party's callback endpoint: records every request and answers a small page. */
async function callbackServer() {
  const port = await freePort();
  const hits: URL[] = [];
  const server = http.createServer((req, res) => {
    hits.push(new URL(req.url!, `http://127.0.0.1:${port}`));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Application</h1>');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('OIDC sign-in in Chromium with a passkey', { skip: browserSkipReason(), timeout: 120_000 }, () => {
  let t: OidcTestApp;
  let chromium: Chromium | undefined;
  let rp: Awaited<ReturnType<typeof callbackServer>>;
  let session: BrowserSession;
  let config: oidc.Configuration;
  let employeeEmail = '';
  let partner: Awaited<ReturnType<typeof registerClient>>;

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    [t, chromium, rp] = await Promise.all([startOidcApp(), launchBrowser(), callbackServer()]);
    const { employee, key } = await employeeWithKey(t);
    employeeEmail = employee.email;
    const created = await registerClient(t, {
      name: 'Intranet',
      redirectUris: [`${rp.url}/cb`],
      postLogoutRedirectUris: [`${rp.url}/signed-out`],
      initiateLoginUri: `${rp.url}/start`,
    });
    config = await oidc.discovery(new URL(t.issuer), created.client.clientId, created.clientSecret!, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    partner = await registerClient(t, { name: 'Partner portal', redirectUris: [`${rp.url}/partner-cb`], firstParty: false });

    session = await newSession(chromium, { baseURL: t.url });
    // The employee's key, as enrolled, now inside Chromium's virtual authenticator.
    await importCredential(await addVirtualAuthenticator(session.context, session.page, 'usb'), key.credentials[0]);
  });

  after(async () => {
    await chromium?.close().catch(() => undefined);
    await rp?.close().catch(() => undefined);
    await t?.close().catch(() => undefined);
    if (session?.errors.length) console.log(`browser errors seen:\n${session.errors.join('\n')}`);
  });

  it('signs in with the passkey, refreshes, and logs out', async () => {
    const { page } = session;
    const verifier = pkce();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.url}/cb`,
      scope: 'openid email profile',
      code_challenge: verifier.challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    await page.goto(authUrl.href);
    await page.waitForURL((u) => u.pathname === '/signin');
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
    await page.waitForURL((u) => u.href.startsWith(`${rp.url}/cb`), { timeout: 20_000 });
    const callback = rp.hits.find((h) => h.pathname === '/cb')!;
    assert.equal(callback.searchParams.get('state'), state);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    assert.equal(claims.email, employeeEmail);
    assert.deepEqual(claims.amr, ['fido', 'hwk', 'mfa'], 'a security key sign-in');
    assert.ok(tokens.refresh_token);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()?.sub, claims.sub);

    // The application is in the employee's portal, linking to its login URL.
    await page.goto('/portal');
    const app = page.getByRole('list', { name: 'My applications' }).getByRole('link', { name: /Intranet/ });
    assert.equal(await app.getAttribute('href'), `${rp.url}/start`);

    const endUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${rp.url}/signed-out`, state: 'out' });
    await page.goto(endUrl.href);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${rp.url}/signed-out`));
    assert.equal(rp.hits.find((h) => h.pathname === '/signed-out')?.searchParams.get('state'), 'out');
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: oidc.ResponseBodyError) => err.error === 'invalid_grant');

    // Signed out of Tessera too: the next authorization asks for the passkey again.
    await page.goto(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${rp.url}/cb`,
        scope: 'openid',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        state: 'again',
      }).href,
    );
    await page.waitForURL((u) => u.pathname === '/signin');
    // Only the expected failures: the sign-in page's session probe (401) and the RP's missing favicon (404).
    assert.deepEqual(
      session.errors.filter((e) => !/status of (401|404)/.test(e)),
      [],
    );
  });

  it('asks for consent for a third-party client, and Allow takes the employee to it', async () => {
    const { page } = session;
    const authUrl = `${t.issuer}/auth?${new URLSearchParams({ client_id: partner.client.clientId, response_type: 'code', scope: 'openid email', redirect_uri: `${rp.url}/partner-cb`, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 'partner' })}`;
    await page.goto(authUrl);
    await page.waitForURL((u) => u.pathname === '/signin');
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
    await page.getByRole('heading', { name: 'Allow Partner portal?' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${rp.url}/partner-cb`), { timeout: 20_000 });
    const callback = rp.hits.find((h) => h.pathname === '/partner-cb')!;
    assert.equal(callback.searchParams.get('state'), 'partner');
    assert.ok(callback.searchParams.get('code'));
    assert.deepEqual(
      session.errors.filter((e) => !/status of (401|404)/.test(e)),
      [],
    );
  });
});
