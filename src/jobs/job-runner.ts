import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import { acquireLease, findLease, releaseLease } from './job-lease.repository.js';

export interface Job {
  /** Unique name; also the lease row's name. */
  name: string;
  /** Minimum time between two runs, across all nodes. */
  intervalMs: number;
  /** Longest a run may take before another node may take the job over. */
  leaseMs?: number;
  run(): Promise<void>;
}

export interface JobRunner {
  /** Runs the due jobs now (tests, and the first tick). */
  tick(): Promise<void>;
  stop(): Promise<void>;
  /** Seconds each job is overdue past its interval (0 when on time), for the metrics. */
  lag(): Promise<Record<string, number>>;
}

/**
 * A small job runner: every few seconds each node looks for due jobs; a job runs on the node that
 * takes its lease (src/jobs/job-lease.ts), so it runs once across several nodes, and it is due
 * again `intervalMs` after its last run finished, wherever that was.
 */
export function startJobRunner(opts: { db: Db; clock: Clock; logger: Logger; jobs: Job[]; nodeId: string; tickMs?: number }): JobRunner {
  const { db, clock, logger, jobs } = opts;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function runDue() {
    for (const job of jobs) {
      if (stopped) return;
      const lease = await findLease(db, job.name);
      const last = lease?.lastFinishedAt?.getTime() ?? 0;
      if (clock.now().getTime() - last < job.intervalMs) continue;
      const holder = `${opts.nodeId}:${crypto.randomUUID()}`;
      if (!(await acquireLease(db, job.name, holder, clock.now(), job.leaseMs ?? 10 * 60_000))) continue;
      let error: string | null = null;
      try {
        await job.run();
      } catch (err) {
        error = (err as Error)?.message ?? String(err);
        logger.warn({ err, job: job.name }, 'job failed');
      } finally {
        await releaseLease(db, job.name, holder, clock.now(), error);
      }
    }
  }

  const tick = () => {
    if (running || stopped) return running ?? Promise.resolve();
    running = runDue()
      .catch((err) => logger.warn({ err }, 'job runner tick failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    void tick();
  }, opts.tickMs ?? 15_000);
  timer.unref();
  const startedAt = clock.now().getTime();
  return {
    tick,
    async lag() {
      const now = clock.now().getTime();
      const lag: Record<string, number> = {};
      for (const job of jobs) {
        const last = (await findLease(db, job.name))?.lastFinishedAt?.getTime() ?? startedAt;
        lag[job.name] = Math.max(0, now - last - job.intervalMs) / 1000;
      }
      return lag;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await Promise.race([running, new Promise((r) => setTimeout(r, 5000).unref())]);
    },
  };
}
