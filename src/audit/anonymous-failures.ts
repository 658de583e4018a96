import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { addressKey } from '../security/client-address.js';
import type { AuditAction } from './audit.actions.js';
import { canonicalJson } from './audit-chain.js';
import type { AuditEntry } from './audit.actions.js';

/**
 * Failures that anyone can cause at request speed (a made-up API key, a forged client secret, a
 * garbage SAML request) are counted, not chained one by one: one audit record per source IP,
 * action and minute says how many there were, from when to when, with a few distinct examples.
 * An unauthenticated client then grows the audit log by at most one record a minute per action,
 * however fast it sends. Sign-in attempts on an account are not counted here: they stay one
 * record each (admin-auth.service.ts, employee-auth.service.ts).
 *
 * A source is a client as src/security/client-address.ts says: an IPv4 address, or an IPv6 /64
 * (counted address by address, one /64 would be 2^64 sources, each with its own record a minute,
 * and enough of them to fill the cap below and hide everyone else among "other sources"). The
 * summary names the first address seen and, when others of its /64 came too, the network.
 *
 * Memory is bounded: at most `maxKeys` (source, action) pairs a minute are counted apart; the
 * rest fold into one summary per action for "other sources" (ip null, otherSources true).
 * Each node counts its own requests and writes its own summaries.
 */
export interface AnonymousFailure {
  action: AuditAction;
  /** What the failure was about (route, client id, error code); never a secret. */
  details?: Record<string, unknown>;
  /** Default 'failure'; 'success' for an anonymous no-op that is still worth counting (a sign-out without a session). */
  outcome?: 'success' | 'failure';
}

interface Bucket {
  minute: number;
  ip: string | null;
  /** The source's key (the IPv6 /64) once another address of it was counted in this bucket. */
  network?: string;
  userAgent: string | null;
  action: AuditAction;
  outcome: 'success' | 'failure';
  count: number;
  firstAt: Date;
  lastAt: Date;
  samples: Map<string, Record<string, unknown>>;
  hasMoreSamples: boolean;
  isOverflow: boolean;
}

export interface AggregatorOptions {
  clock: Clock;
  /** Writes one summary record (the audit chain's `record`). */
  write: (ctx: RequestContext, entry: AuditEntry) => Promise<void>;
  /** Distinct (source, action) pairs counted apart per minute; default 1000. */
  maxKeys?: number;
  /** Distinct `details` kept as examples per summary; default 5. */
  maxSamples?: number;
  /** Called when writing summaries failed (they are kept and tried again at the next minute). */
  onError?: (err: unknown) => void;
}

const MINUTE = 60_000;
const sourceOf = (ip: string | null) => (ip === null ? '' : addressKey(ip));
const keyOf = (minute: number, action: string, outcome: string, ip: string | null, isOverflow: boolean) =>
  `${minute}\u0001${action}\u0001${outcome}\u0001${isOverflow ? '\u0002other' : sourceOf(ip)}`;
/** An example longer than this (as JSON) is not kept: a summary stays small. */
const MAX_SAMPLE_CHARS = 1000;

export function createFailureAggregator(opts: AggregatorOptions) {
  const { clock, write } = opts;
  const maxKeys = opts.maxKeys ?? 1000;
  const maxSamples = opts.maxSamples ?? 5;
  const buckets = new Map<string, Bucket>();
  let distinct = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let isClosed = false;
  let openMinute = 0;

  function add(ctx: RequestContext, failure: AnonymousFailure): void {
    const now = clock.now();
    const minute = Math.floor(now.getTime() / MINUTE);
    const ip = ctx.ip ?? null;
    // The first failure of a new minute writes the closed ones (the timer may not have run yet).
    if (minute > openMinute) {
      openMinute = minute;
      if (buckets.size) flushClosed().catch((err) => opts.onError?.(err));
    }
    const outcome = failure.outcome ?? 'failure';
    let key = keyOf(minute, failure.action, outcome, ip, false);
    let bucket = buckets.get(key);
    if (!bucket) {
      const isOverflow = distinct >= maxKeys;
      if (isOverflow) {
        key = keyOf(minute, failure.action, outcome, null, true);
        bucket = buckets.get(key);
      }
      if (!bucket) {
        bucket = {
          minute,
          ip: isOverflow ? null : ip,
          userAgent: isOverflow ? null : ctx.userAgent,
          action: failure.action,
          outcome,
          count: 0,
          firstAt: now,
          lastAt: now,
          samples: new Map(),
          hasMoreSamples: false,
          isOverflow,
        };
        buckets.set(key, bucket);
        if (!isOverflow) distinct++;
      }
    }
    if (!bucket.isOverflow && ip !== bucket.ip && ip !== null) bucket.network = sourceOf(ip);
    bucket.count++;
    bucket.lastAt = now;
    if (failure.details) addSample(bucket, failure.details);
    schedule();
  }

  function addSample(bucket: Bucket, details: Record<string, unknown>) {
    let json: string;
    try {
      json = canonicalJson(details);
    } catch {
      return;
    }
    if (bucket.samples.has(json)) return;
    if (bucket.samples.size >= maxSamples || json.length > MAX_SAMPLE_CHARS) bucket.hasMoreSamples = true;
    else bucket.samples.set(json, details);
  }

  /** Wakes up just after the current minute closes, while anything is being counted. */
  function schedule() {
    if (timer || isClosed) return;
    const wait = MINUTE - (clock.now().getTime() % MINUTE) + 50;
    timer = setTimeout(() => {
      timer = undefined;
      flushClosed().catch((err) => opts.onError?.(err));
    }, wait);
    timer.unref();
  }

  function summary(b: Bucket): { ctx: RequestContext; entry: AuditEntry } {
    return {
      ctx: { actor: { type: 'anonymous', id: null, label: null }, ip: b.ip, userAgent: b.userAgent },
      entry: {
        action: b.action,
        outcome: b.outcome,
        details: {
          summary: 'per source and minute',
          count: b.count,
          firstAt: b.firstAt.toISOString(),
          lastAt: b.lastAt.toISOString(),
          ...(b.samples.size ? { samples: [...b.samples.values()] } : {}),
          ...(b.hasMoreSamples ? { moreSamples: true } : {}),
          ...(b.network ? { network: b.network } : {}),
          ...(b.isOverflow ? { otherSources: true } : {}),
        },
      },
    };
  }

  /** Takes the buckets out of the map before writing, so that counting goes on meanwhile. */
  function take(isDue: (b: Bucket) => boolean): Bucket[] {
    const taken: Bucket[] = [];
    for (const [key, b] of buckets) {
      if (!isDue(b)) continue;
      buckets.delete(key);
      if (!b.isOverflow) distinct--;
      taken.push(b);
    }
    return taken;
  }

  function writeAll(taken: Bucket[]): Promise<void> {
    // One writer at a time: summaries go into the chain in the order their minutes closed.
    const run = writing.then(async () => {
      for (let i = 0; i < taken.length; i++) {
        const { ctx, entry } = summary(taken[i]);
        try {
          await write(ctx, entry);
        } catch (err) {
          // Kept, to be tried again (counts of the same key merge); the error goes to the caller.
          for (const b of taken.slice(i)) putBack(b);
          schedule();
          throw err;
        }
      }
    });
    writing = run.catch(() => undefined);
    return run;
  }

  function putBack(b: Bucket) {
    const key = keyOf(b.minute, b.action, b.outcome, b.ip, b.isOverflow);
    const current = buckets.get(key);
    if (!current) {
      buckets.set(key, b);
      if (!b.isOverflow) distinct++;
      return;
    }
    current.count += b.count;
    if (b.network || b.ip !== current.ip) current.network ??= b.network ?? sourceOf(b.ip);
    if (b.firstAt < current.firstAt) current.firstAt = b.firstAt;
    for (const [json, d] of b.samples) if (current.samples.size < maxSamples) current.samples.set(json, d);
  }

  /** Writes the summaries of the minutes that have closed. */
  async function flushClosed(): Promise<void> {
    const minute = Math.floor(clock.now().getTime() / MINUTE);
    const taken = take((b) => b.minute < minute);
    if (buckets.size) schedule();
    await writeAll(taken);
  }

  return {
    add,
    /** Writes every summary now, the current minute's too (shutdown, tests). */
    flush: () => writeAll(take(() => true)),
    /** Stops the timer and writes what is left. */
    async close() {
      isClosed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await writeAll(take(() => true));
    },
    /** Summaries waiting to be written (for tests and metrics). */
    pending: () => buckets.size,
  };
}
