import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { admins } from '../db/schema.js';

export type AdminRow = typeof admins.$inferSelect;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export async function findAdminById(db: Executor, id: string): Promise<AdminRow | undefined> {
  const [row] = await db.select().from(admins).where(eq(admins.id, id));
  return row;
}

export async function findAdminByEmail(db: Executor, email: string): Promise<AdminRow | undefined> {
  const [row] = await db.select().from(admins).where(eq(admins.emailNormalized, normalizeEmail(email)));
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
  const [inserted] = await db.insert(admins).values({ ...row, email: row.email.trim(), emailNormalized: normalizeEmail(row.email) }).returning();
  return inserted;
}

export async function updateAdminById(db: Executor, id: string, patch: Partial<Omit<AdminRow, 'id' | 'createdAt'>>): Promise<AdminRow | undefined> {
  const [row] = await db.update(admins).set({ ...patch, updatedAt: sql`now()` }).where(eq(admins.id, id)).returning();
  return row;
}

/** Counts a failed attempt atomically, so parallel guesses cannot slip under the threshold. */
export async function incrementFailedAttempts(db: Executor, id: string): Promise<number> {
  const [row] = await db.update(admins).set({ failedAttempts: sql`${admins.failedAttempts} + 1` }).where(eq(admins.id, id)).returning({ n: admins.failedAttempts });
  return row?.n ?? 0;
}

export async function deleteAdminById(db: Executor, id: string): Promise<void> {
  await db.delete(admins).where(eq(admins.id, id));
}

/** Serialises changes that must keep at least one admin (delete) or exactly one first admin (setup). */
export async function lockAdmins(db: Executor): Promise<void> {
  await db.execute(sql`SELECT pg_advisory_xact_lock(7415263903)`);
}
