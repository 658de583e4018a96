import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';

describe('API keys', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  let admin: Client;
  const keys: Record<string, { id: string; secret: string }> = {};
  const bearer = (secret: string) => new Client(t.app, { authorization: `Bearer ${secret}` });

  before(async () => {
    t = await createTestApp({ clock });
    admin = await signedInAdmin(t);
    for (const scope of ['read', 'write', 'admin'] as const) {
      const res = await admin.post('/api/api-keys', { name: `${scope} key`, scope });
      assert.equal(res.status, 201);
      assert.match(res.body.secret, /^tsk_[A-Za-z0-9_-]{43}$/);
      keys[scope] = { id: res.body.apiKey.id, secret: res.body.secret };
    }
  });
  after(() => t.close());

  it('shows the secret once: lists show only the prefix', async () => {
    const list = await admin.get('/api/api-keys');
    assert.equal(list.body.items.length, 3);
    for (const { secret } of Object.values(keys)) assert.ok(!list.raw.includes(secret));
    assert.equal(list.body.items[0].prefix, keys.read.secret.slice(0, 12));
  });

  it('lets each scope do what it names, and no more', async () => {
    const employee = { email: 'scoped@corp.example', firstName: 'S', lastName: 'Coped' };
    assert.equal((await bearer(keys.read.secret).get('/api/employees')).status, 200);
    const denied = await bearer(keys.read.secret).post('/api/employees', employee);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'auth.insufficient_scope');
    assert.equal((await bearer(keys.write.secret).post('/api/employees', employee)).status, 201, 'no CSRF token is needed with a bearer key');
    assert.equal((await bearer(keys.write.secret).get('/api/admins')).status, 403);
    assert.equal((await bearer(keys.admin.secret).get('/api/admins')).status, 200);
    assert.equal(
      (await bearer(keys.admin.secret).post('/api/auth/password', { currentPassword: 'a', newPassword: 'b' })).body.error.code,
      'auth.forbidden',
      'a key never acts as a person in the console',
    );
  });

  it('records the last use and who acted in the audit log', async () => {
    const list = await admin.get('/api/api-keys');
    assert.ok(list.body.items.find((k: { id: string }) => k.id === keys.write.id).lastUsedAt);
    const { items } = await t.services.audit.find({ action: 'employee.created' }, { offset: 0, limit: 1 });
    assert.equal(items[0].actorType, 'api_key');
    assert.equal(items[0].actorLabel, 'write key');
  });

  it('refuses unknown, revoked and expired keys alike, and audits the attempt', async () => {
    assert.equal((await bearer(`tsk_${'x'.repeat(43)}`).get('/api/employees')).body.error.code, 'auth.invalid_api_key');
    assert.equal((await admin.delete(`/api/api-keys/${keys.read.id}`)).status, 204);
    assert.equal((await bearer(keys.read.secret).get('/api/employees')).status, 401);
    const expiring = await admin.post('/api/api-keys', {
      name: 'short-lived',
      scope: 'read',
      expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString(),
    });
    assert.equal((await bearer(expiring.body.secret).get('/api/employees')).status, 200);
    assert.equal(
      (await admin.post('/api/api-keys', { name: 'past', scope: 'read', expiresAt: '2000-01-01T00:00:00Z' })).body.error.code,
      'api_keys.expiry_in_past',
    );
    assert.equal((await admin.post('/api/api-keys', { name: 'write key', scope: 'read' })).body.error.code, 'api_keys.name_in_use');
    clock.advance(2 * 3600_000);
    assert.equal((await bearer(expiring.body.secret).get('/api/employees')).status, 401);
    // Counted per source and minute (src/audit/anonymous-failures.ts), written on flush.
    await t.services.audit.flush();
    const failed = await t.services.audit.find({ action: 'api_key.auth_failed' }, { offset: 0, limit: 10 });
    assert.ok(failed.items.reduce((n, r) => n + Number((r.details as { count?: number }).count ?? 0), 0) >= 3);
  });
});
