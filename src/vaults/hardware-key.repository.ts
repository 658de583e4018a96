import { and, asc, desc, eq, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { containsPattern } from '../db/sql.js';
import { hardwareKeyCredentials, hardwareKeyEvents, hardwareKeys } from './hardware-key.tables.js';

export type HardwareKeyRow = typeof hardwareKeys.$inferSelect;
export type NewHardwareKeyRow = typeof hardwareKeys.$inferInsert;
export type HardwareKeyEventRow = typeof hardwareKeyEvents.$inferSelect;
export type NewHardwareKeyEventRow = typeof hardwareKeyEvents.$inferInsert;

export interface HardwareKeyFilter {
  state?: string;
  employeeId?: string;
  model?: string;
  batch?: string;
  /** Part of the serial or badge number. */
  q?: string;
  page: number;
  pageSize: number;
}

/** How many keys are in each state (states with none are absent). */
export async function countHardwareKeysByState(db: Executor): Promise<Record<string, number>> {
  const rows = await db.select({ status: hardwareKeys.status, count: sql<number>`count(*)::int` }).from(hardwareKeys).groupBy(hardwareKeys.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
}

export async function findHardwareKeys(db: Executor, f: HardwareKeyFilter): Promise<{ items: HardwareKeyRow[]; total: number }> {
  const where = and(
    ...[
      f.state ? eq(hardwareKeys.status, f.state) : undefined,
      f.employeeId ? eq(hardwareKeys.employeeId, f.employeeId) : undefined,
      f.model ? ilike(hardwareKeys.model, containsPattern(f.model)) : undefined,
      f.batch ? eq(hardwareKeys.batch, f.batch) : undefined,
      f.q ? or(ilike(hardwareKeys.serial, containsPattern(f.q)), ilike(hardwareKeys.badge, containsPattern(f.q))) : undefined,
    ].filter((c): c is SQL => Boolean(c)),
  );
  const [items, [{ count }]] = await Promise.all([
    db
      .select()
      .from(hardwareKeys)
      .where(where)
      .orderBy(asc(hardwareKeys.serial))
      .offset((f.page - 1) * f.pageSize)
      .limit(f.pageSize),
    db.select({ count: sql<number>`count(*)::int` }).from(hardwareKeys).where(where),
  ]);
  return { items, total: count };
}

export async function findHardwareKeyById(db: Executor, id: string): Promise<HardwareKeyRow | undefined> {
  const [row] = await db.select().from(hardwareKeys).where(eq(hardwareKeys.id, id));
  return row;
}

/** The key, locked for the rest of the transaction (two transitions of one key run one after the other). */
export async function lockHardwareKeyById(tx: Executor, id: string): Promise<HardwareKeyRow | undefined> {
  const [row] = await tx.select().from(hardwareKeys).where(eq(hardwareKeys.id, id)).for('update');
  return row;
}

export async function findHardwareKeysByEmployeeId(db: Executor, employeeId: string): Promise<HardwareKeyRow[]> {
  return db.select().from(hardwareKeys).where(eq(hardwareKeys.employeeId, employeeId)).orderBy(asc(hardwareKeys.createdAt));
}

/** The employee's keys waiting for activation with a code (reserved, code set). */
export async function findPendingActivations(db: Executor, employeeId: string): Promise<HardwareKeyRow[]> {
  return db
    .select()
    .from(hardwareKeys)
    .where(and(eq(hardwareKeys.employeeId, employeeId), eq(hardwareKeys.status, 'reserved'), sql`${hardwareKeys.activationCodeHash} is not null`));
}

/** The serials of these that are already in the inventory. */
export async function findExistingSerials(db: Executor, serials: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < serials.length; i += 1000) {
    const rows = await db
      .select({ serial: hardwareKeys.serial })
      .from(hardwareKeys)
      .where(inArray(hardwareKeys.serial, serials.slice(i, i + 1000)));
    for (const r of rows) out.add(r.serial);
  }
  return out;
}

/** Those of the employees who hold at least one Active key (password rotation applies to them only). */
export async function findActiveKeyHolders(db: Executor, employeeIds: string[]): Promise<Set<string>> {
  if (employeeIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ employeeId: hardwareKeys.employeeId })
    .from(hardwareKeys)
    .where(and(inArray(hardwareKeys.employeeId, employeeIds), eq(hardwareKeys.status, 'active')));
  return new Set(rows.map((r) => r.employeeId!));
}

/** The WebAuthn credentials bound to the employees' keys that are not Active (sign-in refuses them). */
export async function findCredentialIdsOfInactiveKeys(db: Executor, employeeIds: string[]): Promise<string[]> {
  if (employeeIds.length === 0) return [];
  const rows = await db
    .select({ credentialId: hardwareKeyCredentials.credentialId })
    .from(hardwareKeyCredentials)
    .innerJoin(hardwareKeys, eq(hardwareKeys.id, hardwareKeyCredentials.keyId))
    .where(and(inArray(hardwareKeys.employeeId, employeeIds), ne(hardwareKeys.status, 'active')));
  return rows.map((r) => r.credentialId);
}

/** A subquery of the WebAuthn credentials bound to a key that is not Active, whoever holds it (the rollout state leaves them out). */
export function credentialIdsOnInactiveKeys(db: Executor) {
  return db
    .select({ id: hardwareKeyCredentials.credentialId })
    .from(hardwareKeyCredentials)
    .innerJoin(hardwareKeys, eq(hardwareKeys.id, hardwareKeyCredentials.keyId))
    .where(ne(hardwareKeys.status, 'active'));
}

export async function insertHardwareKey(db: Executor, row: NewHardwareKeyRow): Promise<HardwareKeyRow> {
  const [created] = await db.insert(hardwareKeys).values(row).returning();
  return created;
}

/** Inserts the keys whose serial is free; the ones inserted (a serial taken meanwhile is skipped, not an error). */
export async function insertHardwareKeysIfNew(db: Executor, rows: NewHardwareKeyRow[]): Promise<HardwareKeyRow[]> {
  const out: HardwareKeyRow[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    if (chunk.length === 0) continue;
    out.push(...(await db.insert(hardwareKeys).values(chunk).onConflictDoNothing({ target: hardwareKeys.serial }).returning()));
  }
  return out;
}

export async function updateHardwareKeyById(db: Executor, id: string, patch: Partial<NewHardwareKeyRow>, now: Date): Promise<HardwareKeyRow> {
  const [row] = await db
    .update(hardwareKeys)
    .set({ ...patch, updatedAt: now })
    .where(eq(hardwareKeys.id, id))
    .returning();
  return row;
}

/** Counts one failed try of the pending code; the new count. */
export async function incrementActivationAttempts(db: Executor, id: string): Promise<number> {
  const [row] = await db
    .update(hardwareKeys)
    .set({ activationAttempts: sql`${hardwareKeys.activationAttempts} + 1` })
    .where(eq(hardwareKeys.id, id))
    .returning({ attempts: hardwareKeys.activationAttempts });
  return row?.attempts ?? 0;
}

/** Deletes the key only when it belongs to the employee; the deleted row, or undefined. */
export async function deleteHardwareKeyOfEmployee(db: Executor, keyId: string, employeeId: string): Promise<HardwareKeyRow | undefined> {
  const [row] = await db
    .delete(hardwareKeys)
    .where(and(eq(hardwareKeys.id, keyId), eq(hardwareKeys.employeeId, employeeId)))
    .returning();
  return row;
}

export async function insertHardwareKeyEvents(db: Executor, rows: NewHardwareKeyEventRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    if (chunk.length > 0) await db.insert(hardwareKeyEvents).values(chunk);
  }
}

export async function findHardwareKeyEvents(db: Executor, keyId: string): Promise<HardwareKeyEventRow[]> {
  return db.select().from(hardwareKeyEvents).where(eq(hardwareKeyEvents.keyId, keyId)).orderBy(desc(hardwareKeyEvents.seq));
}

export async function insertKeyCredential(db: Executor, keyId: string, credentialId: string): Promise<void> {
  await db.insert(hardwareKeyCredentials).values({ keyId, credentialId });
}

/** The webauthn_credentials ids bound to the key. */
export async function findKeyCredentialIds(db: Executor, keyId: string): Promise<string[]> {
  const rows = await db.select({ id: hardwareKeyCredentials.credentialId }).from(hardwareKeyCredentials).where(eq(hardwareKeyCredentials.keyId, keyId));
  return rows.map((r) => r.id);
}

/** The key a credential is bound to, if any. */
export async function findKeyOfCredential(db: Executor, credentialId: string): Promise<HardwareKeyRow | undefined> {
  const [row] = await db
    .select({ key: hardwareKeys })
    .from(hardwareKeyCredentials)
    .innerJoin(hardwareKeys, eq(hardwareKeys.id, hardwareKeyCredentials.keyId))
    .where(eq(hardwareKeyCredentials.credentialId, credentialId));
  return row?.key;
}

/** The employee's Active keys with the webauthn_credentials ids bound to them (credential delivery, issue 14 item 6). */
export async function findActiveKeyCredentials(db: Executor, employeeId: string): Promise<{ keyId: string; serial: string; credentialId: string }[]> {
  return db
    .select({ keyId: hardwareKeys.id, serial: hardwareKeys.serial, credentialId: hardwareKeyCredentials.credentialId })
    .from(hardwareKeyCredentials)
    .innerJoin(hardwareKeys, eq(hardwareKeys.id, hardwareKeyCredentials.keyId))
    .where(and(eq(hardwareKeys.employeeId, employeeId), eq(hardwareKeys.status, 'active')))
    .orderBy(asc(hardwareKeys.serial));
}
