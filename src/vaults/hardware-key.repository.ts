import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { hardwareKeys } from './hardware-key.tables.js';

export type HardwareKeyRow = typeof hardwareKeys.$inferSelect;

export async function findHardwareKeysByEmployeeId(db: Executor, employeeId: string): Promise<HardwareKeyRow[]> {
  return db.select().from(hardwareKeys).where(eq(hardwareKeys.employeeId, employeeId)).orderBy(asc(hardwareKeys.createdAt));
}

/** Those of the employees who hold at least one active key. */
export async function findActiveKeyHolders(db: Executor, employeeIds: string[]): Promise<Set<string>> {
  if (employeeIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ employeeId: hardwareKeys.employeeId })
    .from(hardwareKeys)
    .where(and(inArray(hardwareKeys.employeeId, employeeIds), eq(hardwareKeys.status, 'active')));
  return new Set(rows.map((r) => r.employeeId!));
}

export async function insertHardwareKey(db: Executor, row: typeof hardwareKeys.$inferInsert): Promise<HardwareKeyRow> {
  const [created] = await db.insert(hardwareKeys).values(row).returning();
  return created;
}

/** Deletes the key only when it belongs to the employee; the deleted row, or undefined. */
export async function deleteHardwareKeyOfEmployee(db: Executor, keyId: string, employeeId: string): Promise<HardwareKeyRow | undefined> {
  const [row] = await db
    .delete(hardwareKeys)
    .where(and(eq(hardwareKeys.id, keyId), eq(hardwareKeys.employeeId, employeeId)))
    .returning();
  return row;
}
