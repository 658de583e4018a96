// Storage of the OIDC provider on both engines (PGlite and PostgreSQL) and Redis: the adapter
// contract oidc-provider relies on (find, consume, expiry, revoke by grant), revoking everything an
// employee holds, purging expired rows, and signing keys (sealed, rotated on schedule under an
// advisory lock, old keys kept for verification and then dropped).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createAuditService } from '../../audit/audit.service.js';
import { manualClock } from '../../lib/clock.js';
import { masterKeyFromBytes } from '../../security/master-key.js';
import { createSealer } from '../../security/sealing.js';
import { randomToken, sha256 } from '../../security/tokens.js';
import { createAdapterFactory, findGrantIdsByAccount, purgeExpired } from './oidc.adapter.js';
import { createOidcKeysService } from './oidc-keys.service.js';
import { createOidcService } from './oidc.service.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../../test/helpers/db.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DAY = 86_400_000;

for (const engine of ENGINES) {
  describe(`OIDC storage on ${engine}`, () => {
    let db: TestDatabase;
    const clock = manualClock(new Date());
    const sealer = createSealer(masterKeyFromBytes(crypto.randomBytes(32)));
    before(async () => {
      db = await openTestDatabase(engine);
    });
    after(async () => {
      await db?.close();
    });

    it('keeps, consumes, expires and revokes artefacts as oidc-provider expects', async () => {
      const adapter = createAdapterFactory({ db: db.database.db, clock });
      const codes = adapter('AuthorizationCode');
      const tokens = adapter('RefreshToken');
      await codes.upsert('code-1', { grantId: 'g1', accountId: 'acc-1', scope: 'openid' }, 60);
      await tokens.upsert('rt-1', { grantId: 'g1', accountId: 'acc-1' }, 3600);
      await tokens.upsert('rt-2', { grantId: 'g2', accountId: 'acc-2' }, 3600);
      assert.equal((await codes.find('code-1'))?.scope, 'openid');
      assert.equal((await codes.find('code-1'))?.consumed, undefined);
      await codes.consume('code-1');
      assert.ok(typeof (await codes.find('code-1'))?.consumed === 'number', 'a consumed code says so (replay detection)');
      // Two nodes that both found a refresh token unused: only the first consume wins, the other
      // is invalid_grant and the grant goes (reuse detection).
      await tokens.upsert('rt-race', { grantId: 'g-race', accountId: 'acc-r' }, 3600);
      await adapter('AccessToken').upsert('at-race', { grantId: 'g-race', accountId: 'acc-r' }, 3600);
      const raced = await Promise.allSettled([tokens.consume('rt-race'), tokens.consume('rt-race')]);
      assert.deepEqual(raced.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal(((raced.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as { error?: string }).error, 'invalid_grant');
      assert.equal(await adapter('AccessToken').find('at-race'), undefined, 'the grant of a reused token is revoked');
      assert.equal(await tokens.find('code-1'), undefined, "models do not see each other's ids");
      await tokens.upsert('rt-secret-value', { jti: 'rt-secret-value', grantId: 'g9', accountId: 'acc-9' }, 3600);
      assert.equal((await tokens.find('rt-secret-value'))?.jti, 'rt-secret-value');
      const dump = JSON.stringify(await db.database.query('SELECT * FROM oidc_models'));
      assert.ok(!dump.includes('rt-secret-value') && !dump.includes('code-1'), 'no usable token or code in the database');
      await tokens.destroy('rt-secret-value');

      const interactions = adapter('Interaction');
      await interactions.upsert('i-1', { uid: 'u-1', kind: 'Interaction' }, 10);
      assert.equal((await interactions.findByUid('u-1'))?.kind, 'Interaction');
      clock.advance(11_000);
      assert.equal(await interactions.find('i-1'), undefined, 'expired is gone even before the purge');
      assert.equal((await purgeExpired(db.database.db, clock.now())) >= 1, true);

      assert.deepEqual(await findGrantIdsByAccount(db.database.db, 'acc-1'), ['g1']);
      await adapter('Grant').upsert('g1', { accountId: 'acc-1', clientId: 'wiki' }, 3600);
      assert.deepEqual(await findGrantIdsByAccount(db.database.db, 'acc-1'), ['g1'], 'the Grant row and its tokens name one grant');
      await tokens.revokeByGrantId('g1');
      assert.equal(await tokens.find('rt-1'), undefined);
      assert.ok(await tokens.find('rt-2'), 'another grant is untouched');
      await tokens.destroy('rt-2');
      assert.equal(await tokens.find('rt-2'), undefined);
    });

    it('revokes every grant, token and provider session of an employee at once', async () => {
      const oidc = createOidcService({
        db: db.database.db,
        audit: createAuditService({ db: db.database.db, clock }),
        sealer,
        clock,
        masterKey: crypto.randomBytes(32),
        keys: { rotationDays: 90, retentionHours: 24 },
      });
      const adapter = createAdapterFactory({ db: db.database.db, clock });
      const employeeId = crypto.randomUUID();
      await adapter('Grant').upsert('grant-a', { accountId: employeeId, clientId: 'wiki' }, 3600);
      await adapter('AccessToken').upsert('at-a', { accountId: employeeId, grantId: 'grant-a' }, 3600);
      await adapter('RefreshToken').upsert('rt-a', { accountId: employeeId, grantId: 'grant-a' }, 3600);
      await adapter('Session').upsert('s-a', { accountId: employeeId, uid: 'su-a', authorizations: { wiki: { sid: 'sid-1', grantId: 'grant-a' } } }, 3600);
      await adapter('RefreshToken').upsert('rt-other', { accountId: 'someone-else', grantId: 'grant-b' }, 3600);
      await adapter('Grant').upsert('grant-lone', { accountId: employeeId, clientId: 'crm' }, 3600);
      await db.database.db.transaction((tx) => oidc.revokeEmployee(tx, employeeId));
      for (const [model, id] of [
        ['Grant', 'grant-a'],
        ['Grant', 'grant-lone'],
        ['AccessToken', 'at-a'],
        ['RefreshToken', 'rt-a'],
        ['Session', 's-a'],
      ] as const) {
        assert.equal(await adapter(model).find(id), undefined, `${model} ${id} is revoked`);
      }
      assert.ok(await adapter('RefreshToken').find('rt-other'), 'another employee keeps theirs');
    });

    it('generates sealed ES256 and RS256 keys, rotates them on schedule and keeps the old ones for a while', async () => {
      const audit = createAuditService({ db: db.database.db, clock });
      const keys = createOidcKeysService({ db: db.database.db, sealer, clock, audit, options: { rotationDays: 90, retentionHours: 24 } });
      const first = await keys.ensureCurrent();
      assert.equal(first.length, 2);
      assert.deepEqual(await keys.ensureCurrent(), [], 'young keys stay');
      const rows = await db.database.query<{ private_jwk: string; public_jwk: { d?: string } }>('SELECT private_jwk, public_jwk FROM oidc_signing_keys');
      assert.ok(
        rows.every((r) => r.private_jwk.startsWith('v1.') && r.public_jwk.d === undefined),
        'private halves sealed, public halves without d',
      );

      clock.advance(91 * DAY);
      const second = await keys.ensureCurrent();
      assert.equal(second.length, 2);
      const { jwks, version } = await keys.privateJwks();
      assert.equal(jwks.keys.length, 4, 'new keys published next to the old ones');
      assert.ok(
        !second.includes(String(jwks.keys[0].kid)) && !second.includes(String(jwks.keys[1].kid)),
        'the old keys still come first: they sign while the new ones are published ahead (48 h)',
      );
      const listed = await keys.list();
      assert.equal(listed.filter((k) => k.retiredAt).length, 2);

      clock.advance(2 * DAY);
      await keys.ensureCurrent();
      const later = await keys.privateJwks();
      assert.equal(later.jwks.keys.length, 4, 'old keys still published');
      assert.ok(
        second.includes(String(later.jwks.keys[0].kid)) && second.includes(String(later.jwks.keys[1].kid)),
        'after the lead the new keys come first: they sign',
      );
      assert.notEqual(later.version, version, 'the order change is a new version (nodes rebuild their provider)');

      clock.advance(2 * DAY);
      await keys.ensureCurrent();
      assert.equal((await keys.privateJwks()).jwks.keys.length, 2, 'retired keys go after the retention');
    });

    it('rotates once when several nodes check at the same moment (advisory lock)', async () => {
      const audit = createAuditService({ db: db.database.db, clock });
      const nodes = [1, 2, 3].map(() => createOidcKeysService({ db: db.database.db, sealer, clock, audit, options: { rotationDays: 90, retentionHours: 24 } }));
      clock.advance(91 * DAY);
      const created = (await Promise.all(nodes.map((k) => k.ensureCurrent()))).flat();
      assert.equal(created.length, 2, 'one new key per algorithm, whichever node made it');
    });
  });
}

describe('OIDC short-lived artefacts in Redis', () => {
  let redis: Redis;
  const prefix = `test-${randomToken(6)}:`;
  before(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('keeps codes and interactions in Redis with their TTL, consumes atomically, revokes by grant', async () => {
    const clock = manualClock(new Date());
    const adapter = createAdapterFactory({ db: undefined as never, clock, redis, redisPrefix: prefix });
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1', scope: 'openid' }, 60);
    await codes.upsert('c2', { grantId: 'g2', scope: 'openid' }, 60);
    assert.ok((await redis.ttl(`${prefix}oidc:AuthorizationCode:${sha256('c1')}`)) > 0, "the TTL is Redis's own, the key a hash of the code");
    assert.ok(
      (await redis.keys(`${prefix}*`)).every((k) => !k.endsWith(':c1')),
      'no usable code in Redis',
    );
    await codes.consume('c1');
    assert.equal(typeof (await codes.find('c1'))?.consumed, 'number');
    await assert.rejects(codes.consume('c1'), (err: { error?: string }) => err.error === 'invalid_grant', 'a second consume loses');
    await codes.revokeByGrantId('g1');
    assert.equal(await codes.find('c1'), undefined);
    assert.ok(await codes.find('c2'));
    const interactions = adapter('Interaction');
    await interactions.upsert('i1', { uid: 'u1' }, 60);
    assert.deepEqual(await interactions.findByUid('u1'), { uid: 'u1' });
    await interactions.destroy('i1');
    assert.equal(await interactions.find('i1'), undefined);
  });
});
