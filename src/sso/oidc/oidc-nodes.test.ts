// Two Tessera nodes behind one public address, sharing PostgreSQL, Redis and the master key: an
// authorization started on one node continues on the other (cookies, interactions, codes, tokens
// are shared), and a signing-key rotation made by one node is picked up by the other, with the old
// key still published so that tokens it signed keep verifying. Also the admin's grant API.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Client } from '../../../test/helpers/app.js';
import { openTestDatabase, type TestDatabase } from '../../../test/helpers/db.js';
import { eventually } from '../../../test/helpers/eventually.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';
import { freePort } from '../../../test/helpers/server.js';
import { randomToken } from '../../security/tokens.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIRECT = 'http://127.0.0.1:9/cb';

describe('OIDC on two nodes (PostgreSQL + Redis)', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let a: OidcTestApp;
  let b: OidcTestApp;
  let clientId = '';
  let secret = '';

  before(async () => {
    db = await openTestDatabase('postgres');
    const masterKey = crypto.randomBytes(32);
    const publicPort = await freePort();
    const env = { PUBLIC_URL: `http://localhost:${publicPort}`, REDIS_URL, REDIS_PREFIX: `test-${randomToken(6)}:` };
    a = await startOidcApp({ db, masterKey, env });
    b = await startOidcApp({ db, masterKey, env });
    const created = await registerClient(a, { name: 'Wiki', redirectUris: [REDIRECT] });
    clientId = created.client.clientId;
    secret = created.clientSecret!;
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await db?.close();
  });

  const tokenAt = async (node: OidcTestApp, body: Record<string, string>) => {
    const res = await fetch(`http://127.0.0.1:${new URL(node.app.listeningOrigin).port}/oidc/token`, {
      method: 'POST',
      body: new URLSearchParams(body),
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        host: new URL(a.url).host,
      },
    });
    return { status: res.status, json: (await res.json()) as Record<string, string> };
  };

  it('continues an authorization on the other node and shares tokens', async () => {
    let next = 0;
    const nodes = [a, b].map((n) => Number(new URL(n.app.listeningOrigin).port));
    // A round-robin load balancer: every request goes to the other node.
    const browser = new Browser(a.url, (url) => Object.assign(new URL(url), { hostname: '127.0.0.1', port: String(nodes[next++ % 2]) }));
    const { key } = await employeeWithKey(a);
    await signIn(a, browser, key);
    const verifier = pkce();
    const { location, visited } = await browser.follow(
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid email', redirect_uri: REDIRECT, code_challenge: verifier.challenge, code_challenge_method: 'S256', state: 'x' })}`,
    );
    const code = new URL(location).searchParams.get('code');
    assert.ok(code, `${visited.join('\n')}`);
    assert.ok(visited.length >= 4, 'authorize, interaction and resume were spread over both nodes');
    const tokens = await tokenAt(b, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier.verifier });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
    const refreshed = await tokenAt(a, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));

    // Rotation: node A finds its keys too old and makes new ones; node B picks them up.
    const oldIdToken = refreshed.json.id_token;
    const oldKid = decodeProtectedHeader(oldIdToken).kid;
    await db.database.query(`UPDATE oidc_signing_keys SET created_at = created_at - interval '100 days'`);
    await a.services.oidc.runtime.refreshKeys!();
    await b.services.oidc.runtime.refreshKeys!();
    const during = await tokenAt(b, { grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token });
    assert.equal(during.status, 200, JSON.stringify(during.json));
    assert.equal(decodeProtectedHeader(during.json.id_token).kid, oldKid, 'the old key signs on while the new one is published ahead');
    // Both nodes pick up the switch once the new key has been published for the lead time (48 h).
    await db.database.query(`UPDATE oidc_signing_keys SET created_at = created_at - interval '49 hours', retired_at = retired_at - interval '49 hours'`);
    await a.services.oidc.runtime.refreshKeys!();
    await b.services.oidc.runtime.refreshKeys!();
    const keys = await a.services.oidc.keys.list();
    assert.equal(keys.length, 4, 'one new key per algorithm (not one per node), old ones kept');
    const after = await tokenAt(b, { grant_type: 'refresh_token', refresh_token: during.json.refresh_token });
    assert.equal(after.status, 200, JSON.stringify(after.json));
    const newKid = decodeProtectedHeader(after.json.id_token).kid;
    assert.notEqual(newKid, oldKid, 'node B signs with the new key');
    assert.ok(keys.some((k) => k.kid === newKid && !k.retiredAt));
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${nodes[0]}/oidc/jwks`));
    await jwtVerify(oldIdToken, jwks, { issuer: a.issuer, audience: clientId, currentDate: new Date() });
    await jwtVerify(after.json.id_token, jwks, { issuer: a.issuer, audience: clientId });
  });

  it('refuses the old client secret on node B as soon as node A rotated it (the client cache is emptied across nodes)', async () => {
    const created = await registerClient(a, {
      name: 'Batch job',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      scopes: ['openid'],
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    const id = created.client.clientId;
    const grant = async (node: OidcTestApp, clientSecret: string) => {
      const res = await fetch(`http://127.0.0.1:${new URL(node.app.listeningOrigin).port}/oidc/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
        headers: {
          authorization: `Basic ${Buffer.from(`${id}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          host: new URL(a.url).host,
        },
      });
      return { status: res.status, json: (await res.json()) as Record<string, string> };
    };
    // Node B has the client (with its secret) in its cache: asked twice, the second from memory.
    assert.equal((await grant(b, created.clientSecret!)).status, 200);
    assert.equal((await grant(b, created.clientSecret!)).status, 200);

    const { secret: adminKey } = await a.services.apiKeys.create(
      { actor: { type: 'system', id: null, label: 't' }, ip: null, userAgent: null },
      { name: 'rotator', scope: 'admin', expiresAt: null },
    );
    const rotated = await new Client(a.app, { authorization: `Bearer ${adminKey}` }).post(`/api/oidc/clients/${created.client.id}/secret`, {});
    assert.equal(rotated.status, 200, rotated.raw);
    const newSecret = rotated.body.clientSecret as string;
    // Node A emptied its own cache before answering; node B empties its own when the message
    // arrives (milliseconds), well before the cache's one-minute expiry would.
    assert.equal((await grant(a, created.clientSecret!)).status, 401, 'node A refuses the old secret at once');
    await eventually(
      async () => {
        const old = await grant(b, created.clientSecret!);
        assert.equal(old.status, 401, `node B still accepts the old secret: ${JSON.stringify(old.json)}`);
        assert.equal(old.json.error, 'invalid_client', 'the old secret is an invalid client');
      },
      'node B refuses the old secret',
      { timeoutMs: 10_000 },
    );
    assert.equal((await grant(b, newSecret)).status, 200, 'node B accepts the new secret');
  });

  it("lists an employee's grants and lets an admin revoke one or all of them", async () => {
    const { employee, key } = await employeeWithKey(a);
    const browser = new Browser(a.url, (url) => Object.assign(new URL(url), { hostname: '127.0.0.1', port: new URL(a.app.listeningOrigin).port }));
    await signIn(a, browser, key);
    const verifier = pkce();
    const { location } = await browser.follow(
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, code_challenge: verifier.challenge, code_challenge_method: 'S256', state: 'g' })}`,
    );
    const tokens = await tokenAt(a, {
      grant_type: 'authorization_code',
      code: new URL(location).searchParams.get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: verifier.verifier,
    });

    const { secret: adminKey } = await a.services.apiKeys.create(
      { actor: { type: 'system', id: null, label: 't' }, ip: null, userAgent: null },
      { name: 'ops', scope: 'admin', expiresAt: null },
    );
    const api = new Client(a.app, { authorization: `Bearer ${adminKey}` });
    const grants = await api.get(`/api/oidc/employees/${employee.id}/grants`);
    assert.equal(grants.status, 200, grants.raw);
    assert.equal(grants.body.items.length, 1);
    assert.equal(grants.body.items[0].clientId, clientId);
    assert.equal((await api.delete(`/api/oidc/grants/${grants.body.items[0].grantId}`)).status, 204);
    assert.equal((await tokenAt(a, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token })).json.error, 'invalid_grant');
    const missing = await api.delete(`/api/oidc/grants/${grants.body.items[0].grantId}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'oidc.grant_not_found');
    assert.equal((await api.delete(`/api/oidc/employees/${employee.id}/grants`)).status, 204);
    assert.deepEqual((await api.get(`/api/oidc/employees/${employee.id}/grants`)).body.items, []);
  });
});
