import { and, eq, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { employeeAuth } from './authn.tables.js';
import type { LockoutStore } from '../security/lockout.js';

export type EmployeeAuthRow = typeof employeeAuth.$inferSelect;
export type EmployeeAuthPatch = Partial<Omit<EmployeeAuthRow, 'employeeId' | 'updatedAt'>>;

/** An employee's factors; an employee without a row has none (no password, no TOTP, no failures). */
export async function findEmployeeAuth(db: Executor, employeeId: string): Promise<EmployeeAuthRow | undefined> {
  const [row] = await db.select().from(employeeAuth).where(eq(employeeAuth.employeeId, employeeId));
  return row;
}

export async function upsertEmployeeAuth(db: Executor, employeeId: string, patch: EmployeeAuthPatch): Promise<EmployeeAuthRow> {
  const [row] = await db
    .insert(employeeAuth)
    .values({ employeeId, ...patch })
    .onConflictDoUpdate({ target: employeeAuth.employeeId, set: { ...patch, updatedAt: sql`now()` } })
    .returning();
  return row;
}

/**
 * The employee's lockout counter (src/security/lockout.ts): reserve, release and lock, each one
 * atomic statement. An employee without a row has nothing to guess, so nothing to reserve.
 */
export function employeeLockoutStore(db: Executor, employeeId: string): LockoutStore {
  const notLocked = (now: Date) => or(isNull(employeeAuth.lockedUntil), lte(employeeAuth.lockedUntil, now));
  const mine = eq(employeeAuth.employeeId, employeeId);
  return {
    async reserve(threshold, now) {
      const [row] = await db
        .update(employeeAuth)
        .set({ failedAttempts: sql`${employeeAuth.failedAttempts} + 1`, updatedAt: sql`now()` })
        .where(and(mine, notLocked(now), lt(employeeAuth.failedAttempts, threshold)))
        .returning({ n: employeeAuth.failedAttempts });
      return row?.n;
    },
    async release() {
      await db
        .update(employeeAuth)
        .set({ failedAttempts: sql`greatest(${employeeAuth.failedAttempts} - 1, 0)`, updatedAt: sql`now()` })
        .where(mine);
    },
    async lock(until, now) {
      const rows = await db
        .update(employeeAuth)
        .set({ lockedUntil: until, failedAttempts: 0, updatedAt: sql`now()` })
        .where(and(mine, notLocked(now)))
        .returning({ id: employeeAuth.employeeId });
      return rows.length > 0;
    },
    async state() {
      const [row] = await db.select({ failedAttempts: employeeAuth.failedAttempts, lockedUntil: employeeAuth.lockedUntil }).from(employeeAuth).where(mine);
      return row;
    },
  };
}

/** Remembers the TOTP step just used, unless it (or a later one) was used already: a code counts once (RFC 6238 §5.2). */
export async function claimEmployeeTotpStep(db: Executor, employeeId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(employeeAuth)
    .set({ totpLastStep: step, updatedAt: sql`now()` })
    .where(and(eq(employeeAuth.employeeId, employeeId), or(isNull(employeeAuth.totpLastStep), lt(employeeAuth.totpLastStep, step))))
    .returning({ id: employeeAuth.employeeId });
  return rows.length > 0;
}

/** A subquery of the ids of employees with a TOTP seed set up, for the employees list's rollout state. */
export function employeeIdsWithTotp(db: Executor) {
  return db.select({ id: employeeAuth.employeeId }).from(employeeAuth).where(isNotNull(employeeAuth.totpSecret));
}
