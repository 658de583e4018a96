import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { jobLeases } from './job-lease.tables.js';

/**
 * A job runs once across several nodes: before running, a node takes the job's lease row (an
 * insert-or-update that only succeeds when nobody holds an unexpired lease); it renews the lease
 * while it works and gives it back at the end. A node that stops gracefully hands back a lease it
 * still holds (handBackLease); a node that dies simply lets the lease expire.
 * Works the same on PGlite and PostgreSQL, and needs no session-bound advisory lock (a pool may
 * hand each query to another connection).
 */
export async function acquireLease(db: Executor, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const until = new Date(now.getTime() + ttlMs);
  const rows = await db
    .insert(jobLeases)
    .values({ name, holder, leaseUntil: until, lastStartedAt: now })
    .onConflictDoUpdate({
      target: jobLeases.name,
      set: { holder, leaseUntil: until, lastStartedAt: now },
      setWhere: sql`${jobLeases.leaseUntil} IS NULL OR ${jobLeases.leaseUntil} < ${now} OR ${jobLeases.holder} = ${holder}`,
    })
    .returning({ name: jobLeases.name });
  return rows.length === 1;
}

export async function renewLease(db: Executor, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const rows = await db
    .update(jobLeases)
    .set({ leaseUntil: new Date(now.getTime() + ttlMs) })
    .where(and(eq(jobLeases.name, name), eq(jobLeases.holder, holder)))
    .returning({ name: jobLeases.name });
  return rows.length === 1;
}

export async function releaseLease(db: Executor, name: string, holder: string, now: Date, error: string | null): Promise<void> {
  await db
    .update(jobLeases)
    .set({ holder: null, leaseUntil: null, lastFinishedAt: now, lastError: error })
    .where(and(eq(jobLeases.name, name), eq(jobLeases.holder, holder)));
}

/**
 * Gives up a lease without marking the job finished (a run cut off by a shutdown): the job stays
 * due, so the next node that looks takes it at once.
 */
export async function handBackLease(db: Executor, name: string, holder: string, error: string): Promise<boolean> {
  const rows = await db
    .update(jobLeases)
    .set({ holder: null, leaseUntil: null, lastError: error })
    .where(and(eq(jobLeases.name, name), eq(jobLeases.holder, holder)))
    .returning({ name: jobLeases.name });
  return rows.length === 1;
}

export async function findLease(db: Executor, name: string) {
  const [row] = await db.select().from(jobLeases).where(eq(jobLeases.name, name));
  return row;
}
