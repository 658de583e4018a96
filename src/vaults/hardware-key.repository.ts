import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { hardwareKeys } from './hardware-key.tables.js';

export type HardwareKeyRow = typeof hardwareKeys.$inferSelect;

export async function findHardwareKeysByEmployeeId(db: Executor, employeeId: string): Promise<HardwareKeyRow[]> {
  return db.select().from(hardwareKeys).where(eq(hardwareKeys.employeeId, employeeId)).orderBy(asc(hardwareKeys.createdAt));
}

export async function insertHardwareKey(db: Executor, row: typeof hardwareKeys.$inferInsert): Promise<HardwareKeyRow> {
  const [created] = await db.insert(hardwareKeys).values(row).returning();
  return created;
}

/** Deletes the key only when it belongs to the employee; the deleted row, or undefined. */
export async function deleteHardwareKeyOfEmployee(db: Executor, keyId: string, employeeId: string): Promise<HardwareKeyRow | undefined> {
  const [row] = await db.delete(hardwareKeys).where(and(eq(hardwareKeys.id, keyId), eq(hardwareKeys.employeeId, employeeId))).returning();
  return row;
}
