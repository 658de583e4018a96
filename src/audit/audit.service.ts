import type { Db, Executor } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { AuditEntry } from './audit.actions.js';

export type { AuditEntry } from './audit.actions.js';
import { createFailureAggregator, type AnonymousFailure } from './anonymous-failures.js';
import { chainBody, chainHash, GENESIS_HASH, storedFields } from './audit-chain.js';
import * as repo from './audit.repository.js';

export type AuditService = ReturnType<typeof createAuditService>;

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The first record whose hash does not follow from the chain, with the reason. */
  brokenAt?: { id: number; reason: string };
}

/** A record's fields exactly as the row will hold them (storedFields), so verifyChain agrees on both engines. */
function recordFields(ctx: RequestContext, entry: AuditEntry, at: Date) {
  return storedFields({
    at,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorLabel: ctx.actor.label,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    targetLabel: entry.target?.label ?? null,
    ip: ctx.ip,
    userAgent: ctx.userAgent ?? null,
    outcome: entry.outcome ?? 'success',
    details: entry.details ?? {},
  });
}

export function createAuditService(deps: {
  db: Db;
  clock: Clock;
  anonymousFailures?: { maxKeys?: number; onError?: (err: unknown) => void };
  /** Told of each record once it is written (the metrics count from it); must not throw. */
  onRecorded?: (entry: AuditEntry) => void;
}) {
  const { db, clock } = deps;

  /**
   * Appends one record to the chain: one statement (repo.appendAuditEvent), so one round trip
   * without `tx`. Pass `tx` to make the record part of the change it describes: both are
   * written, or neither; the chain's head stays locked until that transaction ends, so keep
   * the record near its end.
   */
  async function record(ctx: RequestContext, entry: AuditEntry, tx?: Executor): Promise<void> {
    const fields = recordFields(ctx, entry, clock.now());
    const body = chainBody(fields);
    const t = tx ?? db;
    if (!(await repo.appendAuditEvent(t, fields, body))) {
      // No head row: put it back from the newest record, then append (each statement stands alone).
      await repo.seedAuditHead(t, GENESIS_HASH);
      if (!(await repo.appendAuditEvent(t, fields, body))) throw new Error('the audit chain head could not be created');
    }
    deps.onRecorded?.(entry);
  }

  /**
   * Appends many records to the chain in a few statements (a directory sync's run): the chain head
   * locked and read once, every hash computed in order in memory, then multi-row INSERTs of
   * 1,000 and one head update. The chain is the same as `record` called once per entry, in order,
   * and `verifyChain` checks it the same way. Pass `tx` to make them part of the change they describe.
   */
  async function recordMany(ctx: RequestContext, entries: readonly AuditEntry[], tx?: Executor): Promise<void> {
    if (entries.length === 0) return;
    const write = async (t: Executor) => {
      let head = await repo.lockAuditHead(t);
      if (!head) {
        await repo.seedAuditHead(t, GENESIS_HASH);
        head = await repo.lockAuditHead(t);
        if (!head) throw new Error('the audit chain head could not be created');
      }
      let { id, hash: prevHash } = head;
      const at = clock.now();
      const rows = entries.map((entry) => {
        const fields = recordFields(ctx, entry, at);
        const hash = chainHash(prevHash, fields);
        const row = { ...fields, id: ++id, prevHash, hash };
        prevHash = hash;
        return row;
      });
      await repo.insertAuditEvents(t, rows);
    };
    if (tx) await write(tx);
    else await db.transaction(write);
    for (const entry of entries) deps.onRecorded?.(entry);
  }

  const anonymous = createFailureAggregator({ clock, write: (ctx, entry) => record(ctx, entry), ...deps.anonymousFailures });

  /** Walks the whole chain in id order and recomputes every hash. */
  async function verifyChain(): Promise<ChainCheck> {
    let prevHash = GENESIS_HASH;
    let lastId = 0;
    let checked = 0;
    for (;;) {
      const batch = await repo.findAuditEventsAfter(db, lastId, 2000);
      if (batch.length === 0) break;
      for (const row of batch) {
        if (row.prevHash !== prevHash) return { ok: false, checked, brokenAt: { id: row.id, reason: 'the previous record was changed or removed' } };
        const expected = chainHash(prevHash, { ...row, details: row.details ?? {} });
        if (expected !== row.hash) return { ok: false, checked, brokenAt: { id: row.id, reason: 'this record was changed' } };
        prevHash = row.hash;
        lastId = row.id;
        checked++;
      }
    }
    const head = await repo.findAuditHead(db);
    if (head && (head.id !== lastId || head.hash !== prevHash)) {
      return {
        ok: false,
        checked,
        brokenAt: { id: head.id, reason: `records up to id ${head.id} were written, but the chain ends at id ${lastId}: records were removed` },
      };
    }
    if (!head && checked > 0) return { ok: false, checked, brokenAt: { id: lastId, reason: 'the chain head is missing' } };
    return { ok: true, checked };
  }

  return {
    record,
    recordMany,
    /**
     * A failure that a stranger can cause at request speed (bad API key, bad client secret,
     * garbage protocol message): counted per source IP, action and minute, and written as one
     * summary record when the minute closes (src/audit/anonymous-failures.ts). Never throws and
     * never waits for the database.
     */
    recordAnonymousFailure: (ctx: RequestContext, failure: AnonymousFailure): void => anonymous.add(ctx, failure),
    /** Writes the anonymous-failure summaries counted so far, the current minute's too. */
    flush: () => anonymous.flush(),
    /** Stops the summary timer and writes what is left (the app's onClose). */
    close: () => anonymous.close(),
    verifyChain,
    find: (f: repo.AuditFilter, page: { offset: number; limit: number }) => repo.findAuditEvents(db, f, page),
    findAfter: (afterId: number, limit: number, f: repo.AuditFilter) => repo.findAuditEventsAfter(db, afterId, limit, f),
    count: (f: repo.AuditFilter) => repo.countAuditEvents(db, f),
    actions: () => repo.findDistinctAuditActions(db),
    /** Forwarding (src/audit/audit-forward.service.ts): the records after a destination's cursor, in id order. */
    toForward: (afterId: number, limit: number) => repo.findAuditEventsToForward(db, afterId, limit),
    countAfter: (afterId: number) => repo.countAuditEventsAfter(db, afterId),
    lastId: () => repo.findLastAuditId(db),
  };
}
