import { and, asc, desc, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { oidcSigningKeys } from './oidc.tables.js';

export type OidcSigningKeyRow = typeof oidcSigningKeys.$inferSelect;

/** Serialises key rotation across nodes until the transaction ends (works on PGlite and PostgreSQL). */
export async function lockKeyRotation(tx: Executor, lockId: number): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${lockId})`);
}

/** The newest key of the algorithm that is not retired. */
export async function findCurrentSigningKey(tx: Executor, alg: string): Promise<OidcSigningKeyRow | undefined> {
  const [current] = await tx
    .select()
    .from(oidcSigningKeys)
    .where(and(eq(oidcSigningKeys.alg, alg), isNull(oidcSigningKeys.retiredAt)))
    .orderBy(desc(oidcSigningKeys.createdAt))
    .limit(1);
  return current;
}

export async function insertSigningKey(tx: Executor, row: typeof oidcSigningKeys.$inferInsert): Promise<void> {
  await tx.insert(oidcSigningKeys).values(row);
}

/** Retires, at `retiredAt`, the algorithm's unretired keys created before `createdBefore`. */
export async function retireSigningKeysBefore(tx: Executor, alg: string, createdBefore: Date, retiredAt: Date): Promise<void> {
  await tx
    .update(oidcSigningKeys)
    .set({ retiredAt })
    .where(and(eq(oidcSigningKeys.alg, alg), isNull(oidcSigningKeys.retiredAt), lt(oidcSigningKeys.createdAt, createdBefore)));
}

export async function deleteSigningKeysRetiredBefore(tx: Executor, cutoff: Date): Promise<void> {
  await tx.delete(oidcSigningKeys).where(and(isNotNull(oidcSigningKeys.retiredAt), lt(oidcSigningKeys.retiredAt, cutoff)));
}

export async function findAllSigningKeys(tx: Executor): Promise<OidcSigningKeyRow[]> {
  return tx.select().from(oidcSigningKeys);
}

/** Newest first; `isKidTieBreak`: keys created at the same instant in kid order (a stable JWKS version). */
export async function findSigningKeysNewestFirst(db: Executor, isKidTieBreak = false): Promise<OidcSigningKeyRow[]> {
  const order = isKidTieBreak ? [desc(oidcSigningKeys.createdAt), asc(oidcSigningKeys.kid)] : [desc(oidcSigningKeys.createdAt)];
  return db
    .select()
    .from(oidcSigningKeys)
    .orderBy(...order);
}

export async function updateSigningKeyByKid(tx: Executor, kid: string, patch: Partial<typeof oidcSigningKeys.$inferInsert>): Promise<void> {
  await tx.update(oidcSigningKeys).set(patch).where(eq(oidcSigningKeys.kid, kid));
}
