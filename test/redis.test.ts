import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../src/app/app.js';
import type { App } from '../src/http/types.js';
import { createServices } from '../src/app/services.js';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/lib/clock.js';
import { masterKeyFromBytes } from '../src/security/master-key.js';
import { randomToken } from '../src/security/tokens.js';
import crypto from 'node:crypto';
import { Client } from './helpers/app.js';
import { openTestDatabase, type TestDatabase } from './helpers/db.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('several nodes sharing PostgreSQL and Redis', () => {
  let db: TestDatabase;
  const apps: App[] = [];
  const nodes: ReturnType<typeof createServices>[] = [];
  before(async () => {
    db = await openTestDatabase('postgres');
    const masterKey = masterKeyFromBytes(crypto.randomBytes(32));
    const env = { PUBLIC_URL: 'http://localhost:8080', DATA_DIR: '/nonexistent', REDIS_URL, REDIS_PREFIX: `test-${randomToken(6)}:` };
    for (let i = 0; i < 2; i++) {
      const services = createServices({ config: loadConfig(env), database: db.database, masterKey, clock: systemClock });
      nodes.push(services);
      const app = await buildApp({ services, logger: false, signInRateLimit: 4 });
      await app.ready();
      apps.push(app);
    }
  });
  after(async () => {
    for (const a of apps) await a.close();
    await db.close();
  });

  it('counts sign-in attempts from one address across nodes', async () => {
    const [a, b] = [new Client(apps[0]), new Client(apps[1])];
    const attempt = (c: Client) => c.post('/api/auth/login', { email: 'nobody@corp.example', password: 'not a real password' });
    assert.equal((await attempt(a)).status, 401);
    assert.equal((await attempt(b)).status, 401);
    assert.equal((await attempt(a)).status, 401);
    assert.equal((await attempt(b)).status, 401);
    const limited = await attempt(a);
    assert.equal(limited.status, 429, 'the fifth attempt is refused although this node saw only three');
    assert.equal(limited.body.error.code, 'rate_limit.exceeded');
  });

  it('shares sessions: a session made on one node works on the other', async () => {
    const admin = await nodes[0].admins.create(
      { actor: { type: 'system', id: null, label: 'test' }, ip: null, userAgent: null },
      { email: 'multi@corp.example', name: 'Multi', password: 'two nodes one database' },
    );
    const { token } = await nodes[0].sessions.create({
      subjectType: 'admin',
      subjectId: admin.id,
      stage: 'full',
      idleSeconds: 600,
      absoluteSeconds: 3600,
      ip: null,
      userAgent: null,
    });
    for (const app of apps) {
      const res = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `tessera_session=${token}` } });
      assert.equal(res.statusCode, 200);
    }
  });
});
