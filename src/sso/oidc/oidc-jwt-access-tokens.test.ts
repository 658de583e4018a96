// RFC 9068 JWT access tokens for resource servers registered in the settings (oidcResources):
// a client_credentials client that names the API with RFC 8707's `resource` gets a JWT that the
// API verifies with jose against the JWKS alone (typ at+jwt, iss, aud, exp, client_id, scope),
// and no token row is written. Unknown resources and clients the resource does not list are
// refused with invalid_target; without `resource` the token stays opaque.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Client } from '../../../test/helpers/app.js';
import { registerClient, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';

const ORDERS = 'https://orders.corp.example/api';
const LEDGER = 'https://ledger.corp.example/';

describe('OIDC: JWT access tokens for registered resource servers', { timeout: 60_000 }, () => {
  let t: OidcTestApp;
  let api: Client;
  let allowed: { id: string; secret: string };
  let other: { id: string; secret: string };

  before(async () => {
    t = await startOidcApp();
    const register = async (name: string) => {
      const created = await registerClient(t, { name, grantTypes: ['client_credentials'], redirectUris: [], scopes: ['openid'] });
      return { id: created.client.clientId, secret: created.clientSecret! };
    };
    allowed = await register('Billing job');
    other = await register('Other job');
    const { secret: adminKey } = await t.services.apiKeys.create(
      { actor: { type: 'system', id: null, label: 't' }, ip: null, userAgent: null },
      { name: 'ops', scope: 'admin', expiresAt: null },
    );
    api = new Client(t.app, { authorization: `Bearer ${adminKey}` });
    const saved = await api.patch('/api/settings', {
      oidcResources: [
        {
          identifier: ORDERS,
          name: 'Orders API',
          scopes: ['orders:read', 'orders:write'],
          accessTokenFormat: 'jwt',
          accessTokenMinutes: 5,
          clientIds: [allowed.id],
        },
        { identifier: LEDGER, name: 'Ledger', scopes: ['ledger:read'], accessTokenFormat: 'opaque', accessTokenMinutes: 10, clientIds: [allowed.id] },
      ],
    });
    assert.equal(saved.status, 200, saved.raw);
  });
  after(async () => {
    await t?.close();
  });

  const token = async (c: { id: string; secret: string }, form: Record<string, string>) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oidc/token',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ grant_type: 'client_credentials', ...form }).toString(),
    });
    return { status: res.statusCode, body: res.json() as Record<string, string | number> };
  };
  const tokenRows = async () =>
    Number((await t.db.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM oidc_models WHERE model = 'ClientCredentials'`))[0].n);

  it('issues an RFC 9068 JWT that the API verifies against the JWKS, and stores no row for it', async () => {
    const rowsBefore = await tokenRows();
    const res = await token(allowed, { resource: ORDERS, scope: 'orders:read unknown:scope' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.scope, 'orders:read', 'scopes the resource does not have are dropped');
    const jwt = String(res.body.access_token);
    assert.equal(decodeProtectedHeader(jwt).typ, 'at+jwt');
    assert.equal(decodeProtectedHeader(jwt).alg, 'RS256');
    const jwks = createRemoteJWKSet(new URL(`${t.app.listeningOrigin}/oidc/jwks`));
    const { payload } = await jwtVerify(jwt, jwks, { issuer: t.issuer, audience: ORDERS, typ: 'at+jwt' });
    assert.equal(payload.client_id, allowed.id);
    assert.equal(payload.scope, 'orders:read');
    assert.equal(payload.exp! - payload.iat!, 5 * 60, 'lives as long as the resource says');
    assert.equal(res.body.expires_in, 5 * 60);
    assert.ok(payload.jti, 'has a jti');
    await assert.rejects(jwtVerify(jwt, jwks, { issuer: t.issuer, audience: LEDGER, typ: 'at+jwt' }), /aud/, 'not for another API');
    await assert.rejects(
      jwtVerify(jwt, jwks, { issuer: t.issuer, audience: ORDERS, currentDate: new Date(Date.now() + 6 * 60_000) }),
      /exp/,
      'refused once expired',
    );
    assert.equal(await tokenRows(), rowsBefore, 'a JWT access token needs no row');
  });

  it('keeps opaque tokens for a resource that asks for them, with its audience at introspection', async () => {
    const res = await token(allowed, { resource: LEDGER, scope: 'ledger:read' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const value = String(res.body.access_token);
    assert.equal(value.split('.').length, 1, 'opaque, not a JWT');
    const introspected = await t.app.inject({
      method: 'POST',
      url: '/oidc/token/introspection',
      headers: {
        authorization: `Basic ${Buffer.from(`${allowed.id}:${allowed.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ token: value }).toString(),
    });
    const body = introspected.json() as { active: boolean; aud?: string; scope?: string };
    assert.equal(body.active, true, introspected.body);
    assert.equal(body.aud, LEDGER);
    assert.equal(body.scope, 'ledger:read');
  });

  it('refuses an unknown resource, and a client the resource does not list, with invalid_target', async () => {
    const unknown = await token(allowed, { resource: 'https://unknown.corp.example/' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, 'invalid_target');
    const notListed = await token(other, { resource: ORDERS, scope: 'orders:read' });
    assert.equal(notListed.status, 400);
    assert.equal(notListed.body.error, 'invalid_target');
    assert.equal(notListed.body.access_token, undefined);
  });

  it('without a resource, answers an opaque token as before', async () => {
    const res = await token(allowed, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(String(res.body.access_token).split('.').length, 1);
  });

  it('refuses a resource the settings cannot hold with a clear 400', async () => {
    const bad = await api.patch('/api/settings', {
      oidcResources: [{ identifier: 'not a url', name: 'X', scopes: ['a b'], accessTokenFormat: 'jwt', accessTokenMinutes: 5, clientIds: [] }],
    });
    assert.equal(bad.status, 400, bad.raw);
    assert.equal(typeof bad.body.error.code, 'string');
    const twice = await api.patch('/api/settings', {
      oidcResources: [ORDERS, ORDERS].map((identifier) => ({
        identifier,
        name: 'X',
        scopes: [],
        accessTokenFormat: 'jwt',
        accessTokenMinutes: 5,
        clientIds: [],
      })),
    });
    assert.equal(twice.status, 400, twice.raw);
  });
});
