import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { admins } from './admin.tables.js';
import type { LockoutStore } from '../security/lockout.js';

export type AdminRow = typeof admins.$inferSelect;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export async function findAdminById(db: Executor, id: string): Promise<AdminRow | undefined> {
  const [row] = await db.select().from(admins).where(eq(admins.id, id));
  return row;
}

export async function findAdminByEmail(db: Executor, email: string): Promise<AdminRow | undefined> {
  const [row] = await db
    .select()
    .from(admins)
    .where(eq(admins.emailNormalized, normalizeEmail(email)));
  return row;
}

export async function findAdmins(db: Executor): Promise<AdminRow[]> {
  return db.select().from(admins).orderBy(asc(admins.emailNormalized));
}

export async function countAdmins(db: Executor): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(admins);
  return count;
}

export async function insertAdmin(db: Executor, row: { email: string; name: string; passwordHash: string; source: string }): Promise<AdminRow> {
  const [inserted] = await db
    .insert(admins)
    .values({ ...row, email: row.email.trim(), emailNormalized: normalizeEmail(row.email) })
    .returning();
  return inserted;
}

export async function updateAdminById(db: Executor, id: string, patch: Partial<Omit<AdminRow, 'id' | 'createdAt'>>): Promise<AdminRow | undefined> {
  const [row] = await db
    .update(admins)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(admins.id, id))
    .returning();
  return row;
}

/** The admin's lockout counter (src/security/lockout.ts): reserve, release and lock, each one atomic UPDATE. */
export function adminLockoutStore(db: Executor, id: string): LockoutStore {
  const notLocked = (now: Date) => or(isNull(admins.lockedUntil), lte(admins.lockedUntil, now));
  return {
    async reserve(threshold, now) {
      const [row] = await db
        .update(admins)
        .set({ failedAttempts: sql`${admins.failedAttempts} + 1` })
        .where(and(eq(admins.id, id), notLocked(now), lt(admins.failedAttempts, threshold)))
        .returning({ n: admins.failedAttempts });
      return row?.n;
    },
    async release() {
      await db
        .update(admins)
        .set({ failedAttempts: sql`greatest(${admins.failedAttempts} - 1, 0)` })
        .where(eq(admins.id, id));
    },
    async lock(until, now) {
      const rows = await db
        .update(admins)
        .set({ lockedUntil: until, failedAttempts: 0 })
        .where(and(eq(admins.id, id), notLocked(now)))
        .returning({ id: admins.id });
      return rows.length > 0;
    },
    async state() {
      const [row] = await db.select({ failedAttempts: admins.failedAttempts, lockedUntil: admins.lockedUntil }).from(admins).where(eq(admins.id, id));
      return row;
    },
  };
}

/** Remembers the TOTP step just used, unless it (or a later one) was used already: a code counts once (RFC 6238 §5.2). */
export async function claimTotpStep(db: Executor, id: string, step: number): Promise<boolean> {
  const rows = await db
    .update(admins)
    .set({ totpLastStep: step })
    .where(and(eq(admins.id, id), or(isNull(admins.totpLastStep), lt(admins.totpLastStep, step))))
    .returning({ id: admins.id });
  return rows.length > 0;
}

export async function deleteAdminById(db: Executor, id: string): Promise<void> {
  await db.delete(admins).where(eq(admins.id, id));
}

/** Serialises changes that must keep at least one admin (delete) or exactly one first admin (setup). */
export async function lockAdmins(db: Executor): Promise<void> {
  await db.execute(sql`SELECT pg_advisory_xact_lock(7415263903)`);
}
