import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { employeeAuth } from '../db/schema.js';

export type EmployeeAuthRow = typeof employeeAuth.$inferSelect;
export type EmployeeAuthPatch = Partial<Omit<EmployeeAuthRow, 'employeeId' | 'updatedAt'>>;

/** An employee's factors; an employee without a row has none (no password, no TOTP, no failures). */
export async function findEmployeeAuth(db: Executor, employeeId: string): Promise<EmployeeAuthRow | undefined> {
  const [row] = await db.select().from(employeeAuth).where(eq(employeeAuth.employeeId, employeeId));
  return row;
}

export async function upsertEmployeeAuth(db: Executor, employeeId: string, patch: EmployeeAuthPatch): Promise<EmployeeAuthRow> {
  const [row] = await db.insert(employeeAuth).values({ employeeId, ...patch })
    .onConflictDoUpdate({ target: employeeAuth.employeeId, set: { ...patch, updatedAt: sql`now()` } })
    .returning();
  return row;
}

/** Counts a failed attempt atomically, so parallel guesses cannot slip under the threshold. */
export async function incrementEmployeeFailedAttempts(db: Executor, employeeId: string): Promise<number> {
  const [row] = await db.insert(employeeAuth).values({ employeeId, failedAttempts: 1 })
    .onConflictDoUpdate({ target: employeeAuth.employeeId, set: { failedAttempts: sql`${employeeAuth.failedAttempts} + 1`, updatedAt: sql`now()` } })
    .returning({ n: employeeAuth.failedAttempts });
  return row.n;
}
