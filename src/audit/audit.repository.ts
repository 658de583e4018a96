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

/** The row in system_state that holds the chain's newest record: `{ id, prev, hash }`. */
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

/** What the append statement stores besides the chain: the fields exactly as hashed (storedFields). */
export type AuditFields = Omit<NewAuditRow, 'id' | 'prevHash' | 'hash'> & { at: Date; details: Record<string, unknown> };

/**
 * Appends one record to the chain in ONE statement, `body` being the canonical JSON of `fields`
 * (chainBody). The head row in system_state is the chain's lock: the UPDATE takes its row lock,
 * which is held until the surrounding transaction ends, and computes from the head it locked
 * the new id, prev = the head's hash and hash = sha256(prev || "\n" || body), which
 * is chainHash. When another transaction changed the head first, READ COMMITTED makes the UPDATE
 * wait for it and then re-evaluate SET on the newest head row version (not on the statement's
 * snapshot), so two appends never chain onto the same record. (A lock taken and a last record
 * read within one statement would be wrong: the statement's snapshot is taken before the lock
 * is granted and would miss what the previous holder committed.)
 *
 * The id is the head's id + 1, computed on the locked head too: ids have no gaps (a rolled-back
 * append rolls the head back with it), and a record's id is greater than every record committed
 * before it, so records commit in id order: a reader that follows the chain by id (verify, the
 * CSV export, audit forwarding) never sees a lower id appear later. The column's identity default
 * is not used, so every append must go through this statement.
 *
 * Returns undefined when there is no head row (removed by hand): see seedAuditHead.
 */
export async function appendAuditEvent(tx: Executor, fields: AuditFields, body: string): Promise<{ id: number; hash: string } | undefined> {
  const result = await tx.execute(sql`
    WITH head AS (
      UPDATE system_state
         SET value = jsonb_build_object(
               'id', (value->>'id')::bigint + 1,
               'prev', value->>'hash',
               'hash', encode(sha256(convert_to((value->>'hash') || E'\n' || ${body}::text, 'UTF8')), 'hex')),
             updated_at = now()
       WHERE key = ${HEAD_KEY}
      RETURNING (value->>'id')::bigint AS id, value->>'prev' AS prev_hash, value->>'hash' AS hash
    )
    INSERT INTO audit_events (id, at, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, ip, user_agent, outcome, details, prev_hash, hash)
    OVERRIDING SYSTEM VALUE
    SELECT head.id, ${fields.at.toISOString()}::timestamptz, ${fields.actorType}::text, ${fields.actorId ?? null}::text, ${fields.actorLabel ?? null}::text,
           ${fields.action}::text, ${fields.targetType ?? null}::text, ${fields.targetId ?? null}::text, ${fields.targetLabel ?? null}::text,
           ${fields.ip ?? null}::text, ${fields.userAgent ?? null}::text, ${fields.outcome}::text, ${JSON.stringify(fields.details)}::jsonb,
           head.prev_hash, head.hash
      FROM head
    RETURNING id, hash`);
  const [row] = (result as unknown as { rows: { id: number | string; hash: string }[] }).rows;
  return row ? { id: Number(row.id), hash: row.hash } : undefined;
}

/**
 * Puts the head row back when it is missing (migration 0022 creates it; only a hand-made change
 * removes it): it then points at the newest record, or at the genesis hash when there is none,
 * as the chain did before the head was kept. An existing head is never overwritten.
 */
export async function seedAuditHead(tx: Executor, genesisHash: string): Promise<void> {
  await tx.execute(sql`
    INSERT INTO system_state (key, value)
    SELECT ${HEAD_KEY}, COALESCE(
      (SELECT jsonb_build_object('id', id, 'hash', hash) FROM audit_events ORDER BY id DESC LIMIT 1),
      jsonb_build_object('id', 0, 'hash', ${genesisHash}::text))
    ON CONFLICT (key) DO NOTHING`);
}

/** Rows per multi-row INSERT of a bulk append (15 parameters a row, far below PostgreSQL's 65,535). */
const BULK_ROWS = 1000;

/**
 * Locks the chain head for a bulk append and returns it, or undefined when the head row is
 * missing (see seedAuditHead). The row lock is the same one appendAuditEvent takes, held until
 * the transaction ends; SELECT ... FOR UPDATE waits for a transaction that changed the head and
 * then returns the head it committed (READ COMMITTED re-reads the locked row, not the
 * statement's snapshot), so the records chained onto it follow every record committed before.
 */
export async function lockAuditHead(tx: Executor): Promise<{ id: number; hash: string } | undefined> {
  const result = await tx.execute(sql`SELECT value FROM system_state WHERE key = ${HEAD_KEY} FOR UPDATE`);
  const [row] = (result as unknown as { rows: { value: { id: number | string; hash: string } }[] }).rows;
  return row ? { id: Number(row.value.id), hash: row.value.hash } : undefined;
}

/**
 * Appends rows already chained onto the head that lockAuditHead returned (ids head.id + 1, + 2,
 * ...; each hash from the one before), in multi-row INSERTs of up to 1,000, then moves the head
 * once. Ids are given, as appendAuditEvent gives them, so they stay gapless and in chain order.
 */
export async function insertAuditEvents(tx: Executor, rows: (NewAuditRow & { id: number })[]): Promise<void> {
  if (rows.length === 0) return;
  for (let i = 0; i < rows.length; i += BULK_ROWS) {
    await tx
      .insert(auditEvents)
      .overridingSystemValue()
      .values(rows.slice(i, i + BULK_ROWS));
  }
  const last = rows[rows.length - 1];
  await tx
    .update(systemState)
    .set({ value: { id: last.id, prev: last.prevHash, hash: last.hash }, updatedAt: sql`now()` })
    .where(eq(systemState.key, HEAD_KEY));
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

/**
 * The records a forwarding destination has not had yet: id > `afterId`, in id order. The one read
 * of the outbox (src/audit/audit-forward.service.ts); a destination's cursor moves only past what
 * this returned.
 *
 * Ordering assumption: appends are serialised cluster-wide. Each append locks the chain head row
 * (appendAuditEvent's UPDATE, or lockAuditHead's FOR UPDATE for a bulk append), takes its ids from
 * that head and holds the lock until its transaction commits, so ids become visible in id order: when a reader sees id N, every id below N has committed or will
 * never exist. Were appends ever to run concurrently, a record with a lower id could commit after
 * a higher one had been forwarded and the cursor had passed it; it would then never be forwarded.
 * Any change to how records are appended must keep this property.
 */
export async function findAuditEventsToForward(db: Executor, afterId: number, limit: number): Promise<AuditRow[]> {
  return db.select().from(auditEvents).where(gt(auditEvents.id, afterId)).orderBy(asc(auditEvents.id)).limit(limit);
}

/** How many records come after `afterId` (a forwarding destination's backlog). */
export async function countAuditEventsAfter(db: Executor, afterId: number): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(auditEvents).where(gt(auditEvents.id, afterId));
  return count;
}

/** The newest record's id (0 for an empty log). */
export async function findLastAuditId(db: Executor): Promise<number> {
  const [row] = await db.select({ id: auditEvents.id }).from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
  return row?.id ?? 0;
}
