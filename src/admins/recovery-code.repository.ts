import { and, count, eq, isNull, max } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { adminRecoveryCodes } from './admin.tables.js';

/** Replaces the admin's set of recovery codes (the old codes stop working in the same statement group). */
export async function replaceRecoveryCodes(db: Executor, adminId: string, hashes: string[]): Promise<void> {
  await deleteRecoveryCodes(db, adminId);
  await db.insert(adminRecoveryCodes).values(hashes.map((codeHash) => ({ adminId, codeHash })));
}

export async function deleteRecoveryCodes(db: Executor, adminId: string): Promise<void> {
  await db.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, adminId));
}

/** Marks the code used unless it was used already: one conditional UPDATE, so of two racing uses one wins. */
export async function consumeRecoveryCode(db: Executor, adminId: string, codeHash: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(adminRecoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(adminRecoveryCodes.adminId, adminId), eq(adminRecoveryCodes.codeHash, codeHash), isNull(adminRecoveryCodes.usedAt)))
    .returning({ id: adminRecoveryCodes.id });
  return rows.length > 0;
}

/** How many codes of the admin's set are still unused, and when the set was made (null: no set). */
export async function findRecoveryCodeState(db: Executor, adminId: string): Promise<{ remaining: number; generatedAt: Date | null }> {
  const [all] = await db
    .select({ generatedAt: max(adminRecoveryCodes.createdAt) })
    .from(adminRecoveryCodes)
    .where(eq(adminRecoveryCodes.adminId, adminId));
  const [unused] = await db
    .select({ n: count() })
    .from(adminRecoveryCodes)
    .where(and(eq(adminRecoveryCodes.adminId, adminId), isNull(adminRecoveryCodes.usedAt)));
  return { remaining: Number(unused?.n ?? 0), generatedAt: all?.generatedAt ? new Date(all.generatedAt) : null };
}
