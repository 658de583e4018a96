// SAML/WS-Fed storage on both engines: the SP registry (entity IDs unique per protocol), seen
// request IDs (a replay refused until it expires), pending requests expiring, SAML sessions
// following a re-authentication, and signing keys sealed at rest and re-sealed by key rotation.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/config.js';
import { createServices, type Services } from '../../app/services.js';
import { cliContext } from '../../lib/context.js';
import { manualClock } from '../../lib/clock.js';
import { rotateSealedValues } from '../../security/key-rotation.js';
import { masterKeyFromBytes } from '../../security/master-key.js';
import { createSealer } from '../../security/sealing.js';
import * as state from './saml-state.repository.js';
import { createReplayStore } from '../saml-core/replay-store.js';
import { Redis } from 'ioredis';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../../test/helpers/db.js';

for (const engine of ENGINES) {
  describe(`SAML storage on ${engine}`, () => {
    let db: TestDatabase;
    let services: Services;
    const clock = manualClock(new Date('2026-03-01T10:00:00Z'));
    const key = masterKeyFromBytes(crypto.randomBytes(32));

    before(async () => {
      db = await openTestDatabase(engine);
      services = createServices({
        config: loadConfig({ PUBLIC_URL: 'http://localhost:8080', DATA_DIR: '/nonexistent' }),
        database: db.database,
        masterKey: key,
        clock,
      });
    });
    after(async () => {
      await db?.close();
    });

    it('keeps entity IDs unique per protocol: the same ID may be an SP and a relying party', async () => {
      const input = { name: 'App', entityId: 'https://app.example/', acsEndpoints: [{ url: 'https://app.example/acs' }] };
      await services.serviceProviders.create(cliContext(), 'saml', input);
      await assert.rejects(services.serviceProviders.create(cliContext(), 'saml', input), (e: Error & { code?: string }) => e.code === 'saml.entity_id_in_use');
      await services.serviceProviders.create(cliContext(), 'wsfed', input);
      assert.equal((await services.serviceProviders.list('saml')).length, 1);
      assert.equal((await services.serviceProviders.list('wsfed')).length, 1);
    });

    it('refuses a seen request ID until it expires, then forgets it', async () => {
      const now = clock.now();
      const expires = new Date(now.getTime() + 60_000);
      assert.equal(await state.insertSeenRequest(services.db, 'authn:sp:_1', expires, now), true);
      assert.equal(await state.insertSeenRequest(services.db, 'authn:sp:_1', expires, now), false, 'replay');
      assert.equal(await state.insertSeenRequest(services.db, 'authn:other:_1', expires, now), true, 'per SP');
      const later = new Date(now.getTime() + 120_000);
      assert.equal(await state.insertSeenRequest(services.db, 'authn:sp:_1', new Date(later.getTime() + 60_000), later), true, 'expired IDs are purged');
    });

    it('expires pending requests and moves SAML sessions to a new Tessera session', async () => {
      const [sp] = await services.serviceProviders.list('saml');
      const id = await services.samlSso.savePending({
        spId: sp.id,
        acsUrl: 'https://app.example/acs',
        requestId: '_r',
        relayState: null,
        forceAuthn: false,
        isPassive: false,
        receivedAt: clock.now().getTime(),
      });
      assert.ok(await services.samlSso.loadPending(id));
      assert.equal(await services.samlSso.loadPending('not-a-real-pending-id-xx'), undefined);
      clock.advance(16 * 60_000);
      assert.equal(await services.samlSso.loadPending(id), undefined, 'expired after 15 minutes');

      const employee = await services.employees.create(cliContext(), { email: 'ada@corp.example', firstName: 'Ada', lastName: 'L' });
      await state.insertSamlSession(
        services.db,
        {
          employeeId: employee.id,
          sessionId: 'old',
          spId: sp.id,
          nameId: 'ada@corp.example',
          nameIdFormat: 'f',
          sessionIndex: '_s1',
          expiresAt: new Date(clock.now().getTime() + 3_600_000),
        },
        clock.now(),
      );
      await state.insertSamlSession(
        services.db,
        {
          employeeId: employee.id,
          sessionId: 'stale',
          spId: sp.id,
          nameId: 'ada@corp.example',
          nameIdFormat: 'f',
          sessionIndex: '_stale',
          expiresAt: new Date(clock.now().getTime() - 1000),
        },
        new Date(clock.now().getTime() - 5000),
      );
      await state.insertSamlSession(
        services.db,
        {
          employeeId: employee.id,
          sessionId: 'other',
          spId: sp.id,
          nameId: 'ada@corp.example',
          nameIdFormat: 'f',
          sessionIndex: '_s2',
          expiresAt: new Date(clock.now().getTime() + 3_600_000),
        },
        clock.now(),
      );
      assert.equal(await state.findSamlSessionByIndex(services.db, '_stale'), undefined, 'ended SAML sessions are purged as new ones come');
      const other = await services.employees.create(cliContext(), { email: 'eve@corp.example', firstName: 'Eve', lastName: 'E' });
      await state.moveSamlSessions(services.db, 'old', 'new', other.id);
      assert.equal((await state.findSamlSessionsBySession(services.db, 'new')).length, 0, 'another employee signing in does not take them');
      await state.moveSamlSessions(services.db, 'old', 'new', employee.id);
      assert.equal((await state.findSamlSessionsBySession(services.db, 'new')).length, 1);
      assert.equal((await state.findSamlSessionByIndex(services.db, '_s1'))?.sessionId, 'new');
      await services.employees.remove(cliContext(), employee.id);
      assert.equal((await state.findSamlSessionsBySession(services.db, 'new')).length, 0, "an employee's SAML sessions go with them");
    });

    it('seals the signing key at rest, and key rotation re-seals it', async () => {
      const active = await services.samlKeys.activeKey();
      const [row] = await db.database.query<{ id: string; private_key: string }>('SELECT id, private_key FROM saml_signing_keys');
      assert.match(row.private_key, /^v1\./, 'sealed');
      assert.ok(!row.private_key.includes('PRIVATE KEY'));
      const next = masterKeyFromBytes(crypto.randomBytes(32));
      const count = await rotateSealedValues(db.database, createSealer(key), createSealer(next));
      assert.ok(count >= 1);
      const rotated = createServices({
        config: loadConfig({ PUBLIC_URL: 'http://localhost:8080', DATA_DIR: '/nonexistent' }),
        database: db.database,
        masterKey: next,
        clock,
      });
      const reopened = await rotated.samlKeys.activeKey();
      assert.equal(reopened.certificate, active.certificate);
      const probe = Buffer.from('probe');
      assert.ok(crypto.verify('sha256', probe, new crypto.X509Certificate(active.certificate).publicKey, crypto.sign('sha256', probe, reopened.privateKey)));
    });
  });
}

describe('SAML replay store on Redis (REDIS_URL)', () => {
  let db: TestDatabase;
  const clock = manualClock(new Date());
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  before(async () => {
    db = await openTestDatabase('pglite');
  });
  after(async () => {
    await db?.close();
  });

  it('refuses a replay through Redis, with the key expiring by itself', async () => {
    const prefix = `test-${crypto.randomBytes(4).toString('hex')}:`;
    const store = createReplayStore({ db: db.database.db, clock, redisUrl, redisPrefix: prefix });
    try {
      const expires = new Date(clock.now().getTime() + 60_000);
      assert.equal(await store.markSeen('authn:sp:_1', expires), true);
      assert.equal(await store.markSeen('authn:sp:_1', expires), false, 'replay');
      assert.equal(await store.markSeen('authn:sp:_2', expires), true);
      const inPostgres = await db.database.query('SELECT key FROM saml_seen_requests');
      assert.equal(inPostgres.length, 0, 'nothing written to PostgreSQL while Redis answers');
      const redis = new Redis(redisUrl);
      const ttl = await redis.pttl(`${prefix}saml:seen:authn:sp:_1`);
      redis.disconnect();
      assert.ok(ttl > 0 && ttl <= 60_000, `expires by itself (PTTL ${ttl})`);
    } finally {
      await store.close();
    }
  });

  it('falls back to PostgreSQL when Redis cannot be reached: never fails open', async () => {
    const store = createReplayStore({ db: db.database.db, clock, redisUrl: 'redis://127.0.0.1:1', redisPrefix: 'x:' });
    try {
      const expires = new Date(clock.now().getTime() + 60_000);
      assert.equal(await store.markSeen('authn:sp:_fallback', expires), true);
      assert.equal(await store.markSeen('authn:sp:_fallback', expires), false);
    } finally {
      await store.close();
    }
  });
});
