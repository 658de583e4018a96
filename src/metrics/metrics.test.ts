// GET /metrics through the real application on both engines: a scripted admin sign-in (one wrong
// password, one right), an employee security-key sign-in, a SAML assertion from the portal, a
// client_credentials token and a directory sync each move their counter by exactly what
// happened; labels are route patterns, never paths a client chose; the route is closed without
// TESSERA_METRICS_TOKEN and refuses a wrong token within the credential budget.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { ADMIN, Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { fakeDirectory } from '../../test/helpers/fake-directory.js';
import { registerClient } from '../../test/helpers/oidc.js';
import { idpCertFromMetadata, nodeSamlSp, parsePostForm, randomEntity } from '../../test/helpers/saml.js';
import { createEmployee, passkeySignIn, registerKey } from '../../test/helpers/signin.js';
import { softKeys } from '../../test/helpers/soft-authenticator.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** One sample of the exposition text: the value of `name` whose labels include all of `labels` (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).match(/^\{(.*)\}/)?.[1] ?? '';
    const has = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
    if (has) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

for (const engine of ENGINES) {
  describe(`Prometheus metrics (${engine})`, () => {
    const directory = fakeDirectory([
      { externalId: '5d0c7c1e-1111-4a4e-9d50-2f6a9f3f0001', username: 'mara', email: 'mara@corp.example.test', givenName: 'Mara', surname: 'Quell' },
      { externalId: '5d0c7c1e-1111-4a4e-9d50-2f6a9f3f0002', username: 'ivo', email: 'ivo@corp.example.test', givenName: 'Ivo', surname: 'Brand' },
    ]);
    let t: TestApp;
    let admin: Client;

    const scrape = async (authorization = `Bearer ${TOKEN}`) => t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
    const text = async () => {
      const res = await scrape();
      assert.equal(res.statusCode, 200, res.body);
      return res.body;
    };

    before(async () => {
      t = await createTestApp({ engine, connectorFactory: directory.factory, env: { TESSERA_METRICS_TOKEN: TOKEN } });
      admin = await signedInAdmin(t);
    });
    after(() => t?.close());

    it('serves the exposition format with the bearer token, and refuses without it or with a wrong one', async () => {
      const ok = await scrape();
      assert.equal(ok.statusCode, 200);
      assert.match(ok.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
      assert.match(ok.body, /# TYPE tessera_http_requests_total counter/);
      assert.match(ok.body, /# TYPE tessera_workstation_agents_connected gauge/);
      for (const authorization of ['', `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`]) {
        const res = await scrape(authorization);
        assert.equal(res.statusCode, 401, authorization);
        assert.equal(res.json().error.code, 'auth.required');
        assert.doesNotMatch(res.body, /tessera_/);
      }
    });

    it('counts sign-ins, a SAML assertion, a token and a sync by exactly what happened', async () => {
      const before = await text();

      // Admin: one wrong password, one right.
      const wrong = await new Client(t.app).post('/api/auth/login', { email: ADMIN.email, password: 'not the password' });
      assert.equal(wrong.status, 401);
      await signedInAdmin(t);

      // Employee: a security-key sign-in (recorded as security_key), then an IdP-initiated SAML assertion from the portal.
      const key = softKeys.yubikey();
      const employee = await createEmployee(t, { email: `metrics.${engine}@corp.example` });
      await registerKey(t, employee, key, 'security_key');
      const metadata = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
      const entityId = randomEntity('metrics');
      const acs = 'https://metrics.sp.example/acs';
      const sp = await t.services.serviceProviders.create(cliContext(), 'saml', {
        name: 'Metrics SP',
        entityId,
        acsEndpoints: [{ url: acs, binding: 'post', index: 0, isDefault: true }],
        nameIdFormat: 'email',
        nameIdField: 'email',
        attributes: [{ name: 'email', field: 'email' }],
        idpInitiated: true,
      } as never);
      const employeeClient = new Client(t.app);
      assert.equal((await passkeySignIn(employeeClient, key)).status, 200);
      const form = parsePostForm((await employeeClient.get(`/saml/start/${sp.id}`)).raw);
      assert.equal(form.action, acs);
      const samlSp = nodeSamlSp({
        idpCert: idpCertFromMetadata(metadata.body),
        entryPoint: 'http://localhost:8080/saml/sso',
        issuer: entityId,
        callbackUrl: acs,
        audience: entityId,
      });
      await nodeSamlSp({ ...samlSp.options, validateInResponseTo: 'never' } as never).validatePostResponseAsync(form.fields);

      // A machine client's token.
      const created = await registerClient(t as never, { name: 'Metrics batch', grantTypes: ['client_credentials'], redirectUris: [], scopes: ['openid'] });
      const basic = Buffer.from(`${encodeURIComponent(created.client.clientId)}:${encodeURIComponent(created.clientSecret!)}`).toString('base64');
      const token = await t.app.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
        payload: 'grant_type=client_credentials',
      });
      assert.equal(token.statusCode, 200, token.body);

      // A directory sync that creates the two people of the fake directory.
      const domain = await admin.post('/api/directory/domains', {
        kind: 'ad',
        name: `metrics-${engine}.example.test`,
        secret: 'service-account-password',
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
      });
      assert.equal(domain.status, 201, domain.raw);
      const run = await admin.post(`/api/directory/domains/${domain.body.id}/sync`, { wait: true });
      assert.equal(run.body.status, 'succeeded', run.raw);

      const now = await text();
      const moved = (name: string, labels: Record<string, string>) => sample(now, name, labels) - sample(before, name, labels);
      assert.equal(moved('tessera_sign_ins_total', { subject: 'admin', outcome: 'failure' }), 1);
      assert.equal(moved('tessera_sign_ins_total', { subject: 'admin', outcome: 'success' }), 1);
      assert.equal(moved('tessera_sign_ins_total', { subject: 'employee', method: 'security_key', outcome: 'success' }), 1);
      assert.equal(moved('tessera_sso_sign_ins_total', { protocol: 'saml', outcome: 'success' }), 1);
      assert.equal(moved('tessera_saml_assertions_total', { sp: 'Metrics SP' }), 1);
      assert.equal(moved('tessera_oidc_tokens_issued_total', { grant_type: 'client_credentials' }), 1);
      assert.equal(moved('tessera_directory_sync_runs_total', { domain: `metrics-${engine}.example.test`, outcome: 'completed' }), 1);
      assert.equal(moved('tessera_directory_sync_changes_total', { domain: `metrics-${engine}.example.test`, kind: 'created' }), 2);
      assert.equal(moved('tessera_directory_sync_duration_seconds_count', { domain: `metrics-${engine}.example.test` }), 1);
      assert.equal(moved('tessera_http_requests_total', { method: 'POST', route: '/api/auth/login', status: '401' }), 1);
      assert.equal(moved('tessera_http_requests_total', { method: 'POST', route: '/api/directory/domains/:id/sync', status: '200' }), 1);
      assert.ok(moved('tessera_mail_outbox', { state: 'pending' }) >= 0, 'the outbox gauge is there');
    });

    it('labels requests by the matched route pattern, never by the path a client sent', async () => {
      const id = crypto.randomUUID();
      const odd = `no-such-${crypto.randomBytes(6).toString('hex')}`;
      await admin.get(`/api/employees/${id}`);
      await admin.get(`/api/${odd}`);
      await t.app.inject({ method: 'GET', url: `/%61pi/${odd}` });
      const now = await text();
      assert.ok(sample(now, 'tessera_http_requests_total', { route: '/api/employees/:id', status: '404' }) >= 1, 'the pattern is the label');
      assert.ok(sample(now, 'tessera_http_requests_total', { route: '(unmatched)', status: '404' }) >= 2, 'unmatched paths share one label');
      assert.ok(!now.includes(id) && !now.includes(odd), 'no path a client chose is in the output');
    });
  });
}

describe('Prometheus metrics: closed unless configured, and rate-limited', () => {
  it('answers 404 on /metrics without TESSERA_METRICS_TOKEN', async () => {
    const t = await createTestApp();
    try {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer anything-at-all-0123456789' } });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'request.not_found');
    } finally {
      await t.close();
    }
  });

  it('spends the credential budget on wrong tokens, so guessing stops at 429', async () => {
    const t = await createTestApp({ credentialLimit: 3, env: { TESSERA_METRICS_TOKEN: TOKEN } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer guess-${i}-0123456789abcdef` } })).statusCode);
      assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    } finally {
      await t.close();
    }
  });
});
