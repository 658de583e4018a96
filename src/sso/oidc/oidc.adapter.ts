import { and, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { errors } from 'oidc-provider';
import type { Db, Executor } from '../../db/connection.js';
import { oidcModels } from './oidc.tables.js';
import type { Clock } from '../../lib/clock.js';
import { invalidTextReason, toStorableJson } from '../../lib/text.js';
import { sha256 } from '../../security/tokens.js';

/**
 * The bridge between oidc-provider and our storage (its adapter interface: upsert, find,
 * findByUid, findByUserCode, consume, destroy, revokeByGrantId). Everything lives in PostgreSQL,
 * so several nodes serve one issuer; with Redis, the short-lived, single-use artefacts below go
 * there instead (they are written and read once within minutes: a database row would only be churn).
 * `Client` is not stored here: clients come from the oidc_clients table (oidc-client.service.ts).
 */
export const REDIS_MODELS = new Set(['Interaction', 'AuthorizationCode', 'ReplayDetection', 'PushedAuthorizationRequest']);

export interface AdapterPayload extends Record<string, unknown> {
  grantId?: string;
  accountId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
}

export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export interface AdapterDeps {
  db: Db;
  clock: Clock;
  redis?: Redis;
  redisPrefix?: string;
}

export function createAdapterFactory(deps: AdapterDeps) {
  return (name: string): OidcAdapter =>
    deps.redis && REDIS_MODELS.has(name) ? redisAdapter(name, deps.redis, `${deps.redisPrefix ?? ''}oidc:`, deps.clock) : postgresAdapter(name, deps);
}

/**
 * Models whose id is the bearer value itself (an opaque token or code is its `jti`): stored under
 * SHA-256 of the id and without `jti` in the payload, so that a database read yields no usable
 * token (like Tessera's own sessions). Sessions and interactions are reached through cookies that
 * are signed with keys derived from the master key, so their ids alone are of no use.
 */
export const HASHED_MODELS = new Set([
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

function postgresAdapter(model: string, { db, clock }: AdapterDeps): OidcAdapter {
  const isHashed = HASHED_MODELS.has(model);
  const key = (id: string) => (isHashed ? sha256(id) : id);
  const live = (row: typeof oidcModels.$inferSelect | undefined, id?: string): AdapterPayload | undefined => {
    if (!row || (row.expiresAt && row.expiresAt <= clock.now())) return undefined;
    return { ...row.payload, ...(isHashed && id ? { jti: id } : {}), ...(row.consumedAt ? { consumed: Math.floor(row.consumedAt.getTime() / 1000) } : {}) };
  };
  const one = async (where: ReturnType<typeof eq>, id?: string) =>
    live(
      (
        await db
          .select()
          .from(oidcModels)
          .where(and(eq(oidcModels.model, model), where))
          .limit(1)
      )[0],
      id,
    );
  // A value PostgreSQL cannot hold (NUL, a lone surrogate: src/lib/text.ts) names no stored row;
  // it comes from a form field oidc-provider read itself (a code, a user code), never a 500.
  const isStorable = (value: string) => !invalidTextReason(value);
  return {
    async upsert(id, input, expiresIn) {
      const { jti: _jti, ...rest } = input;
      // Parameters a client sent are kept in some payloads (pushed authorization requests, interactions).
      const payload = toStorableJson(isHashed ? rest : input, 64) as AdapterPayload;
      const row = {
        model,
        id: key(id),
        payload,
        grantId: payload.grantId ?? null,
        accountId: payload.accountId ?? null,
        uid: payload.uid ?? null,
        userCode: payload.userCode ?? null,
        expiresAt: expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null,
      };
      await db
        .insert(oidcModels)
        .values(row)
        .onConflictDoUpdate({
          target: [oidcModels.model, oidcModels.id],
          set: { payload: row.payload, grantId: row.grantId, accountId: row.accountId, uid: row.uid, userCode: row.userCode, expiresAt: row.expiresAt },
        });
    },
    find: async (id) => (isStorable(id) ? one(eq(oidcModels.id, key(id)), id) : undefined),
    findByUid: async (uid) => (isStorable(uid) ? one(eq(oidcModels.uid, uid)) : undefined),
    findByUserCode: async (userCode) => (isStorable(userCode) ? one(eq(oidcModels.userCode, userCode)) : undefined),
    /**
     * Single use across nodes: oidc-provider checks `consumed` after find, then consumes, so two
     * requests racing with one code or refresh token would both pass. Only the first UPDATE wins;
     * the loser is answered invalid_grant and the grant is revoked (RFC 9700 §4.14.2 reuse detection).
     */
    async consume(id) {
      const won = await db
        .update(oidcModels)
        .set({ consumedAt: clock.now() })
        .where(and(eq(oidcModels.model, model), eq(oidcModels.id, key(id)), isNull(oidcModels.consumedAt)))
        .returning({ grantId: oidcModels.grantId });
      if (won.length) return;
      const [row] = await db
        .select({ grantId: oidcModels.grantId })
        .from(oidcModels)
        .where(and(eq(oidcModels.model, model), eq(oidcModels.id, key(id))));
      if (row?.grantId) await db.transaction((tx) => deleteByGrantIds(tx, [row.grantId!]));
      throw new errors.InvalidGrant(`${model} already used`);
    },
    async destroy(id) {
      if (!isStorable(id)) return;
      await db.delete(oidcModels).where(and(eq(oidcModels.model, model), eq(oidcModels.id, key(id))));
    },
    async revokeByGrantId(grantId) {
      await db.delete(oidcModels).where(and(eq(oidcModels.model, model), eq(oidcModels.grantId, grantId)));
    },
  };
}

/** Redis: one key per artefact with its TTL; a set per grant lists the keys to drop with the grant. */
function redisAdapter(model: string, redis: Redis, prefix: string, clock: Clock): OidcAdapter {
  const isHashed = HASHED_MODELS.has(model);
  const key = (id: string) => `${prefix}${model}:${isHashed ? sha256(id) : id}`;
  const grantKey = (grantId: string) => `${prefix}grant:${grantId}`;
  const uidKey = (uid: string) => `${prefix}uid:${uid}`;
  const codeKey = (code: string) => `${prefix}user_code:${code}`;
  const read = async (id: string) => {
    const text = await redis.get(key(id));
    return text ? ({ ...JSON.parse(text), ...(isHashed ? { jti: id } : {}) } as AdapterPayload) : undefined;
  };
  return {
    async upsert(id, input, expiresIn) {
      const { jti: _jti, ...rest } = input;
      const payload = isHashed ? rest : input;
      const multi = redis.multi();
      const ttl = expiresIn && expiresIn > 0 ? expiresIn : undefined;
      if (ttl) multi.set(key(id), JSON.stringify(payload), 'EX', ttl);
      else multi.set(key(id), JSON.stringify(payload));
      if (payload.grantId) {
        multi.rpush(grantKey(payload.grantId), key(id));
        // The list lives as long as the artefacts it names (the codes of one grant share a TTL).
        if (ttl) multi.expire(grantKey(payload.grantId), ttl);
      }
      if (payload.uid) ttl ? multi.set(uidKey(payload.uid), id, 'EX', ttl) : multi.set(uidKey(payload.uid), id);
      if (payload.userCode) ttl ? multi.set(codeKey(payload.userCode), id, 'EX', ttl) : multi.set(codeKey(payload.userCode), id);
      await multi.exec();
    },
    find: (id) => read(id),
    async findByUid(uid) {
      const id = await redis.get(uidKey(uid));
      return id ? read(id) : undefined;
    },
    async findByUserCode(code) {
      const id = await redis.get(codeKey(code));
      return id ? read(id) : undefined;
    },
    async consume(id) {
      // Atomic read-modify-write: of two nodes redeeming one code at once, only the first wins;
      // the other is answered invalid_grant (gone: 0, already consumed: 2).
      const result = await redis.eval(
        `local v = redis.call('GET', KEYS[1]) if not v then return 0 end
         local o = cjson.decode(v) if o['consumed'] then return 2 end
         local t = redis.call('TTL', KEYS[1]) o['consumed'] = tonumber(ARGV[1])
         if t > 0 then redis.call('SET', KEYS[1], cjson.encode(o), 'EX', t) else redis.call('SET', KEYS[1], cjson.encode(o)) end return 1`,
        1,
        key(id),
        String(Math.floor(clock.now().getTime() / 1000)),
      );
      if (result !== 1) throw new errors.InvalidGrant(`${model} already used`);
    },
    async destroy(id) {
      await redis.del(key(id));
    },
    async revokeByGrantId(grantId) {
      const keys = await redis.lrange(grantKey(grantId), 0, -1);
      await redis.del(...keys, grantKey(grantId));
    },
  };
}

/** Grant ids of an employee's grants and tokens (for "revoke everything this employee holds"). */
/** The payloads of an account's provider sessions (they name the clients and their `sid`s, for back-channel logout). */
export async function findSessionPayloadsByAccount(tx: Executor, accountId: string): Promise<{ payload: Record<string, unknown> }[]> {
  return tx
    .select({ payload: oidcModels.payload })
    .from(oidcModels)
    .where(and(eq(oidcModels.model, 'Session'), eq(oidcModels.accountId, accountId)));
}

export async function findGrantIdsByAccount(tx: Executor, accountId: string): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ grantId: oidcModels.grantId })
    .from(oidcModels)
    .where(and(eq(oidcModels.accountId, accountId), isNotNull(oidcModels.grantId)));
  // A Grant row is its own grant: its id, not a grant_id column.
  const grants = await tx
    .select({ id: oidcModels.id })
    .from(oidcModels)
    .where(and(eq(oidcModels.model, 'Grant'), eq(oidcModels.accountId, accountId)));
  return [...new Set([...rows.map((r) => r.grantId!).filter(Boolean), ...grants.map((g) => g.id)])];
}

/** Removes every PostgreSQL artefact of these grants (Redis ones expire within minutes, or go by revokeByGrantId). */
export async function deleteByGrantIds(tx: Executor, grantIds: string[]): Promise<number> {
  if (grantIds.length === 0) return 0;
  const rows = await tx.delete(oidcModels).where(inArray(oidcModels.grantId, grantIds)).returning({ id: oidcModels.id });
  const grants = await tx
    .delete(oidcModels)
    .where(and(eq(oidcModels.model, 'Grant'), inArray(oidcModels.id, grantIds)))
    .returning({ id: oidcModels.id });
  return rows.length + grants.length;
}

/** Sessions of an employee (oidc-provider Session model carries accountId). */
export async function deleteSessionsByAccount(tx: Executor, accountId: string): Promise<void> {
  await tx.delete(oidcModels).where(and(eq(oidcModels.model, 'Session'), eq(oidcModels.accountId, accountId)));
}

/** An employee's live grants (one per client they signed in to), newest first. */
export async function findGrantsByAccount(tx: Executor, accountId: string, now: Date) {
  const rows = await tx
    .select()
    .from(oidcModels)
    .where(and(eq(oidcModels.model, 'Grant'), eq(oidcModels.accountId, accountId)));
  return rows
    .filter((r) => !r.expiresAt || r.expiresAt > now)
    .map((r) => ({
      grantId: r.id,
      clientId: String(r.payload.clientId ?? ''),
      createdAt: new Date(Number(r.payload.iat ?? 0) * 1000).toISOString(),
      expiresAt: r.expiresAt?.toISOString() ?? null,
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Purges expired artefacts; returns how many went. */
export async function purgeExpired(db: Db, now: Date): Promise<number> {
  const rows = await db.delete(oidcModels).where(lt(oidcModels.expiresAt, now)).returning({ id: oidcModels.id });
  return rows.length;
}

export const countModels = async (db: Db) => (await db.select({ n: sql<number>`count(*)::int` }).from(oidcModels))[0].n;
