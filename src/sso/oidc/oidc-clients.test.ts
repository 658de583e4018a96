// The OIDC client registry through the API and the config file: secrets answered once and then only
// `{"set": true}`, admin scope for changes, clear 4xx for registrations that cannot work, EAM apps,
// audit records, config-managed clients, and first-party applications in the portal.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyDeclarativeConfig } from '../../app/declarative-config.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';
import { createEmployee } from '../../../test/helpers/signin.js';

describe('OIDC clients: API and config file', () => {
  let t: TestApp;
  let admin: Client;
  const bearer = (secret: string) => new Client(t.app, { authorization: `Bearer ${secret}` });
  const web = { name: 'Wiki', redirectUris: ['https://wiki.corp.example/oidc/callback'], initiateLoginUri: 'https://wiki.corp.example/login' };

  before(async () => {
    t = await createTestApp();
    admin = await signedInAdmin(t);
  });
  after(() => t.close());

  it('registers a client and answers its secret once; afterwards only {"set": true}', async () => {
    const res = await admin.post('/api/oidc/clients', web);
    assert.equal(res.status, 201, res.raw);
    const { client, clientSecret } = res.body;
    assert.match(clientSecret, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(client.clientSecret, { set: true });
    assert.deepEqual(client.grantTypes, ['authorization_code', 'refresh_token']);
    assert.equal(client.tokenEndpointAuthMethod, 'client_secret_basic');
    const list = await admin.get('/api/oidc/clients');
    assert.equal(list.status, 200);
    assert.ok(!list.raw.includes(clientSecret), 'the secret is never listed');
    const one = await admin.get(`/api/oidc/clients/${client.id}`);
    assert.ok(!one.raw.includes(clientSecret));
    const stored = await t.db.database.query<{ secret: string }>('SELECT secret FROM oidc_clients WHERE id = $1', [client.id]);
    assert.ok(stored[0].secret.startsWith('v1.') && !stored[0].secret.includes(clientSecret), 'sealed at rest');
    const audited = await t.services.audit.find({ action: 'oidc.client_created' }, { offset: 0, limit: 5 });
    assert.ok(audited.items.some((e) => e.targetId === client.id && !JSON.stringify(e).includes(clientSecret)));

    const rotated = await admin.post(`/api/oidc/clients/${client.id}/secret`, {});
    assert.equal(rotated.status, 200, rotated.raw);
    assert.notEqual(rotated.body.clientSecret, clientSecret);
    const metadata = await t.services.oidc.clients.providerMetadata(client.clientId);
    assert.equal(metadata?.client_secret, rotated.body.clientSecret, 'the provider sees the new secret at once');
  });

  it('refuses registrations that cannot work, with a stable code', async () => {
    const cases: [unknown, number, string][] = [
      [{ name: 'No redirect' }, 400, 'oidc.client_invalid'],
      [{ ...web, redirectUris: ['http://wiki.corp.example/cb'] }, 400, 'request.validation_failed'],
      [{ ...web, redirectUris: ['https://wiki.corp.example/cb#frag'] }, 400, 'request.validation_failed'],
      [{ ...web, tokenEndpointAuthMethod: 'private_key_jwt' }, 400, 'oidc.client_invalid'],
      [{ ...web, tokenEndpointAuthMethod: 'none', grantTypes: ['client_credentials'] }, 400, 'oidc.client_invalid'],
      [{ ...web, grantTypes: ['implicit'] }, 400, 'oidc.client_invalid'],
      [{ ...web, colour: 'blue' }, 400, 'request.validation_failed'],
      [{ name: 'EAM without tenant', kind: 'eam' }, 400, 'oidc.client_invalid'],
      [
        { name: 'EAM by tenant domain', kind: 'eam', eam: { tenantId: 'contoso.onmicrosoft.com', appId: 'b5d0c7a2-4c61-4f4b-9a0e-2d1b7c8e9f01' } },
        400,
        'request.validation_failed',
      ],
      // oidc-provider's own check: a private key must never be registered as the client's public key.
      [
        {
          ...web,
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: {
            keys: [
              {
                kty: 'EC',
                crv: 'P-256',
                x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
                y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
                d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
              },
            ],
          },
        },
        400,
        'oidc.client_invalid',
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await admin.post('/api/oidc/clients', body);
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${res.raw}`);
      assert.equal(res.body.error.code, code, JSON.stringify(body));
    }
    const dup = await admin.post('/api/oidc/clients', { ...web, clientId: 'wiki-dup' });
    assert.equal(dup.status, 201);
    const again = await admin.post('/api/oidc/clients', { ...web, clientId: 'wiki-dup' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'oidc.client_id_in_use');
  });

  it('registers private_key_jwt clients with their keys, and public PKCE clients without a secret', async () => {
    const jwt = await admin.post('/api/oidc/clients', {
      ...web,
      name: 'Signed',
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwksUri: 'https://wiki.corp.example/jwks.json',
    });
    assert.equal(jwt.status, 201, jwt.raw);
    assert.equal(jwt.body.clientSecret, null);
    assert.deepEqual(jwt.body.client.clientSecret, { set: false });
    const pub = await admin.post('/api/oidc/clients', { ...web, name: 'SPA', tokenEndpointAuthMethod: 'none' });
    assert.equal(pub.status, 201, pub.raw);
    assert.equal(pub.body.clientSecret, null);
  });

  it("registers an Entra EAM app with Entra's redirect URI and the tenant's JWKS by default", async () => {
    const res = await admin.post('/api/oidc/clients', {
      name: 'Entra MFA',
      kind: 'eam',
      eam: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', appId: 'b5d0c7a2-4c61-4f4b-9a0e-2d1b7c8e9f01' },
    });
    assert.equal(res.status, 201, res.raw);
    const c = res.body.client;
    assert.deepEqual(c.redirectUris, ['https://login.microsoftonline.com/common/federation/externalauthprovider']);
    assert.deepEqual(c.grantTypes, ['implicit']);
    assert.equal(c.eam.jwksUrl, 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys');
    assert.equal(res.body.clientSecret, null);
  });

  it('lets read keys list clients but only admin keys change them', async () => {
    const read = await t.services.apiKeys.create(
      { actor: { type: 'system', id: null, label: 't' }, ip: null, userAgent: null },
      { name: 'reader', scope: 'read', expiresAt: null },
    );
    const write = await t.services.apiKeys.create(
      { actor: { type: 'system', id: null, label: 't' }, ip: null, userAgent: null },
      { name: 'writer', scope: 'write', expiresAt: null },
    );
    assert.equal((await bearer(read.secret).get('/api/oidc/clients')).status, 200);
    const denied = await bearer(write.secret).post('/api/oidc/clients', web);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'auth.insufficient_scope');
    assert.equal((await new Client(t.app).get('/api/oidc/clients')).status, 401);
  });

  it('shows first-party clients with a login URL in the employee portal', async () => {
    const employee = await createEmployee(t);
    const apps = await t.services.portal.applications(employee.id);
    assert.ok(
      apps.some((a) => a.name === 'Wiki' && a.url === web.initiateLoginUri && a.protocol === 'oidc'),
      JSON.stringify(apps),
    );
    assert.ok(!apps.some((a) => a.name === 'Entra MFA'), 'EAM apps are not opened from the portal');
  });

  it('changes only what a PATCH names; a new secret-based method gets a secret, answered once', async () => {
    const created = await admin.post('/api/oidc/clients', { ...web, name: 'Patchable', postLogoutRedirectUris: ['https://wiki.corp.example/bye'] });
    const id = created.body.client.id;
    const renamed = await admin.patch(`/api/oidc/clients/${id}`, { name: 'Renamed' });
    assert.equal(renamed.status, 200, renamed.raw);
    assert.equal(renamed.body.client.name, 'Renamed');
    assert.deepEqual(renamed.body.client.redirectUris, web.redirectUris);
    assert.deepEqual(renamed.body.client.postLogoutRedirectUris, ['https://wiki.corp.example/bye']);
    assert.equal(renamed.body.clientSecret, null, 'the secret stays and is not shown');
    const pub = await admin.patch(`/api/oidc/clients/${id}`, { tokenEndpointAuthMethod: 'none' });
    assert.deepEqual(pub.body.client.clientSecret, { set: false });
    const back = await admin.patch(`/api/oidc/clients/${id}`, { tokenEndpointAuthMethod: 'client_secret_post' });
    assert.match(back.body.clientSecret, /^[A-Za-z0-9_-]{43}$/);
    const bad = await admin.patch(`/api/oidc/clients/${id}`, { redirectUris: [] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'oidc.client_invalid');
    const audited = await t.services.audit.find({ action: 'oidc.client_updated' }, { offset: 0, limit: 10 });
    assert.ok(audited.items.some((e) => e.targetId === id));
  });

  it('takes a new secret and a removal into account at the token endpoint at once', async () => {
    const created = await admin.post('/api/oidc/clients', { name: 'Batch', grantTypes: ['client_credentials'] });
    const { clientId } = created.body.client;
    const token = async (secret: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/oidc/token',
          payload: 'grant_type=client_credentials',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
        })
      ).json() as { access_token?: string; error?: string };
    assert.ok((await token(created.body.clientSecret)).access_token);
    const rotated = await admin.post(`/api/oidc/clients/${created.body.client.id}/secret`, {});
    assert.equal((await token(created.body.clientSecret)).error, 'invalid_client', 'the old secret stops working');
    assert.ok((await token(rotated.body.clientSecret)).access_token, 'the new one works');
    assert.equal((await admin.delete(`/api/oidc/clients/${created.body.client.id}`)).status, 204);
    assert.equal((await token(rotated.body.clientSecret)).error, 'invalid_client', 'a removed client gets nothing');
  });

  it('deletes a client', async () => {
    const created = await admin.post('/api/oidc/clients', { ...web, name: 'Old wiki' });
    assert.equal((await admin.delete(`/api/oidc/clients/${created.body.client.id}`)).status, 204);
    const gone = await admin.get(`/api/oidc/clients/${created.body.client.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'oidc.client_not_found');
  });

  it('applies oidc.clients from the config file idempotently, with the secret by reference', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-oidc-config-'));
    const file = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(
      file,
      `oidc:
  clients:
    - clientId: grafana
      name: Grafana
      redirectUris: [https://grafana.corp.example/login/generic_oauth]
      secret: { env: GRAFANA_OIDC_SECRET }
      claims: [email, name, groups]
`,
    );
    const env = { GRAFANA_OIDC_SECRET: 'grafana-secret-from-the-vault-0123456789' };
    try {
      assert.deepEqual(await applyDeclarativeConfig(t.services, file, env), ['OIDC client grafana created']);
      assert.deepEqual(await applyDeclarativeConfig(t.services, file, env), [], 'a second run changes nothing');
      const metadata = await t.services.oidc.clients.providerMetadata('grafana');
      assert.equal(metadata?.client_secret, env.GRAFANA_OIDC_SECRET);
      const row = (await admin.get('/api/oidc/clients')).body.items.find((c: { clientId: string }) => c.clientId === 'grafana');
      assert.equal(row.source, 'config');
      const patch = await admin.patch(`/api/oidc/clients/${row.id}`, { name: 'Changed' });
      assert.equal(patch.status, 409);
      assert.equal(patch.body.error.code, 'oidc.client_managed_by_config');
      assert.deepEqual(await applyDeclarativeConfig(t.services, file, { GRAFANA_OIDC_SECRET: 'a-rotated-secret-from-the-vault-98765' }), [
        'OIDC client grafana updated',
      ]);
      await assert.rejects(applyDeclarativeConfig(t.services, file, {}), /oidc\.clients\[0\]\.secret.*GRAFANA_OIDC_SECRET/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
