/**
 * The event queue (docs/agent-protocol.md §6). Events wait in memory and go out in batches of at
 * most 500, each event with a random id that is its idempotency key: a batch whose answer was lost
 * is sent again with the same ids and stored once. Nothing is sent before the workstation is
 * approved (the server refuses it with 403); until then events wait, at most 10,000 of them, the
 * oldest dropped first because the newest say more about the computer's present state. After a
 * failed send the timer waits (1 s doubling to 60 s) instead of knocking every second.
 */
import crypto from 'node:crypto';
import { ApiError } from './api.js';
import { backoffDelay } from './backoff.js';
import type { Logger } from './log.js';
import type { AgentEvent } from './protocol.js';

export const MAX_BATCH = 500;
export const MAX_QUEUED = 10_000;
export const FLUSH_INTERVAL_MS = 1_000;

export type NewEvent = Omit<AgentEvent, 'id' | 'at'> & { id?: string; at?: string };

export interface EventQueueOptions {
  send(events: AgentEvent[]): Promise<{ accepted: number; duplicates: number }>;
  log: Logger;
  clock?: () => number;
  random?: (size: number) => Buffer;
  maxBatch?: number;
  maxQueued?: number;
  intervalMs?: number;
}

export interface EventQueue {
  push(event: NewEvent): AgentEvent;
  /** Sending is allowed only while the workstation is approved. */
  setEnabled(enabled: boolean): void;
  /** Sends everything queued, batch by batch; stops at the first failure, keeping the events. Resolves true when the queue is empty. */
  flush(): Promise<boolean>;
  start(): void;
  stop(): void;
  size(): number;
  pending(): readonly AgentEvent[];
}

export function createEventQueue({
  send,
  log,
  clock = Date.now,
  random = crypto.randomBytes,
  maxBatch = MAX_BATCH,
  maxQueued = MAX_QUEUED,
  intervalMs = FLUSH_INTERVAL_MS,
}: EventQueueOptions): EventQueue {
  let queue: AgentEvent[] = [];
  let enabled = false;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<boolean> | null = null;
  let failures = 0;
  let retryAt = 0;

  function remove(sent: AgentEvent[]): void {
    const ids = new Set(sent.map((e) => e.id));
    queue = queue.filter((e) => !ids.has(e.id));
  }

  /**
   * A batch is taken whole or refused whole (§6): a 400 means one event in it is malformed, and
   * sending it again would refuse it again forever. Halving finds the bad event in log2(500) ≈ 9
   * extra requests; it alone is dropped and the others are delivered.
   */
  async function sendBatch(batch: AgentEvent[]): Promise<void> {
    try {
      const answer = await send(batch);
      remove(batch);
      log.info('events.sent', { count: batch.length, accepted: answer?.accepted, duplicates: answer?.duplicates });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 400)) throw err;
      if (batch.length === 1) {
        remove(batch);
        log.error('events.dropped', { count: 1, reason: 'refused', code: err.code, error: err.message, type: batch[0].type, id: batch[0].id });
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await sendBatch(batch.slice(0, half));
      await sendBatch(batch.slice(half));
    }
  }

  async function flushNow(): Promise<boolean> {
    while (enabled && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      try {
        await sendBatch(batch);
      } catch (err) {
        const retryInMs = backoffDelay(failures++);
        retryAt = clock() + retryInMs;
        log.warn('events.failed', { count: batch.length, queued: queue.length, retryInMs, error: err });
        return false;
      }
    }
    failures = 0;
    retryAt = 0;
    return queue.length === 0;
  }

  function flush(): Promise<boolean> {
    // One flush at a time: two would send the same head batch twice.
    flushing ??= flushNow().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  return {
    push(event) {
      const full: AgentEvent = { ...event, id: event.id ?? random(16).toString('base64url'), at: event.at ?? new Date(clock()).toISOString() };
      queue.push(full);
      if (queue.length > maxQueued) {
        const dropped = queue.splice(0, queue.length - maxQueued);
        log.warn('events.dropped', { count: dropped.length, reason: 'queue_full', max: maxQueued });
      }
      return full;
    },
    setEnabled(value) {
      enabled = value;
    },
    flush,
    start() {
      timer ??= setInterval(() => {
        if (enabled && queue.length > 0 && clock() >= retryAt) void flush();
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    size: () => queue.length,
    pending: () => queue,
  };
}
