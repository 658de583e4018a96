// Microsoft Entra ID External Authentication Method: the request Entra sends (response_type
// id_token, form_post, claims for acr/amr, login_hint, an id_token_hint signed by the tenant), with
// the tenant's JWKS served by this test. Hints are shaped as Microsoft's EAM provider reference
// shows them: issued already expired (exp = iat - 1), so freshness is judged by iat. A valid hint
// for the signed-in employee gets an ID token whose sub is the hint's, acr `possessionorinherence`
// and one amr value from the employee's sign-in; a hint issued too long ago, one signed by another
// key or another algorithm, one of another tenant or audience, or one naming another user (by UPN,
// or by Entra object id when directory sync linked the employee) is refused with access_denied
// posted back to Entra.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { directoryAccounts, directoryDomains } from '../../db/schema.js';
import { ENTRA_EAM_REDIRECT_URI } from './oidc-client.service.js';
import { Browser, employeeWithKey, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';
import { freePort } from '../../../test/helpers/server.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP_ID = 'b5d0c7a2-4c61-4f4b-9a0e-2d1b7c8e9f01';
const ENTRA_CLAIMS = JSON.stringify({
  id_token: {
    acr: { essential: true, values: ['possessionorinherence'] },
    amr: { essential: true, values: ['face', 'fido', 'fpt', 'hwk', 'iris', 'otp', 'pop', 'retina', 'sc', 'sms', 'swk', 'tel', 'vbm'] },
  },
});

describe('Entra ID External Authentication Method', { timeout: 60_000 }, () => {
  let t: OidcTestApp;
  let jwksServer: http.Server;
  let tenantKey: { privateKey: CryptoKey; jwk: JWK };
  let otherKey: { privateKey: CryptoKey; jwk: JWK };
  let clientId = '';

  const keyPair = async (kid: string) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  };

  /**
   * An id_token_hint as Entra signs it: v2.0 token of the tenant, audience the EAM app, issued as
   * expired (exp = iat - 1, as in Microsoft's example), `issuedAgo` seconds ago.
   */
  const hint = (o: {
    email: string;
    key?: typeof tenantKey;
    issuedAgo?: number;
    sub?: string;
    oid?: string;
    tenant?: string;
    aud?: string;
    alg?: 'RS256' | 'HS256';
  }) => {
    const key = o.key ?? tenantKey;
    const iat = Math.floor(Date.now() / 1000) - (o.issuedAgo ?? 2);
    const tenant = o.tenant ?? TENANT;
    const jwt = new SignJWT({ oid: o.oid ?? crypto.randomUUID(), tid: tenant, preferred_username: o.email, ver: '2.0', nbf: iat })
      .setProtectedHeader({ alg: o.alg ?? 'RS256', kid: key.jwk.kid!, typ: 'JWT' })
      .setIssuer(`https://login.microsoftonline.com/${tenant}/v2.0`)
      .setAudience(o.aud ?? APP_ID)
      .setSubject(o.sub ?? 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ')
      .setIssuedAt(iat)
      .setExpirationTime(iat - 1);
    // alg confusion: an HMAC "signed" with the tenant's public key material.
    return o.alg === 'HS256' ? jwt.sign(new TextEncoder().encode(JSON.stringify(key.jwk))) : jwt.sign(key.privateKey);
  };

  before(async () => {
    [tenantKey, otherKey] = await Promise.all([keyPair('entra-1'), keyPair('rogue-1')]);
    const port = await freePort();
    jwksServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [tenantKey.jwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(port, '127.0.0.1', resolve));
    t = await startOidcApp();
    const created = await registerClient(t, {
      name: 'Entra ID MFA',
      kind: 'eam',
      eam: { tenantId: TENANT, appId: APP_ID, jwksUrl: `http://127.0.0.1:${port}/discovery/v2.0/keys` },
    });
    clientId = created.client.clientId;
    assert.equal(created.clientSecret, null, 'an EAM app has no secret');
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((resolve) => jwksServer?.close(() => resolve()));
  });

  /**
   * Entra's request, then the employee signs in (EAM always wants a fresh sign-in), then the
   * form_post page Tessera answers: its fields.
   */
  async function eam(idTokenHint: string, email: string, key: Parameters<typeof signIn>[2], method: 'GET' | 'POST' = 'GET', client = clientId) {
    const browser = new Browser(t.url);
    const params = new URLSearchParams({
      client_id: client,
      response_type: 'id_token',
      response_mode: 'form_post',
      scope: 'openid',
      redirect_uri: ENTRA_EAM_REDIRECT_URI,
      nonce: crypto.randomUUID(),
      state: crypto.randomBytes(8).toString('hex'),
      login_hint: email,
      id_token_hint: idTokenHint,
      claims: ENTRA_CLAIMS,
      'client-request-id': crypto.randomUUID(),
    });
    const first = method === 'GET' ? await browser.follow(`/oidc/auth?${params}`) : await browser.follow('/oidc/auth', { method: 'POST', body: params });
    const signin = new URL(first.location, t.url);
    assert.equal(signin.pathname, '/signin', `${first.location}: ${await first.res.text()}`);
    await signIn(t, browser, key);
    const back = await browser.follow(signin.searchParams.get('return_to')!);
    const html = await back.res.text();
    // oidc-provider posts errors back with status 400, tokens with 200: the form is what counts.
    assert.ok([200, 400].includes(back.res.status), html);
    assert.ok(html.includes(`action="${ENTRA_EAM_REDIRECT_URI}"`), `form_post to Entra: ${html}`);
    // The page submits itself with a script: the CSP must allow exactly that script and the post to Entra.
    const csp = back.res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/, csp);
    assert.match(csp, /form-action \*/, csp);
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
        m[1],
        m[2]
          .replace(/&quot;/g, '"')
          .replace(/&#x27;|&#39;/g, "'")
          .replace(/&amp;/g, '&'),
      ]),
    );
    assert.equal(fields.state, params.get('state'));
    return { fields, nonce: params.get('nonce')! };
  }

  it('publishes the discovery metadata Entra requires, with a Content-Length', async () => {
    const res = await fetch(`${t.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(body)), 'Entra wants a valid Content-Length');
    const meta = JSON.parse(body) as Record<string, string[] | string>;
    assert.equal(meta.issuer, t.issuer);
    assert.equal(meta.authorization_endpoint, `${t.issuer}/auth`);
    for (const [field, value] of [
      ['response_types_supported', 'id_token'],
      ['response_modes_supported', 'form_post'],
      ['scopes_supported', 'openid'],
      ['id_token_signing_alg_values_supported', 'RS256'],
      ['claim_types_supported', 'normal'],
    ] as const) {
      assert.ok((meta[field] as string[]).includes(value), `${field}: ${JSON.stringify(meta[field])}`);
    }
  });

  it('answers a valid hint with an ID token Entra accepts', async () => {
    const { employee, key } = await employeeWithKey(t);
    const { fields, nonce } = await eam(await hint({ email: employee.email.toUpperCase(), sub: 'entra-pairwise-sub-1' }), employee.email, key);
    assert.ok(fields.id_token, JSON.stringify(fields));
    const { payload, protectedHeader } = await jwtVerify(fields.id_token, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), {
      issuer: t.issuer,
      audience: clientId,
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'entra-pairwise-sub-1', 'the sub of the id_token_hint');
    assert.equal(payload.nonce, nonce);
    assert.equal(payload.acr, 'possessionorinherence');
    assert.deepEqual(payload.amr, ['fido'], 'one amr value (EAM provider reference)');
    // Entra reads the provider's keys from x5c only: the signing key carries its certificate.
    const jwks = (await (await fetch(`${t.issuer}/jwks`)).json()) as { keys: { kid: string; n?: string; x5c?: string[] }[] };
    const signing = jwks.keys.find((k) => k.kid === protectedHeader.kid)!;
    assert.ok(signing.x5c?.length, JSON.stringify(signing));
    const cert = new crypto.X509Certificate(Buffer.from(signing.x5c[0], 'base64'));
    assert.equal((cert.publicKey.export({ format: 'jwk' }) as { n?: string }).n, signing.n, 'the certificate is of the published key');
    assert.ok(
      jwks.keys.every((k) => k.x5c?.length),
      'every published key has x5c',
    );
  });

  it("takes Entra's request as a form POST as well", async () => {
    const { employee, key } = await employeeWithKey(t);
    const { fields } = await eam(await hint({ email: employee.email, sub: 'entra-pairwise-sub-2' }), employee.email, key, 'POST');
    const { payload } = await jwtVerify(fields.id_token, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), { issuer: t.issuer, audience: clientId });
    assert.equal(payload.sub, 'entra-pairwise-sub-2');
  });

  it('refuses a hint issued longer ago than Entra keeps the sign-in (10 minutes)', async () => {
    const { employee, key } = await employeeWithKey(t);
    const { fields } = await eam(await hint({ email: employee.email, issuedAgo: 15 * 60 }), employee.email, key);
    assert.equal(fields.error, 'access_denied');
    assert.match(fields.error_description, /expired/);
    assert.equal(fields.id_token, undefined);
  });

  for (const [what, o, reason] of [
    ['of another tenant', { tenant: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a' }, /"iss"/],
    ['for another application', { aud: 'd3590ed6-52b3-4102-aeff-aad2292ab01c' }, /"aud"/],
    ['MACed with the tenant key as an HS256 secret (alg confusion)', { alg: 'HS256' as const }, /RS256/],
  ] as const) {
    it(`refuses a hint ${what}`, async () => {
      const { employee, key } = await employeeWithKey(t);
      const { fields } = await eam(await hint({ email: employee.email, ...o }), employee.email, key);
      assert.equal(fields.error, 'access_denied', JSON.stringify(fields));
      assert.match(fields.error_description, reason);
      assert.equal(fields.id_token, undefined);
    });
  }

  it("refuses a hint signed by a key that is not the tenant's", async () => {
    const { employee, key } = await employeeWithKey(t);
    const { fields } = await eam(await hint({ email: employee.email, key: otherKey }), employee.email, key);
    assert.equal(fields.error, 'access_denied');
    assert.match(fields.error_description, /not signed by a key of the Entra tenant/);
  });

  it('refuses a hint that names another user than the one who signed in', async () => {
    const { employee, key } = await employeeWithKey(t);
    const { employee: other } = await employeeWithKey(t);
    const { fields } = await eam(await hint({ email: other.email }), employee.email, key);
    assert.equal(fields.error, 'access_denied');
    assert.match(fields.error_description, /not the signed-in employee/);
    const refused = await t.services.audit.find({ action: 'oidc.sign_in_refused' }, { offset: 0, limit: 10 });
    const mine = refused.items.find((e) => e.actorId === employee.id && e.outcome === 'failure');
    assert.ok(mine, 'the refusal is audited with the employee as actor');
    assert.match(
      String((mine.details as { clientRequestId?: string }).clientRequestId),
      /^[0-9a-f-]{36}$/,
      "with Entra's client-request-id, for Microsoft support",
    );
  });

  it('maps by Entra object id when directory sync linked the employee: the right oid passes, another is refused even with the UPN', async () => {
    const { employee, key } = await employeeWithKey(t);
    const oid = crypto.randomUUID();
    const [domain] = await t.services.db
      .insert(directoryDomains)
      .values({
        kind: 'entra',
        name: `EAM tenant ${oid}`,
        nameNormalized: `eam tenant ${oid}`,
        syncGroup: 'g',
        rotationGroup: 'r',
        settings: { tenantId: TENANT },
      })
      .returning();
    await t.services.db
      .insert(directoryAccounts)
      .values({ domainId: domain.id, employeeId: employee.id, externalId: oid, username: employee.email, upn: employee.email });
    const ok = await eam(await hint({ email: employee.email, oid: oid.toUpperCase(), sub: 'entra-pairwise-sub-3' }), employee.email, key);
    assert.ok(ok.fields.id_token, JSON.stringify(ok.fields));
    const refused = await eam(await hint({ email: employee.email, oid: crypto.randomUUID() }), employee.email, key);
    assert.equal(refused.fields.error, 'access_denied');
    assert.match(refused.fields.error_description, /not the signed-in employee/);
  });

  it("answers temporarily_unavailable when the tenant's keys cannot be fetched", async () => {
    const closed = await freePort();
    const down = await registerClient(t, {
      name: 'Entra ID MFA (keys down)',
      kind: 'eam',
      eam: { tenantId: TENANT, appId: APP_ID, jwksUrl: `http://127.0.0.1:${closed}/discovery/v2.0/keys` },
    });
    const { employee, key } = await employeeWithKey(t);
    const { fields } = await eam(await hint({ email: employee.email }), employee.email, key, 'GET', down.client.clientId);
    assert.equal(fields.error, 'temporarily_unavailable', JSON.stringify(fields));
    assert.equal(fields.id_token, undefined);
  });
});
