/**
 * Hostile text and anonymous floods, on both storage engines:
 * - NUL and lone surrogates in SAML, WS-Fed and OIDC protocol parameters answer 4xx in the
 *   protocol's own form (an error page, an OAuth error), never a 500;
 * - 200 requests with a made-up API key grow the audit log by one summary, not 200 records;
 * - whatever such requests made the server record verifies (`tessera audit verify`'s check).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../src/lib/context.js';
import { clientCreate } from '../src/sso/oidc/oidc-client.schemas.js';
import { createTestApp, type TestApp } from './helpers/app.js';
import { ENGINES } from './helpers/db.js';

type Answer = { status: number; type: string; body: string };

for (const engine of ENGINES) {
  describe(`hostile text and anonymous floods (${engine})`, () => {
    let t: TestApp;
    let clientId: string;
    let clientSecret: string;
    const auditCount = async () => Number((await t.db.database.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_events'))[0].n);

    async function call(method: 'GET' | 'POST', url: string, form?: string, headers: Record<string, string> = {}): Promise<Answer> {
      const res = await t.app.inject({
        method,
        url,
        headers: { ...(form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
        ...(form !== undefined ? { payload: form } : {}),
      });
      return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.body };
    }

    before(async () => {
      t = await createTestApp({ engine });
      const created = await t.services.oidc.clients.create(
        cliContext(),
        clientCreate.parse({ name: 'Hostile RP', redirectUris: ['https://rp.example/cb'], tokenEndpointAuthMethod: 'client_secret_post' }),
      );
      clientId = created.client.clientId;
      clientSecret = created.clientSecret!;
    });
    after(async () => {
      await t?.close();
    });

    it('answers NUL and lone surrogates in SAML and WS-Fed parameters with the error page, never a 500', async () => {
      const probes: [string, 'GET' | 'POST', string, string?][] = [
        ['SAMLRequest', 'GET', '/saml/sso?SAMLRequest=%00'],
        [
          'RelayState',
          'GET',
          '/saml/sso?SAMLRequest=fZBBT8MwDIX%2FSpV7m6Zdp2K1k4b4AUIuHLh5bsai2k4VOyn8e9IWENzw9fnzs9%2FzbrSOebIJZVvW9v5kGt1o0hTfZS%2BRzQCaMqZTaESPGjBo4ohXWKzxZZULdLXKWmrJixfEqV20GLM4wXBSd2ArhfE7v6CBt0S6FJDvq1%2BFfZCvX3cErE1YD0mLLfYUQk8%2FDQ%3D%3D&RelayState=a%00b',
        ],
        ['form', 'POST', '/saml/sso', 'SAMLRequest=%00&RelayState=x'],
        ['form surrogate bytes', 'POST', '/saml/sso', 'SAMLRequest=%ED%A0%80&RelayState=%ED%A0%80'],
        ['SLO', 'GET', '/saml/slo?SAMLRequest=%00'],
        ['SLO response', 'POST', '/saml/slo', 'SAMLResponse=a%00b'],
        ['continue id', 'GET', '/saml/continue/a%00b'],
        ['start id', 'GET', '/saml/start/%00'],
        ['logout', 'GET', '/saml/logout?return_to=%00'],
        ['wtrealm', 'GET', '/wsfed?wa=wsignin1.0&wtrealm=urn%3Aa%00b'],
        ['wctx', 'GET', '/wsfed?wa=wsignin1.0&wtrealm=urn%3Aunknown&wctx=%00'],
        ['wreply', 'GET', '/wsfed?wa=wsignout1.0&wreply=https%3A%2F%2Frp.example%2F%00'],
        ['wa surrogate bytes', 'GET', '/wsfed?wa=%ED%A0%80'],
        ['continue id', 'GET', '/wsfed/continue/%00'],
      ];
      for (const [name, method, url, form] of probes) {
        const res = await call(method, url, form);
        assert.ok(res.status >= 400 && res.status < 500, `${name} ${method} ${url} → ${res.status} ${res.body.slice(0, 200)}`);
        assert.match(res.type, /^text\/html/, `${name} ${url}: the protocol's error page, not JSON`);
        assert.match(res.body, /Error code: <code>[a-z]+\.[a-z_]+<\/code>/, `${name} ${url}: ${res.body.slice(0, 300)}`);
      }
      const nul = await call('GET', '/saml/sso?SAMLRequest=%00');
      assert.match(nul.body, /request\.invalid_text/);
      assert.match(nul.body, /query\.SAMLRequest contains a NUL character/, 'the page says which parameter');
    });

    it('answers NUL and lone surrogates in OIDC parameters with an OAuth error or the error page, never a 500', async () => {
      const auth = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://rp.example/cb',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      // The bytes of a UTF-16 surrogate are not UTF-8: they decode to U+FFFD, text like any other,
      // which the provider may accept (a nonce is opaque); a NUL is refused.
      const browser: [string, boolean][] = [
        [`/oidc/auth?${auth}&state=a%00b`, true],
        [`/oidc/auth?${auth.toString().replace(`client_id=${clientId}`, 'client_id=%00')}`, true],
        [`/oidc/auth?${auth}&nonce=%ED%A0%80`, false],
        ['/oidc/session/end?post_logout_redirect_uri=%00', true],
        ['/oidc/session/end?state=%ED%A0%80&client_id=%00', true],
        ['/oidc/session/end?state=%ED%A0%80&client_id=%ED%A0%80', false],
      ];
      for (const [url, isRefused] of browser) {
        const res = await call('GET', url);
        assert.ok(res.status < 500 && (!isRefused || res.status >= 400), `${url} → ${res.status} ${res.body.slice(0, 200)}`);
        assert.ok(!/^application\/json/.test(res.type) || /"error":"[a-z_]+"/.test(res.body), `${url}: an OAuth error or a page: ${res.body.slice(0, 200)}`);
      }
      // Forms that oidc-provider reads itself: a NUL in any of them is an OAuth error (RFC 6749 §5.2).
      const secret = `client_id=${encodeURIComponent(clientId)}&client_secret=${encodeURIComponent(clientSecret)}`;
      const forms: [string, string][] = [
        ['/oidc/token', 'grant_type=authorization_code&code=%00&redirect_uri=https%3A%2F%2Frp.example%2Fcb&client_id=%00&client_secret=x'],
        ['/oidc/token', `grant_type=authorization_code&code=a%00b&redirect_uri=https%3A%2F%2Frp.example%2Fcb&${secret}`],
        ['/oidc/token', `grant_type=refresh_token&refresh_token=%00&${secret}`],
        ['/oidc/token', `grant_type=%00&${secret}`],
        ['/oidc/token', 'grant_type=client_credentials&client_id=%ED%A0%80&client_secret=%ED%A0%80'],
        ['/oidc/token/introspection', `token=%00&${secret}`],
        ['/oidc/token/revocation', `token=a%00b&${secret}`],
        ['/oidc/request', `response_type=code&scope=openid&redirect_uri=https%3A%2F%2Frp.example%2Fcb&state=%00&nonce=a%00b&${secret}`],
      ];
      for (const [url, form] of forms) {
        const res = await call('POST', url, form);
        // Refused with an OAuth error; or, where the endpoint's answer to an unknown token is a
        // success (introspection: active false, RFC 7662 §2.2; revocation: 200, RFC 7009 §2.2), that.
        assert.ok(res.status < 500, `${url} ${form} → ${res.status} ${res.body.slice(0, 200)}`);
        if (res.status >= 400) {
          assert.match(res.type, /^application\/json/, `${url}: ${res.body.slice(0, 200)}`);
          assert.equal(typeof (JSON.parse(res.body) as { error?: unknown }).error, 'string', `${url} ${form} → ${res.body.slice(0, 200)}`);
        }
        if (url.endsWith('/introspection')) assert.equal(JSON.parse(res.body).active, false);
      }
      const interaction = await call('GET', '/oidc/interaction/a%00b');
      assert.ok(interaction.status >= 400 && interaction.status < 500, `interaction → ${interaction.status} ${interaction.body.slice(0, 200)}`);
    });

    it('counts 200 requests with a made-up API key as one summary record per source and minute', async () => {
      await t.services.audit.flush();
      const before = await auditCount();
      for (let i = 0; i < 200; i++) {
        const res = await call('GET', '/api/employees', undefined, { authorization: `Bearer tsk_made_up_${i}` });
        assert.equal(res.status, 401, res.body);
      }
      assert.ok((await auditCount()) - before <= 3, `the audit log grew by ${(await auditCount()) - before} records while the minute was open`);
      await t.services.audit.flush();
      const { items } = await t.services.audit.find({ action: 'api_key.auth_failed' }, { offset: 0, limit: 10 });
      const total = items.reduce((n, r) => n + Number((r.details as { count?: number }).count ?? 0), 0);
      assert.equal(total, 200, JSON.stringify(items.map((r) => r.details)));
      assert.ok((await auditCount()) - before <= 3, `${(await auditCount()) - before} records after the flush`);
      assert.equal(items[0].ip, '127.0.0.1');
      assert.equal(items[0].outcome, 'failure');
      assert.deepEqual((items[0].details as { samples?: unknown[] }).samples, [{ path: '/api/employees' }]);
    });

    it('keeps the audit chain intact after hostile user agents, e-mails and parameters', async () => {
      await call('GET', '/saml/sso?SAMLRequest=garbage', undefined, { 'user-agent': 'agent\u0000with NUL' });
      await call('GET', '/wsfed?wa=wsignin1.0&wtrealm=urn%3Aunknown', undefined, { 'user-agent': `${'u'.repeat(511)}😀` });
      await call('POST', '/oidc/token', `grant_type=client_credentials&client_id=${encodeURIComponent(clientId)}&client_secret=wrong`, {
        'user-agent': 'é\u0000',
      });
      // A sign-in attempt stays one record each, with what was typed (the part that can be stored).
      const login = await t.app.inject({ method: 'GET', url: '/api/auth/csrf' });
      const csrf = login.cookies.find((c) => c.name.endsWith('csrf'));
      if (csrf) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: {
            cookie: `${csrf.name}=${csrf.value}`,
            'x-csrf-token': csrf.value,
            'content-type': 'application/json',
            'user-agent': `${'v'.repeat(511)}😀`,
          },
          payload: JSON.stringify({ email: `${'x'.repeat(240)}😀@corp.example`, password: 'wrong' }),
        });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, res.body);
      }
      await t.services.audit.flush();
      const chain = await t.services.audit.verifyChain();
      assert.equal(chain.ok, true, JSON.stringify(chain));
      assert.ok(chain.checked >= 3);
    });
  });
}
