// Single logout that starts outside OIDC ends the OIDC side of the same Tessera session (issue 15
// part 4): the portal's Sign out (/saml/logout?from=portal) and a SAML SP's LogoutRequest end the
// provider session of the browser (a later prompt=none is answered login_required even after a new
// sign-in), revoke its refresh tokens, and send a back-channel logout token, checked here against
// the JWKS by a receiver on 127.0.0.1. Another employee's LogoutRequest and a replayed one end
// nothing of this browser; a receiver that does not answer holds up no browser and is audited.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { cliContext } from '../src/lib/context.js';
import { ENGINES } from './helpers/db.js';
import { eventually } from './helpers/eventually.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from './helpers/oidc.js';
import { idpCertFromMetadata, nodeSamlSp, parsePostForm, randomEntity } from './helpers/saml.js';
import { freePort } from './helpers/server.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** A back-channel logout receiver: records each logout token; `hold` keeps the answers back until released. */
async function startReceiver() {
  const port = await freePort();
  const tokens: string[] = [];
  const held: http.ServerResponse[] = [];
  let hold = false;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) tokens.push(token);
      if (hold) held.push(res);
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/backchannel`,
    tokens,
    held,
    setHold: (value: boolean) => {
      hold = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

for (const engine of ENGINES) {
  describe(`single logout from SAML and the portal ends the OIDC side (${engine})`, { timeout: 120_000 }, () => {
    let t: OidcTestApp;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let wiki: { clientId: string; secret: string };
    let notes: { clientId: string; secret: string };
    let idpCert: string[];

    before(async () => {
      t = await startOidcApp({ engine });
      receiver = await startReceiver();
      const w = await registerClient(t, { name: 'Wiki', redirectUris: [REDIRECT], backchannelLogoutUri: receiver.url });
      wiki = { clientId: w.client.clientId, secret: w.clientSecret! };
      const n = await registerClient(t, { name: 'Notes', redirectUris: [REDIRECT] });
      notes = { clientId: n.client.clientId, secret: n.clientSecret! };
      idpCert = idpCertFromMetadata(await (await fetch(`${t.url}/saml/metadata`)).text());
    });
    after(async () => {
      await t?.close();
      await receiver?.close();
    });

    const authorizeUrl = (clientId: string, challenge: string, extra: Record<string, string> = {}) =>
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid email offline_access', prompt: 'consent', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'st', ...extra })}`;

    /** Signs the browser in to an OIDC client: its tokens (a refresh token too) and the sid of its ID token. */
    async function oidcSignIn(browser: Browser, client: { clientId: string; secret: string }) {
      const verifier = pkce();
      const callback = new URL((await browser.follow(authorizeUrl(client.clientId, verifier.challenge))).location);
      assert.ok(callback.searchParams.get('code'), callback.href);
      const config = await oidc.discovery(new URL(t.issuer), client.clientId, client.secret, oidc.ClientSecretBasic(), {
        execute: [oidc.allowInsecureRequests],
      });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: 'st' });
      assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
      return { config, tokens, sid: tokens.claims()!.sid as string };
    }

    /** A silent authorization (prompt=none) in this browser: a code, or the error it was answered. */
    async function silent(browser: Browser, clientId: string) {
      const url = new URL((await browser.follow(authorizeUrl(clientId, pkce().challenge, { prompt: 'none' }))).location);
      return url.searchParams.get('code') ? 'code' : url.searchParams.get('error');
    }

    async function registerSp(name: string) {
      const entityId = randomEntity(name);
      const acs = `https://${name}.sp.example/acs`;
      await t.services.serviceProviders.create(cliContext(), 'saml', {
        name,
        entityId,
        acsEndpoints: [{ url: acs, binding: 'post', index: 0, isDefault: true }],
        sloUrl: `https://${name}.sp.example/slo`,
        nameIdFormat: 'email',
        nameIdField: 'email',
        attributes: [{ name: 'email', field: 'email' }],
      } as never);
      return nodeSamlSp({ idpCert, entryPoint: `${t.url}/saml/sso`, issuer: entityId, callbackUrl: acs, audience: entityId, logoutUrl: `${t.url}/saml/slo` });
    }

    /** An employee signed in to Tessera, to Wiki and Notes by OIDC, and to a SAML SP. */
    async function signedInEverywhere(spName: string) {
      const { employee, key } = await employeeWithKey(t);
      const browser = new Browser(t.url);
      await signIn(t, browser, key);
      const wikiSession = await oidcSignIn(browser, wiki);
      await oidcSignIn(browser, notes);
      const sp = await registerSp(spName);
      const posted = await browser.fetch(pathOf(await sp.getAuthorizeUrlAsync('', undefined, {})));
      assert.equal(posted.status, 200);
      const { profile } = await sp.validatePostResponseAsync(parsePostForm(await posted.text()).fields);
      return { employee, key, browser, wikiSession, sp, profile: profile! };
    }

    /** The logout token Wiki received for this sid, verified with the provider's JWKS. */
    async function logoutTokenFor(sid: string) {
      const token = await eventually(async () => {
        const found = receiver.tokens.find((lt) => decodeJwt(lt).sid === sid);
        assert.ok(found, 'no logout token yet');
        return found;
      }, 'the back-channel logout token');
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), { issuer: t.issuer, audience: wiki.clientId });
      return payload;
    }

    async function assertOidcEnded(s: Awaited<ReturnType<typeof signedInEverywhere>>) {
      const payload = await logoutTokenFor(s.wikiSession.sid);
      assert.equal(payload.sub, s.employee.id);
      assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
      await assert.rejects(
        oidc.refreshTokenGrant(s.wikiSession.config, s.wikiSession.tokens.refresh_token!),
        (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
      );
      // Signed in to Tessera again, the old provider session does not answer silently: it ended.
      await signIn(t, s.browser, s.key);
      assert.equal(await silent(s.browser, wiki.clientId), 'login_required');
    }

    it("the portal's Sign out ends the provider session, revokes its refresh tokens and sends back-channel logout", async () => {
      const s = await signedInEverywhere('portal-oidc');
      assert.equal(await silent(s.browser, wiki.clientId), 'code', 'signed in, prompt=none answers');
      const out = await s.browser.follow('/saml/logout?from=portal');
      assert.equal(new URL(out.location).host, 'portal-oidc.sp.example', 'the SAML SP is told through the browser');
      await assertOidcEnded(s);
      const events = await t.services.audit.find({ action: 'oidc.logout' }, { offset: 0, limit: 50 });
      assert.ok(
        events.items.some((e) => (e.details as { initiator?: string }).initiator === 'single_logout' && e.actorId === s.employee.id),
        'an oidc.logout audit event of the single logout',
      );
    });

    it("a SAML SP's LogoutRequest ends the OIDC side of the same Tessera session", async () => {
      const s = await signedInEverywhere('sp-oidc');
      const step = await s.browser.fetch(pathOf(await s.sp.getLogoutUrlAsync(s.profile, 'bye', {})));
      assert.equal(step.status, 303);
      assert.equal(new URL(step.headers.get('location')!).host, 'sp-oidc.sp.example', 'the LogoutResponse goes back to the SP');
      await assertOidcEnded(s);
    });

    it("another employee's LogoutRequest, sent from this browser, ends theirs and nothing of this one; a replay ends nothing", async () => {
      const mine = await signedInEverywhere('attack-a');
      const other = await signedInEverywhere('attack-b');
      const request = pathOf(await other.sp.getLogoutUrlAsync(other.profile, '', {}));
      assert.equal((await mine.browser.fetch(request)).status, 303);
      await logoutTokenFor(other.wikiSession.sid);
      assert.equal(await silent(mine.browser, wiki.clientId), 'code', 'my provider session goes on');
      assert.ok(!receiver.tokens.some((lt) => decodeJwt(lt).sid === mine.wikiSession.sid), 'Wiki heard nothing of my session');
      const refreshed = await oidc.refreshTokenGrant(mine.wikiSession.config, mine.wikiSession.tokens.refresh_token!);
      assert.ok(refreshed.access_token, 'my refresh token works');

      // The other employee signs in again; the captured request, replayed, is refused and ends nothing.
      await signIn(t, other.browser, other.key);
      const again = await oidcSignIn(other.browser, wiki);
      const replay = await other.browser.fetch(request);
      assert.equal(replay.status, 400);
      assert.match(await replay.text(), /already used/);
      assert.equal(await silent(other.browser, wiki.clientId), 'code');
      assert.ok(!receiver.tokens.some((lt) => decodeJwt(lt).sid === again.sid), 'Wiki heard nothing of the new session');
    });

    // Every assert.ok in a check that `eventually` polls carries a message: without one, Node 20
    // builds it by reading and parsing the test's TypeScript source with acorn, which can spin the
    // event loop for minutes (the logout requests then never go out, and the test hangs).
    it('a back-channel receiver that does not answer holds up no browser', async () => {
      const s = await signedInEverywhere('slow-receiver');
      receiver.setHold(true);
      try {
        const out = await s.browser.follow('/saml/logout?from=portal');
        assert.equal(new URL(out.location).host, 'slow-receiver.sp.example');
        // The walk answered, and Wiki holds the logout request unanswered: nothing waited for it.
        await eventually(async () => assert.ok(receiver.held.length > 0, 'no held request yet'), 'the held logout request');
      } finally {
        receiver.setHold(false);
        for (const r of receiver.held.splice(0)) r.writeHead(200).end();
      }
    });

    it('a back-channel receiver that is down is audited, and the walk goes on', async () => {
      const port = await freePort();
      const down = await registerClient(t, { name: 'Down', redirectUris: [REDIRECT], backchannelLogoutUri: `http://127.0.0.1:${port}/gone` });
      const s = await signedInEverywhere('down-receiver');
      await oidcSignIn(s.browser, { clientId: down.client.clientId, secret: down.clientSecret! });
      const out = await s.browser.follow('/saml/logout?from=portal');
      assert.equal(new URL(out.location).host, 'down-receiver.sp.example');
      await logoutTokenFor(s.wikiSession.sid);
      await eventually(async () => {
        const failed = await t.services.audit.find({ action: 'oidc.backchannel_logout_failed' }, { offset: 0, limit: 50 });
        assert.ok(
          failed.items.some((e) => e.targetLabel === down.client.clientId && (e.details as { employeeId?: string }).employeeId === s.employee.id),
          'no audited failure yet',
        );
      }, 'the audited back-channel failure');
    });

    it('the OIDC logout question lists every application, and says which are not told', async () => {
      const s = await signedInEverywhere('question');
      const res = await s.browser.fetch(`${t.issuer}/session/end`);
      const html = await res.text();
      const list = /<ul aria-label="Applications to sign out of">(.*?)<\/ul>/s.exec(html)?.[1] ?? '';
      assert.match(list, /<li>Wiki<\/li>/);
      assert.match(list, /<li>Notes <em>\(is not told/);
      assert.match(list, /<li>question<\/li>/);
    });
  });
}
