import { and, asc, desc, eq, gt, gte, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { containsPattern } from '../db/sql.js';
import { auditEvents } from './audit.tables.js';
import { systemState } from '../db/system-state.tables.js';

export type AuditRow = typeof auditEvents.$inferSelect;
export type NewAuditRow = typeof auditEvents.$inferInsert;

export interface AuditFilter {
  action?: string;
  actor?: string;
  outcome?: 'success' | 'failure';
  targetId?: string;
  from?: Date;
  to?: Date;
  q?: string;
}

/** Serialises appends to the chain across every node sharing the database. */
const AUDIT_LOCK_ID = 7_415_263_902;
const HEAD_KEY = 'audit.head';

function where(f: AuditFilter): SQL | undefined {
  const parts: (SQL | undefined)[] = [
    f.action ? eq(auditEvents.action, f.action) : undefined,
    f.outcome ? eq(auditEvents.outcome, f.outcome) : undefined,
    f.targetId ? eq(auditEvents.targetId, f.targetId) : undefined,
    f.from ? gte(auditEvents.at, f.from) : undefined,
    f.to ? lt(auditEvents.at, f.to) : undefined,
    f.actor ? or(ilike(auditEvents.actorLabel, containsPattern(f.actor)), eq(auditEvents.actorId, f.actor)) : undefined,
    f.q
      ? or(
          ilike(auditEvents.action, containsPattern(f.q)),
          ilike(auditEvents.actorLabel, containsPattern(f.q)),
          ilike(auditEvents.targetLabel, containsPattern(f.q)),
          ilike(auditEvents.ip, containsPattern(f.q)),
        )
      : undefined,
  ];
  return and(...parts.filter(Boolean));
}

export async function lockAuditChain(tx: Executor): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_ID})`);
}

export async function findLastAuditHash(tx: Executor): Promise<string | undefined> {
  const [row] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
  return row?.hash;
}

export async function insertAuditEvent(tx: Executor, row: NewAuditRow): Promise<AuditRow> {
  const [inserted] = await tx.insert(auditEvents).values(row).returning();
  // The head is kept apart from the records, so that removing the newest records is detected too.
  await tx
    .insert(systemState)
    .values({ key: HEAD_KEY, value: { id: inserted.id, hash: inserted.hash } })
    .onConflictDoUpdate({ target: systemState.key, set: { value: { id: inserted.id, hash: inserted.hash }, updatedAt: sql`now()` } });
  return inserted;
}

/** Rows per multi-row INSERT of a bulk append (15 parameters a row, far below PostgreSQL's 65,535). */
const BULK_ROWS = 1000;

/**
 * Appends already-chained rows in order, in multi-row INSERTs of up to 1,000, then moves the head
 * once. The caller holds the chain's lock and computed each row's hash from the one before. Checks
 * that the ids the database gave follow the rows' order (the chain is verified in id order): if
 * they did not, it throws, and the caller's transaction writes nothing.
 */
export async function insertAuditEvents(tx: Executor, rows: NewAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  let last: { id: number; hash: string } | undefined;
  for (let i = 0; i < rows.length; i += BULK_ROWS) {
    const batch = rows.slice(i, i + BULK_ROWS);
    const inserted = await tx.insert(auditEvents).values(batch).returning({ id: auditEvents.id, hash: auditEvents.hash });
    const byId = [...inserted].sort((a, b) => a.id - b.id);
    const inOrder = byId.length === batch.length && byId.every((r, k) => r.hash === batch[k].hash) && (!last || byId[0].id > last.id);
    if (!inOrder) throw new Error('audit records were not numbered in the order they were chained');
    last = byId[byId.length - 1];
  }
  await tx
    .insert(systemState)
    .values({ key: HEAD_KEY, value: last })
    .onConflictDoUpdate({ target: systemState.key, set: { value: last, updatedAt: sql`now()` } });
}

export async function findAuditHead(db: Executor): Promise<{ id: number; hash: string } | undefined> {
  const [row] = await db.select().from(systemState).where(eq(systemState.key, HEAD_KEY));
  return row?.value as { id: number; hash: string } | undefined;
}

export async function findAuditEvents(db: Executor, f: AuditFilter, page: { offset: number; limit: number }): Promise<{ items: AuditRow[]; total: number }> {
  const w = where(f);
  const [items, [{ count }]] = await Promise.all([
    db.select().from(auditEvents).where(w).orderBy(desc(auditEvents.id)).offset(page.offset).limit(page.limit),
    db.select({ count: sql<number>`count(*)::int` }).from(auditEvents).where(w),
  ]);
  return { items, total: count };
}

/** Records after `afterId`, oldest first: used by the chain check and the CSV export. */
export async function findAuditEventsAfter(db: Executor, afterId: number, limit: number, f: AuditFilter = {}): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(gt(auditEvents.id, afterId), where(f)))
    .orderBy(asc(auditEvents.id))
    .limit(limit);
}

export async function countAuditEvents(db: Executor, f: AuditFilter): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(auditEvents).where(where(f));
  return count;
}

export async function findDistinctAuditActions(db: Executor): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action);
  return rows.map((r) => r.action);
}
