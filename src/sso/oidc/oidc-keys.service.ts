import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { and, asc, desc, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import { oidcSigningKeys } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { systemContext } from '../../lib/context.js';
import type { Sealer } from '../../security/sealing.js';

/**
 * Signing keys of the provider: one ES256 and one RS256 key in use (RS256 is what every relying
 * party must support, OIDC Core §15.1; ES256 for those that ask for it). Generated on first start,
 * private halves sealed, rotated when the current key is older than `rotationDays`; a retired key
 * stays published for `retentionHours` (longer than any ID token signed with it lives), then goes.
 * Rotation runs under a PostgreSQL advisory lock, so of several nodes starting at once one rotates.
 */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
type Alg = (typeof SIGNING_ALGS)[number];

/** Arbitrary constant for pg_advisory_xact_lock: "oidc keys". */
const ROTATION_LOCK = 0x6f69_6463;

const generateKeyPair = promisify(crypto.generateKeyPair) as (type: 'rsa' | 'ec', options: crypto.RSAKeyPairKeyObjectOptions | crypto.ECKeyPairKeyObjectOptions) => Promise<crypto.KeyPairKeyObjectResult>;

export const privateJwkAad = (kid: string) => `oidc_signing_keys.private_jwk:${kid}`;

export interface OidcKeysOptions { rotationDays: number; retentionHours: number }
export type OidcKeysService = ReturnType<typeof createOidcKeysService>;

export function createOidcKeysService(deps: { db: Db; sealer: Sealer; clock: Clock; audit: AuditService; options: OidcKeysOptions }) {
  const { db, sealer, clock, audit, options } = deps;

  /** A new key pair; off the event loop (an RSA key takes 50–500 ms to find its primes). */
  async function generate(alg: Alg) {
    const kid = crypto.randomBytes(12).toString('base64url');
    const { privateKey, publicKey } = alg === 'RS256'
      ? await generateKeyPair('rsa', { modulusLength: 2048 })
      : await generateKeyPair('ec', { namedCurve: 'P-256' });
    const meta = { kid, alg, use: 'sig' };
    return {
      kid, alg,
      publicJwk: { ...publicKey.export({ format: 'jwk' }), ...meta },
      privateJwk: sealer.seal(JSON.stringify({ ...privateKey.export({ format: 'jwk' }), ...meta }), privateJwkAad(kid)),
    };
  }

  return {
    /**
     * Makes sure each algorithm has a current key younger than the rotation age, and drops keys
     * retired longer ago than the retention. Returns the kids that were created.
     */
    async ensureCurrent(): Promise<string[]> {
      const created: string[] = [];
      await db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(${ROTATION_LOCK})`);
        const now = clock.now();
        for (const alg of SIGNING_ALGS) {
          const [current] = await tx.select().from(oidcSigningKeys)
            .where(and(eq(oidcSigningKeys.alg, alg), isNull(oidcSigningKeys.retiredAt)))
            .orderBy(desc(oidcSigningKeys.createdAt)).limit(1);
          if (current && now.getTime() - current.createdAt.getTime() < options.rotationDays * 86_400_000) continue;
          const key = await generate(alg);
          await tx.insert(oidcSigningKeys).values({ ...key, createdAt: now });
          if (current) await tx.update(oidcSigningKeys).set({ retiredAt: now }).where(and(eq(oidcSigningKeys.alg, alg), isNull(oidcSigningKeys.retiredAt), lt(oidcSigningKeys.createdAt, now)));
          created.push(key.kid);
          await audit.record(systemContext(), { action: 'oidc.key_rotated', target: { type: 'oidc_signing_key', id: key.kid, label: alg }, details: { alg, retired: current?.kid ?? null } }, tx);
        }
        await tx.delete(oidcSigningKeys).where(and(isNotNull(oidcSigningKeys.retiredAt), lt(oidcSigningKeys.retiredAt, new Date(now.getTime() - options.retentionHours * 3_600_000))));
      });
      return created;
    },

    /**
     * The private JWKS handed to oidc-provider: for each algorithm the current key first (it signs
     * with the first key that fits), then retired ones (published, still verify). The `version`
     * string changes whenever the set does, so nodes know to rebuild their provider.
     */
    async privateJwks(): Promise<{ jwks: { keys: Record<string, unknown>[] }; version: string }> {
      const rows = await db.select().from(oidcSigningKeys)
        .orderBy(sql`${oidcSigningKeys.retiredAt} IS NOT NULL`, desc(oidcSigningKeys.createdAt), asc(oidcSigningKeys.kid));
      return {
        jwks: { keys: rows.map((r) => JSON.parse(sealer.open(r.privateJwk, privateJwkAad(r.kid))) as Record<string, unknown>) },
        version: rows.map((r) => `${r.kid}:${r.retiredAt ? 'r' : 'c'}`).join(','),
      };
    },

    /** Public keys with their state, for the console/API (never the private half). */
    async list() {
      const rows = await db.select().from(oidcSigningKeys).orderBy(desc(oidcSigningKeys.createdAt));
      return rows.map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.createdAt.toISOString(), retiredAt: r.retiredAt?.toISOString() ?? null }));
    },
  };
}
