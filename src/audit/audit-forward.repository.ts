import crypto from 'node:crypto';
import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { systemState } from '../db/system-state.tables.js';
import { auditDestinations } from './audit-forward.tables.js';

export type DestinationRow = typeof auditDestinations.$inferSelect;
export type NewDestinationRow = typeof auditDestinations.$inferInsert;

const INSTALLATION_KEY = 'installation.id';

/** This installation's id, made once (a random UUID) and kept: forwarded event ids start with it. */
export async function ensureInstallationId(db: Executor): Promise<string> {
  await db
    .insert(systemState)
    .values({ key: INSTALLATION_KEY, value: { id: crypto.randomUUID() } })
    .onConflictDoNothing({ target: systemState.key });
  const [row] = await db.select().from(systemState).where(eq(systemState.key, INSTALLATION_KEY));
  return (row.value as { id: string }).id;
}

export async function findDestinations(db: Executor): Promise<DestinationRow[]> {
  return db.select().from(auditDestinations).orderBy(asc(auditDestinations.name));
}

export async function findDestinationById(db: Executor, id: string): Promise<DestinationRow | undefined> {
  const [row] = await db.select().from(auditDestinations).where(eq(auditDestinations.id, id));
  return row;
}

export async function findDestinationByName(db: Executor, name: string): Promise<DestinationRow | undefined> {
  const [row] = await db.select().from(auditDestinations).where(eq(auditDestinations.name, name));
  return row;
}

export async function insertDestination(db: Executor, row: NewDestinationRow): Promise<DestinationRow> {
  const [inserted] = await db.insert(auditDestinations).values(row).returning();
  return inserted;
}

export async function updateDestinationById(db: Executor, id: string, set: Partial<NewDestinationRow>): Promise<DestinationRow | undefined> {
  const [row] = await db
    .update(auditDestinations)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(auditDestinations.id, id))
    .returning();
  return row;
}

export async function deleteDestinationById(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(auditDestinations).where(eq(auditDestinations.id, id)).returning({ id: auditDestinations.id });
  return rows.length === 1;
}

/**
 * Takes the destination's delivery lease for `holder` (or renews it): succeeds only when nobody
 * else holds an unexpired one, so two nodes never deliver the same destination at once.
 */
export async function acquireDestinationLease(db: Executor, id: string, holder: string, now: Date, ttlMs: number): Promise<DestinationRow | undefined> {
  const [row] = await db
    .update(auditDestinations)
    .set({ leaseHolder: holder, leaseUntil: new Date(now.getTime() + ttlMs) })
    .where(
      and(
        eq(auditDestinations.id, id),
        or(isNull(auditDestinations.leaseUntil), lt(auditDestinations.leaseUntil, now), eq(auditDestinations.leaseHolder, holder)),
      ),
    )
    .returning();
  return row;
}

export async function releaseDestinationLease(db: Executor, id: string, holder: string): Promise<void> {
  await db
    .update(auditDestinations)
    .set({ leaseHolder: null, leaseUntil: null })
    .where(and(eq(auditDestinations.id, id), eq(auditDestinations.leaseHolder, holder)));
}

/**
 * Records a delivery's outcome, only while `holder` still holds the lease: a node that lost its
 * lease (it stalled past the lease) writes nothing, and the new holder sends the batch again.
 */
export async function recordDeliveryByHolder(db: Executor, id: string, holder: string, set: Partial<NewDestinationRow>): Promise<boolean> {
  const rows = await db
    .update(auditDestinations)
    .set(set)
    .where(and(eq(auditDestinations.id, id), eq(auditDestinations.leaseHolder, holder)))
    .returning({ id: auditDestinations.id });
  return rows.length === 1;
}
