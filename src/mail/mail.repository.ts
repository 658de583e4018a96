import { and, count, desc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { chunked } from '../db/bulk.js';
import type { Executor } from '../db/connection.js';
import { mailOutbox, mailSendAttempts } from './mail.tables.js';

export type MailRow = typeof mailOutbox.$inferSelect;
export type MailStatus = 'pending' | 'sent' | 'failed';

export async function insertMail(db: Executor, row: typeof mailOutbox.$inferInsert): Promise<void> {
  await db.insert(mailOutbox).values(row);
}

/** Many mails in multi-row INSERTs of 1,000. */
export async function insertMails(db: Executor, rows: readonly (typeof mailOutbox.$inferInsert)[]): Promise<void> {
  for (const batch of chunked(rows)) await db.insert(mailOutbox).values(batch);
}

export async function findMailById(db: Executor, id: string): Promise<MailRow | undefined> {
  const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
  return row;
}

export async function findMails(
  db: Executor,
  filter: { status?: MailStatus },
  page: { offset: number; limit: number },
): Promise<{ items: MailRow[]; total: number }> {
  const where = filter.status ? eq(mailOutbox.status, filter.status) : undefined;
  const items = await db.select().from(mailOutbox).where(where).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).offset(page.offset).limit(page.limit);
  const [{ total }] = await db.select({ total: count() }).from(mailOutbox).where(where);
  return { items, total: Number(total) };
}

/** The newest mail of each related record (an invitation's mail, say). */
export async function findLatestMailsByRelatedIds(db: Executor, relatedIds: string[]): Promise<MailRow[]> {
  if (relatedIds.length === 0) return [];
  return db
    .selectDistinctOn([mailOutbox.relatedId])
    .from(mailOutbox)
    .where(inArray(mailOutbox.relatedId, relatedIds))
    .orderBy(mailOutbox.relatedId, desc(mailOutbox.createdAt), desc(mailOutbox.id));
}

/**
 * Claims up to `limit` due mails for this node: each gets one more attempt and is leased until
 * `leaseUntil`, so another node (or this one's next tick) leaves it alone while it is being sent.
 * SKIP LOCKED lets nodes claim side by side without waiting on each other; a node that dies
 * mid-send leaves the mail due again when its lease ends, so nothing is lost.
 */
export async function claimDueMails(db: Executor, now: Date, leaseUntil: Date, limit: number): Promise<MailRow[]> {
  const due = db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)))
    .orderBy(mailOutbox.nextAttemptAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(mailOutbox)
    .set({ attempts: sql`${mailOutbox.attempts} + 1`, nextAttemptAt: leaseUntil })
    .where(inArray(mailOutbox.id, due))
    .returning();
}

/** Records why due mails wait (SMTP not configured) without spending one of their attempts. */
export async function markDueMailsWaiting(db: Executor, now: Date, reason: string): Promise<number> {
  const rows = await db
    .update(mailOutbox)
    .set({ lastError: reason })
    .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now), sql`${mailOutbox.lastError} IS DISTINCT FROM ${reason}`))
    .returning({ id: mailOutbox.id });
  return rows.length;
}

export async function updateMailById(db: Executor, id: string, patch: Partial<typeof mailOutbox.$inferInsert>): Promise<MailRow | undefined> {
  const [row] = await db.update(mailOutbox).set(patch).where(eq(mailOutbox.id, id)).returning();
  return row;
}

/** How many mails the outbox holds in each state (the metrics' outbox depth). */
export async function countMailsPerStatus(db: Executor): Promise<Record<string, number>> {
  const rows = await db.select({ status: mailOutbox.status, n: count() }).from(mailOutbox).groupBy(mailOutbox.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export type SendAttemptRow = typeof mailSendAttempts.$inferSelect;

/** Records one attempt's outcome, and drops those older than `pruneBefore`. */
export async function insertSendAttempt(db: Executor, row: typeof mailSendAttempts.$inferInsert, pruneBefore: Date): Promise<void> {
  await db.insert(mailSendAttempts).values(row);
  await db.delete(mailSendAttempts).where(lt(mailSendAttempts.at, pruneBefore));
}

/** The latest attempt, or the latest with this outcome. */
export async function findLastSendAttempt(db: Executor, outcome?: 'sent' | 'failed'): Promise<SendAttemptRow | undefined> {
  const [row] = await db
    .select()
    .from(mailSendAttempts)
    .where(outcome ? eq(mailSendAttempts.outcome, outcome) : undefined)
    .orderBy(desc(mailSendAttempts.at))
    .limit(1);
  return row;
}

export async function countFailedSendAttemptsSince(db: Executor, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(mailSendAttempts)
    .where(and(eq(mailSendAttempts.outcome, 'failed'), gte(mailSendAttempts.at, since)));
  return Number(row?.n ?? 0);
}

export async function countMailsByStatus(db: Executor, status: MailStatus): Promise<number> {
  const [row] = await db.select({ n: count() }).from(mailOutbox).where(eq(mailOutbox.status, status));
  return Number(row?.n ?? 0);
}
