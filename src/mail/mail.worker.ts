import type { Logger } from 'pino';
import type { MailService } from './mail.service.js';

export interface MailWorker {
  /** Stops the timer and waits (briefly) for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Sends due mail every few seconds. One run at a time on this node; other nodes run their own, and
 * the outbox's claim (FOR UPDATE SKIP LOCKED plus a lease) keeps them from sending a mail twice.
 */
export function startMailWorker(opts: { mail: MailService; logger: Logger; intervalMs?: number }): MailWorker {
  const { mail, logger } = opts;
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = () => {
    if (running || stopped) return;
    running = mail
      .processDue()
      .then((r) => {
        if (r.sent || r.retrying || r.failed) logger.info(r, 'mail outbox processed');
      })
      .catch((err) => logger.warn({ err }, 'mail outbox run failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, opts.intervalMs ?? 5000);
  // The worker never keeps the process alive on its own.
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      // A send in progress is bounded by SMTP timeouts; do not hold a shutdown for it. A mail cut
      // off mid-send stays claimed until its lease ends, then goes again.
      if (running) await Promise.race([running, new Promise((r) => setTimeout(r, 5000).unref())]);
    },
  };
}
