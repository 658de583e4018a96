import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { AppError, isUniqueViolation, notFound } from '../lib/errors.js';
import type { Sealer } from '../security/sealing.js';
import type { AuditRow } from './audit.repository.js';
import type { AuditService } from './audit.service.js';
import * as repo from './audit-forward.repository.js';
import type {
  CreateDestination,
  DestinationDto,
  ForwardFilter,
  SplunkSettings,
  SyslogSettings,
  UpdateDestination,
  WebhookSettings,
} from './audit-forward.schemas.js';
import { DeliveryError, splunkSender, syslogSender, toForwardEvent, webhookSender, type Sender } from './audit-forward.senders.js';

export type AuditForwardService = ReturnType<typeof createAuditForwardService>;

export interface DeliveryOptions {
  /** Records read (and at most sent) per request. */
  batchSize: number;
  /** Batches per run before the destination is given back (other destinations' turn, lease renewal). */
  maxBatches: number;
  leaseMs: number;
  /** Retry delay after the first failure, doubled at each further one up to maxMs (retryable errors). */
  backoffMinMs: number;
  /** The ceiling, and the delay after a permanent error (bad token, refused data) until it is fixed. */
  backoffMaxMs: number;
}

/** Most JSON one batch carries (well under common receivers' body limits, e.g. Splunk's 1 MB default). */
const MAX_BATCH_BYTES = 512 * 1024;

export const DEFAULT_DELIVERY: DeliveryOptions = { batchSize: 100, maxBatches: 50, leaseMs: 60_000, backoffMinMs: 2_000, backoffMaxMs: 5 * 60_000 };

/** What one delivery run did: records sent, and the failure that ended it (never a secret in it). */
export interface DeliveryRun {
  sent: number;
  failure?: { destination: string; kind: string; failures: number; retryInMs: number; error: string };
}

const secretAad = (id: string) => `audit_destinations.secret:${id}`;

/** Whether a record passes a destination's filter: an action listed (or under a listed prefix) and the outcome. */
export function matchesFilter(f: ForwardFilter, r: Pick<AuditRow, 'action' | 'outcome'>): boolean {
  if (f.outcome !== 'any' && r.outcome !== f.outcome) return false;
  if (f.actions.length === 0) return true;
  return f.actions.some((p) => (p.endsWith('*') ? r.action.startsWith(p.slice(0, -1)) : p.endsWith('.') ? r.action.startsWith(p) : r.action === p));
}

/**
 * Audit forwarding (issue 17): destinations (Splunk HEC, syslog, webhook), and delivery of the
 * audit log to them. The audit_events table is the outbox; a destination's cursor moves past a
 * batch only once its receiver acknowledged it, so a crash between sending and moving the cursor
 * sends the batch again (at-least-once; receivers de-duplicate on the event id).
 */
/** The settings that decide who receives the secret: where it goes and how that server is checked. */
const RECEIVER_KEYS = ['url', 'host', 'port', 'transport', 'caCertificate', 'verifyTls', 'tlsServerName'] as const;
function sameReceiver(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return RECEIVER_KEYS.every((k) => isDeepStrictEqual(a[k] ?? null, b[k] ?? null));
}

export function createAuditForwardService(deps: {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  /** Told of each failed delivery (the metrics count it); must not throw. */
  onFailure?: (destinationName: string) => void;
}) {
  const { db, audit, sealer, clock } = deps;
  let installationId: string | undefined;
  const installation = async () => {
    installationId ??= await repo.ensureInstallationId(db);
    return installationId;
  };
  const nudgeListeners = new Set<() => void>();

  const toDto = (r: repo.DestinationRow, backlog: number): DestinationDto => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    enabled: r.enabled,
    settings: r.settings,
    secret: { set: r.secret !== null },
    filter: r.filter,
    state: {
      cursor: r.cursor,
      backlog,
      lastDeliveredAt: r.lastDeliveredAt?.toISOString() ?? null,
      lastError: r.lastError,
      lastErrorAt: r.lastErrorAt?.toISOString() ?? null,
      lastErrorKind: r.lastErrorKind ?? null,
      consecutiveFailures: r.consecutiveFailures,
      nextAttemptAt: r.nextAttemptAt.toISOString(),
    },
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  });
  const withBacklog = async (r: repo.DestinationRow) => toDto(r, await audit.countAfter(r.cursor));

  async function find(id: string): Promise<repo.DestinationRow> {
    const row = await repo.findDestinationById(db, id);
    if (!row) throw notFound('audit_forward.not_found', 'The audit destination');
    return row;
  }

  async function senderFor(r: repo.DestinationRow): Promise<Sender> {
    const openSecret = () => {
      if (!r.secret) throw new DeliveryError('no secret is saved for this destination', false);
      try {
        return sealer.open(r.secret, secretAad(r.id));
      } catch (err) {
        throw new DeliveryError(`the saved secret cannot be opened (${(err as Error).message}): save it again`, false);
      }
    };
    if (r.kind === 'splunk') return splunkSender(r.settings as SplunkSettings, openSecret());
    if (r.kind === 'webhook') return webhookSender(r.settings as WebhookSettings, openSecret(), () => clock.now(), await installation());
    return syslogSender(r.settings as SyslogSettings);
  }

  const nameInUse = (err: unknown, name: string) =>
    isUniqueViolation(err) ? new AppError('audit_forward.name_in_use', `An audit destination named "${name}" already exists`, { field: 'name' }) : err;

  async function create(ctx: RequestContext, input: CreateDestination): Promise<DestinationDto> {
    const id = crypto.randomUUID();
    const secret = 'secret' in input ? sealer.seal(input.secret, secretAad(id)) : null;
    const cursor = input.replayHistory ? 0 : await audit.lastId();
    const row = await db
      .transaction(async (tx) => {
        const inserted = await repo.insertDestination(tx, {
          id,
          name: input.name,
          kind: input.kind,
          enabled: input.enabled,
          settings: input.settings,
          secret,
          filter: input.filter,
          cursor,
          nextAttemptAt: clock.now(),
        });
        await audit.record(
          ctx,
          {
            action: 'audit.destination_created',
            target: { type: 'audit_destination', id, label: input.name },
            details: { kind: input.kind, enabled: input.enabled, filter: input.filter, replayHistory: input.replayHistory, settings: input.settings },
          },
          tx,
        );
        return inserted;
      })
      .catch((err) => {
        throw nameInUse(err, input.name);
      });
    nudge();
    return withBacklog(row);
  }

  async function update(ctx: RequestContext, id: string, input: UpdateDestination): Promise<DestinationDto> {
    const current = await find(id);
    if (input.kind !== current.kind)
      throw new AppError('audit_forward.kind_mismatch', `This destination is a ${current.kind} destination; to send elsewhere, create another one`, {
        field: 'kind',
      });
    const set: Partial<repo.NewDestinationRow> = {};
    const changed: string[] = [];
    const change = <K extends keyof repo.NewDestinationRow>(field: K, value: repo.NewDestinationRow[K]) => {
      set[field] = value;
      changed.push(field);
    };
    if (input.name !== undefined && input.name !== current.name) change('name', input.name);
    if (input.enabled !== undefined && input.enabled !== current.enabled) change('enabled', input.enabled);
    if (input.filter && !isDeepStrictEqual(input.filter, current.filter)) change('filter', input.filter);
    if (input.settings && !isDeepStrictEqual(input.settings, current.settings)) change('settings', input.settings);
    if ('secret' in input && input.secret !== undefined) change('secret', sealer.seal(input.secret, secretAad(id)));
    else if (current.secret && set.settings && !sameReceiver(current.settings, set.settings))
      // The saved token or signing key goes only where it was saved for: one PATCH that moves
      // the URL or the TLS checks must not make the next delivery (or Test) hand it to another server.
      throw new AppError('audit_forward.secret_required', 'This destination would now send elsewhere or check TLS differently: enter its secret again', {
        field: 'secret',
      });
    if (changed.length === 0) return withBacklog(current);
    // A changed destination is tried again at once: the change may be the fix of its last error.
    set.nextAttemptAt = clock.now();
    const row = await db
      .transaction(async (tx) => {
        const updated = await repo.updateDestinationById(tx, id, set);
        if (!updated) throw notFound('audit_forward.not_found', 'The audit destination');
        await audit.record(
          ctx,
          {
            action: 'audit.destination_updated',
            target: { type: 'audit_destination', id, label: updated.name },
            details: { changed, ...(set.settings ? { settings: set.settings } : {}), ...(set.filter ? { filter: set.filter } : {}), enabled: updated.enabled },
          },
          tx,
        );
        return updated;
      })
      .catch((err) => {
        throw nameInUse(err, input.name ?? current.name);
      });
    nudge();
    return withBacklog(row);
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await repo.findDestinationById(tx, id);
      if (!current || !(await repo.deleteDestinationById(tx, id))) throw notFound('audit_forward.not_found', 'The audit destination');
      await audit.record(
        ctx,
        {
          action: 'audit.destination_deleted',
          target: { type: 'audit_destination', id, label: current.name },
          details: { kind: current.kind, cursor: current.cursor },
        },
        tx,
      );
    });
  }

  /** Sends one test event (not an audit record; the cursor stays) and answers what the receiver said. */
  async function test(ctx: RequestContext, id: string): Promise<{ ok: boolean; message: string }> {
    const r = await find(id);
    const inst = await installation();
    const now = clock.now();
    const event = {
      ...toForwardEvent(inst, {
        id: 0,
        at: now,
        actorType: ctx.actor.type,
        actorId: ctx.actor.id,
        actorLabel: ctx.actor.label,
        action: 'audit.destination_tested',
        targetType: 'audit_destination',
        targetId: r.id,
        targetLabel: r.name,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        outcome: 'success',
        details: { test: true },
        prevHash: '',
        hash: '',
      }),
      eventId: `${inst}:test:${crypto.randomUUID()}`,
    };
    let answer: { ok: boolean; message: string };
    try {
      answer = { ok: true, message: await (await senderFor(r)).send([event]) };
    } catch (err) {
      answer = { ok: false, message: err instanceof DeliveryError ? err.message : `the test failed: ${(err as Error).message}` };
    }
    await audit.record(ctx, {
      action: 'audit.destination_tested',
      outcome: answer.ok ? 'success' : 'failure',
      target: { type: 'audit_destination', id: r.id, label: r.name },
      details: { kind: r.kind, answer: answer.message },
    });
    return answer;
  }

  /**
   * Delivers what is due for one destination while `holder` holds its lease: batches of records
   * after the cursor, in id order; those the filter passes go to the receiver, and the cursor moves
   * to the batch's last id once the receiver acknowledged (a batch the filter empties only moves
   * the cursor). The first failure ends the run and sets the next attempt with backoff.
   */
  async function deliver(id: string, holder: string, o: DeliveryOptions = DEFAULT_DELIVERY): Promise<DeliveryRun> {
    let sent = 0;
    try {
      for (let i = 0; i < o.maxBatches; i++) {
        const now = clock.now();
        const d = await repo.acquireDestinationLease(db, id, holder, now, o.leaseMs);
        if (!d?.enabled || d.nextAttemptAt.getTime() > now.getTime()) break;
        const rows = await audit.toForward(d.cursor, o.batchSize);
        if (rows.length === 0) break;
        // The records the filter passes, up to MAX_BATCH_BYTES of JSON (at least one): a receiver's
        // body limit must not refuse a batch again and again. The cursor moves to the last record
        // this batch covered (those the filter passed over included); the rest goes next.
        const inst = await installation();
        const events: ReturnType<typeof toForwardEvent>[] = [];
        let bytes = 0;
        let lastId = rows[rows.length - 1].id;
        let isCut = false;
        for (const [k, r] of rows.entries()) {
          if (!matchesFilter(d.filter, r)) continue;
          const event = toForwardEvent(inst, r);
          const size = Buffer.byteLength(JSON.stringify(event));
          if (events.length > 0 && bytes + size > MAX_BATCH_BYTES) {
            lastId = rows[k - 1].id;
            isCut = true;
            break;
          }
          events.push(event);
          bytes += size;
        }
        const matching = events;
        try {
          if (matching.length > 0) await (await senderFor(d)).send(matching);
        } catch (err) {
          const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error)?.message ?? String(err), true);
          const failures = d.consecutiveFailures + 1;
          const delay = e.retryable ? Math.min(o.backoffMaxMs, o.backoffMinMs * 2 ** Math.min(failures - 1, 30)) : o.backoffMaxMs;
          await repo.recordDeliveryByHolder(db, id, holder, {
            lastError: e.message.slice(0, 1000),
            lastErrorAt: now,
            lastErrorKind: e.retryable ? 'retryable' : 'permanent',
            consecutiveFailures: failures,
            nextAttemptAt: new Date(clock.now().getTime() + delay),
          });
          deps.onFailure?.(d.name);
          return { sent, failure: { destination: d.name, kind: d.kind, failures, retryInMs: delay, error: e.message } };
        }
        const moved = await repo.recordDeliveryByHolder(db, id, holder, {
          cursor: lastId,
          consecutiveFailures: 0,
          ...(matching.length > 0 ? { lastDeliveredAt: clock.now() } : {}),
        });
        if (!moved) break;
        sent += matching.length;
        if (rows.length < o.batchSize && !isCut) break;
      }
    } finally {
      await repo.releaseDestinationLease(db, id, holder);
    }
    return { sent };
  }

  /**
   * A destination of the declarative file, matched by name: created when missing, changed where
   * it differs (the secret compared after opening), else left alone.
   */
  async function ensureDeclared(ctx: RequestContext, input: CreateDestination): Promise<'created' | 'updated' | 'unchanged'> {
    const current = await repo.findDestinationByName(db, input.name);
    if (!current) {
      await create(ctx, input);
      return 'created';
    }
    if (current.kind !== input.kind)
      throw new AppError('audit_forward.kind_mismatch', `destination ${input.name} is a ${current.kind} destination, not ${input.kind}; delete it first`);
    let savedSecret: string | null = null;
    try {
      savedSecret = current.secret ? sealer.open(current.secret, secretAad(current.id)) : null;
    } catch {
      /* unreadable: written again below */
    }
    const secret = 'secret' in input && input.secret !== savedSecret ? input.secret : undefined;
    const same =
      current.enabled === input.enabled &&
      isDeepStrictEqual(current.filter, input.filter) &&
      isDeepStrictEqual(current.settings, input.settings) &&
      secret === undefined;
    if (same) return 'unchanged';
    const { replayHistory: _r, ...patch } = input;
    await update(ctx, current.id, { ...patch, ...(secret !== undefined ? { secret } : {}) } as UpdateDestination);
    return 'updated';
  }

  function nudge(): void {
    for (const listener of nudgeListeners) listener();
  }

  return {
    list: async () => Promise.all((await repo.findDestinations(db)).map(withBacklog)),
    get: async (id: string) => withBacklog(await find(id)),
    create,
    update,
    remove,
    test,
    deliver,
    /** Ids of the enabled destinations whose next attempt is due. */
    dueIds: async () => {
      const now = clock.now().getTime();
      return (await repo.findDestinations(db)).filter((d) => d.enabled && d.nextAttemptAt.getTime() <= now).map((d) => d.id);
    },
    /** Records after each destination's cursor, by destination name (the backlog metric). */
    backlogs: async (): Promise<Record<string, number>> => {
      const rows = await repo.findDestinations(db);
      return Object.fromEntries(await Promise.all(rows.map(async (r) => [r.name, await audit.countAfter(r.cursor)] as const)));
    },
    installationId: installation,
    /** New records were written: the forwarder delivers soon instead of at its next tick. */
    nudge,
    onNudge(listener: () => void): () => void {
      nudgeListeners.add(listener);
      return () => nudgeListeners.delete(listener);
    },
    ensureDeclared,
  };
}
