import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { chunked } from '../db/bulk.js';
import type { Executor } from '../db/connection.js';
import { invitations } from './invitation.tables.js';

export type InvitationRow = typeof invitations.$inferSelect;

export async function insertInvitation(db: Executor, row: typeof invitations.$inferInsert): Promise<InvitationRow> {
  const [inserted] = await db.insert(invitations).values(row).returning();
  return inserted;
}

/** Many invitations in multi-row INSERTs of 1,000 (nothing read back). */
export async function insertInvitations(db: Executor, rows: readonly (typeof invitations.$inferInsert)[]): Promise<void> {
  for (const batch of chunked(rows)) await db.insert(invitations).values(batch);
}

export async function findInvitationById(db: Executor, id: string): Promise<InvitationRow | undefined> {
  const [row] = await db.select().from(invitations).where(eq(invitations.id, id));
  return row;
}

export async function findInvitationByTokenHash(db: Executor, tokenHash: string): Promise<InvitationRow | undefined> {
  const [row] = await db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash));
  return row;
}

export async function findInvitationsByEmployee(db: Executor, employeeId: string): Promise<InvitationRow[]> {
  return db.select().from(invitations).where(eq(invitations.employeeId, employeeId)).orderBy(desc(invitations.createdAt), desc(invitations.id));
}

export async function updateInvitationMailId(db: Executor, id: string, mailId: string): Promise<void> {
  await db.update(invitations).set({ mailId }).where(eq(invitations.id, id));
}

const isOpen = (at: Date) => and(isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, at));

/** Revokes the employee's invitations that could still be used; returns them. */
export async function revokeOpenInvitations(db: Executor, employeeId: string, at: Date): Promise<InvitationRow[]> {
  return db
    .update(invitations)
    .set({ revokedAt: at })
    .where(and(eq(invitations.employeeId, employeeId), isOpen(at)))
    .returning();
}

export async function revokeInvitationById(db: Executor, id: string, at: Date): Promise<InvitationRow | undefined> {
  const [row] = await db
    .update(invitations)
    .set({ revokedAt: at })
    .where(and(eq(invitations.id, id), isNull(invitations.usedAt), isNull(invitations.revokedAt)))
    .returning();
  return row;
}

/**
 * Uses the invitation up, if it is still open, in one statement: of two enrolments racing on one
 * link, the second waits for the first's row lock, then finds it used and gets nothing.
 */
export async function consumeInvitation(db: Executor, id: string, at: Date): Promise<InvitationRow | undefined> {
  const [row] = await db
    .update(invitations)
    .set({ usedAt: at })
    .where(and(eq(invitations.id, id), isOpen(at)))
    .returning();
  return row;
}

/** A subquery of the ids of employees with an invitation open at `at`, for the employees list's rollout state. */
export function employeeIdsWithOpenInvitation(db: Executor, at: Date) {
  return db.select({ id: invitations.employeeId }).from(invitations).where(isOpen(at));
}

/**
 * A subquery of the ids of employees ever invited, whatever became of the invitation (expired, or
 * used without leaving a credential), except invitations an admin revoked: a revoked invitation
 * was withdrawn, not missed, so alone it leaves the employee "never invited" (to be invited again).
 */
export function employeeIdsEverInvited(db: Executor) {
  return db.select({ id: invitations.employeeId }).from(invitations).where(isNull(invitations.revokedAt));
}
