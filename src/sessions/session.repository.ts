import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { sessions } from './session.tables.js';

export type SessionRow = typeof sessions.$inferSelect;

export async function insertSession(db: Executor, row: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(row);
}

export async function findSessionById(db: Executor, id: string): Promise<SessionRow | undefined> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  return row;
}

export async function touchSession(db: Executor, id: string, at: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
}

export async function deleteSessionById(db: Executor, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

export async function deleteSessionsBySubject(db: Executor, subjectType: string, subjectId: string, exceptId?: string): Promise<number> {
  const cond = and(eq(sessions.subjectType, subjectType), eq(sessions.subjectId, subjectId), exceptId ? sql`${sessions.id} <> ${exceptId}` : undefined);
  const rows = await db.delete(sessions).where(cond).returning({ id: sessions.id });
  return rows.length;
}

export async function deleteExpiredSessions(db: Executor, now: Date): Promise<number> {
  const rows = await db
    .delete(sessions)
    .where(sql`${sessions.expiresAt} < ${now} OR ${sessions.lastSeenAt} + make_interval(secs => ${sessions.idleSeconds}) < ${now}`)
    .returning({ id: sessions.id });
  return rows.length;
}
