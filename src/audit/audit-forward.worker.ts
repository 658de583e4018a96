import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { DEFAULT_DELIVERY, type AuditForwardService, type DeliveryOptions } from './audit-forward.service.js';

export interface AuditForwarder {
  /** Delivers what is due now (tests; the timer and nudges call it too). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Forwards the audit log: every few seconds, and soon after new records are written (the audit
 * service's onRecorded nudges), each due destination is delivered on its own (a slow or dead
 * receiver holds up no other). A destination is delivered by one node at a time: a run first
 * takes the destination's lease (src/audit/audit-forward.repository.ts), so several nodes may run
 * this worker.
 */
export function startAuditForwarder(opts: {
  forwarding: AuditForwardService;
  logger: Logger;
  nodeId: string;
  intervalMs?: number;
  /** How soon after a nudge delivery starts: records written together go in one batch. */
  nudgeDelayMs?: number;
  delivery?: Partial<DeliveryOptions>;
}): AuditForwarder {
  const { forwarding, logger } = opts;
  const delivery = { ...DEFAULT_DELIVERY, ...opts.delivery };
  const holder = `${opts.nodeId}:${crypto.randomUUID()}`;
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  let ticking: Promise<void> | undefined;
  let nudgeTimer: NodeJS.Timeout | undefined;

  const runDue = async () => {
    for (const id of await forwarding.dueIds()) {
      if (stopped || running.has(id)) continue;
      const run = forwarding
        .deliver(id, holder, delivery)
        .then((r) => {
          if (r.failure) logger.warn(r.failure, 'audit forwarding failed; retrying later');
          // More may have arrived meanwhile, or the run stopped at maxBatches: look again soon.
          if (r.sent > 0 && !stopped) nudge();
        })
        .catch((err) => logger.warn({ err, destination: id }, 'audit forwarding run failed'))
        .finally(() => running.delete(id));
      running.set(id, run);
    }
  };
  const tick = () => {
    if (stopped) return Promise.resolve();
    ticking ??= runDue()
      .catch((err) => logger.warn({ err }, 'audit forwarding tick failed'))
      .finally(() => {
        ticking = undefined;
      });
    return ticking.then(() => Promise.all(running.values())).then(() => undefined);
  };
  function nudge() {
    if (stopped || nudgeTimer) return;
    nudgeTimer = setTimeout(() => {
      nudgeTimer = undefined;
      void tick();
    }, opts.nudgeDelayMs ?? 200);
    nudgeTimer.unref();
  }
  const unsubscribe = forwarding.onNudge(nudge);
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 5_000);
  timer.unref();
  nudge();

  return {
    tick,
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
      if (nudgeTimer) clearTimeout(nudgeTimer);
      // A send in progress is bounded by the senders' timeouts; its lease is released when it ends,
      // or lapses. A batch cut off here is sent again by whichever node delivers next.
      const pending = [ticking, ...running.values()].filter(Boolean);
      if (pending.length) await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 5000).unref())]);
    },
  };
}
