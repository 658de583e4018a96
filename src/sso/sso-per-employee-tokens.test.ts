// SSO per employee after sign-in: tokens do not outlive the decision. An employee whose SSO is
// turned off after signing in to an application gets invalid_grant on the next refresh_token grant
// and 401 invalid_token from userinfo (oidc-provider asks findAccount, which asks decideAppAccess);
// turned back on, a new sign-in works. A passwordless employee's password is refused over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../test/helpers/oidc.js';
import { ENGINES } from '../../test/helpers/db.js';
import { givePasswordAndTotp, setPolicy } from '../../test/helpers/signin.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

for (const engine of ENGINES) {
  describe(`SSO per employee: tokens after SSO is turned off (${engine})`, { timeout: 120_000 }, () => {
    let t: OidcTestApp;
    let clientId = '';
    let clientSecret = '';

    before(async () => {
      t = await startOidcApp({ engine });
      const created = await registerClient(t, { name: 'Wiki', redirectUris: [REDIRECT] });
      clientId = created.client.clientId;
      clientSecret = created.clientSecret!;
    });
    after(async () => {
      await t?.close();
    });

    const token = async (body: Record<string, string>) => {
      const res = await fetch(`${t.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
        },
        body: new URLSearchParams(body),
      });
      return { status: res.status, json: (await res.json()) as Record<string, string> };
    };
    const userinfo = async (accessToken: string) => {
      const res = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate') ?? '', text: await res.text() };
    };

    /** Signs in to the client in a browser and exchanges the code: the tokens an application holds. */
    async function tokensOf(browser: Browser) {
      const verifier = pkce();
      const q = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        scope: 'openid email offline_access',
        prompt: 'consent',
        redirect_uri: REDIRECT,
        code_challenge: verifier.challenge,
        code_challenge_method: 'S256',
        state: 'st',
      });
      const code = new URL((await browser.follow(`/oidc/auth?${q}`)).location).searchParams.get('code');
      assert.ok(code, 'the sign-in answers a code');
      const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier.verifier });
      assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
      assert.ok(tokens.json.refresh_token, 'a refresh token is issued');
      return tokens.json;
    }

    it('refuses the refresh_token grant (invalid_grant) and userinfo (401 invalid_token) once SSO is off, and signs in again once it is back on', async () => {
      const { employee, key } = await employeeWithKey(t);
      const browser = new Browser(t.url);
      await signIn(t, browser, key);
      const tokens = await tokensOf(browser);
      assert.equal((await userinfo(tokens.access_token)).status, 200);
      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));

      await t.services.employees.update(cliContext(), employee.id, { ssoEnabled: false });
      const info = await userinfo(refreshed.json.access_token);
      assert.equal(info.status, 401, info.text);
      assert.match(info.wwwAuthenticate, /invalid_token/);
      const refused = await token({ grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.error, 'invalid_grant');

      // Another employee of the same application is not affected.
      const other = await employeeWithKey(t);
      const otherBrowser = new Browser(t.url);
      await signIn(t, otherBrowser, other.key);
      const theirs = await tokensOf(otherBrowser);
      assert.equal((await token({ grant_type: 'refresh_token', refresh_token: theirs.refresh_token })).status, 200);

      await t.services.employees.update(cliContext(), employee.id, { ssoEnabled: null });
      await tokensOf(browser);
    });

    it("refuses a passwordless employee's right password with signin.method_not_allowed_for_employee, and lets the same password through once the method is password plus a second factor", async () => {
      const { employee } = await employeeWithKey(t);
      const password = 'a long and private passphrase';
      await givePasswordAndTotp(t as never, employee, password);
      await setPolicy(t as never, { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] });
      try {
        await t.services.employees.update(cliContext(), employee.id, { ssoMethod: 'passwordless' });
        const refused = await new Browser(t.url).api('POST', '/api/signin/password', { email: employee.email, password });
        assert.equal(refused.status, 403, refused.text);
        assert.equal(refused.json.error.code, 'signin.method_not_allowed_for_employee');
        // A wrong password learns nothing about the method: it reads like any wrong password.
        const wrong = await new Browser(t.url).api('POST', '/api/signin/password', { email: employee.email, password: 'not it' });
        assert.equal(wrong.json.error.code, 'signin.invalid_credentials');

        await t.services.employees.update(cliContext(), employee.id, { ssoMethod: 'password_2fa' });
        const first = await new Browser(t.url).api('POST', '/api/signin/password', { email: employee.email, password });
        assert.equal(first.status, 200, first.text);
        assert.equal(first.json.status, 'second_factor_required');
      } finally {
        await setPolicy(t as never, { allowPasswordSignIn: false, secondFactors: ['totp', 'passkey'] });
      }
    });
  });
}
