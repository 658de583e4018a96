import { and, eq, lt, ne } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { samlPending, samlSeenRequests, samlSessions } from './saml.tables.js';

/** Records a request ID; false when it was already seen and has not expired (a replay). */
export async function insertSeenRequest(db: Executor, key: string, expiresAt: Date, now: Date): Promise<boolean> {
  await db.delete(samlSeenRequests).where(lt(samlSeenRequests.expiresAt, now));
  const inserted = await db.insert(samlSeenRequests).values({ key, expiresAt }).onConflictDoNothing().returning();
  return inserted.length === 1;
}

export async function insertPending(db: Executor, row: typeof samlPending.$inferInsert): Promise<void> {
  await db.insert(samlPending).values(row);
}

export async function findPending(db: Executor, id: string, kind: string, now: Date) {
  const [row] = await db.select().from(samlPending).where(eq(samlPending.id, id));
  if (!row || row.kind !== kind || row.expiresAt <= now) return undefined;
  return row;
}

export async function updatePending(db: Executor, id: string, data: Record<string, unknown>): Promise<void> {
  await db.update(samlPending).set({ data }).where(eq(samlPending.id, id));
}

export async function deletePending(db: Executor, id: string, now: Date): Promise<void> {
  await db.delete(samlPending).where(eq(samlPending.id, id));
  await db.delete(samlPending).where(lt(samlPending.expiresAt, now));
}

export type SamlSessionRow = typeof samlSessions.$inferSelect;

/** Records a SAML session; sessions past their end are purged on the way (an index range). */
export async function insertSamlSession(db: Executor, row: typeof samlSessions.$inferInsert, now: Date): Promise<void> {
  await db.delete(samlSessions).where(lt(samlSessions.expiresAt, now));
  await db.insert(samlSessions).values(row);
}

export async function findSamlSessionsBySession(db: Executor, sessionId: string): Promise<SamlSessionRow[]> {
  return db.select().from(samlSessions).where(eq(samlSessions.sessionId, sessionId));
}

export async function findSamlSessionByIndex(db: Executor, sessionIndex: string): Promise<SamlSessionRow | undefined> {
  const [row] = await db.select().from(samlSessions).where(eq(samlSessions.sessionIndex, sessionIndex));
  return row;
}

export async function findSamlSessionsBySp(db: Executor, spId: string, nameId: string): Promise<SamlSessionRow[]> {
  return db
    .select()
    .from(samlSessions)
    .where(and(eq(samlSessions.spId, spId), eq(samlSessions.nameId, nameId)));
}

export async function deleteSamlSessionsBySession(db: Executor, sessionId: string, exceptId?: string): Promise<void> {
  await db
    .delete(samlSessions)
    .where(exceptId ? and(eq(samlSessions.sessionId, sessionId), ne(samlSessions.id, exceptId)) : eq(samlSessions.sessionId, sessionId));
}

export async function deleteSamlSessionById(db: Executor, id: string): Promise<void> {
  await db.delete(samlSessions).where(eq(samlSessions.id, id));
}

/**
 * After a re-authentication the employee's SAML sessions belong to the new Tessera session —
 * only if the same employee signed in again: another one's logout must not name them.
 */
export async function moveSamlSessions(db: Executor, fromSessionId: string, toSessionId: string, employeeId: string): Promise<void> {
  await db
    .update(samlSessions)
    .set({ sessionId: toSessionId })
    .where(and(eq(samlSessions.sessionId, fromSessionId), eq(samlSessions.employeeId, employeeId)));
}
