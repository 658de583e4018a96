import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import { acquireLease, findLease, handBackLease, releaseLease, renewLease } from './job-lease.repository.js';

export interface Job {
  /** Unique name; also the lease row's name. */
  name: string;
  /** Minimum time between two runs, across all nodes. */
  intervalMs: number;
  /** Longest a run may take before another node may take the job over (its lease is renewed until then). */
  leaseMs?: number;
  run(): Promise<void>;
}

export interface JobRunner {
  /** Runs the due jobs now (tests, and the first tick). */
  tick(): Promise<void>;
  /**
   * Starts no more jobs; a running one gets `graceMs` (default 5 s) to finish. One still running
   * then has its lease handed back (not left to expire), so another node runs the job at once.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** Seconds each job is overdue past its interval (0 when on time), for the metrics. */
  lag(): Promise<Record<string, number>>;
}

/**
 * A small job runner: every few seconds each node looks for due jobs; a job runs on the node that
 * takes its lease (src/jobs/job-lease.ts), so it runs once across several nodes, and it is due
 * again `intervalMs` after its last run finished, wherever that was.
 */
/**
 * A lease lasts this long past its last renewal, and a running job's node renews it every third of
 * that: a node that dies (SIGKILL, power) frees its job within a minute, not after the job's leaseMs.
 */
const LEASE_TTL_MS = 60_000;

export function startJobRunner(opts: {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: Job[];
  nodeId: string;
  tickMs?: number;
  /** Tests: a shorter lease and renewal period. */
  leaseTtlMs?: number;
  renewEveryMs?: number;
}): JobRunner {
  const { db, clock, logger, jobs } = opts;
  let running: Promise<void> | undefined;
  /** The lease of the job running now, to hand back if the node stops before the job finishes. */
  let current: { job: string; holder: string; renewal: NodeJS.Timeout } | undefined;
  let stopped = false;

  async function runDue() {
    for (const job of jobs) {
      if (stopped) return;
      const lease = await findLease(db, job.name);
      const last = lease?.lastFinishedAt?.getTime() ?? 0;
      if (clock.now().getTime() - last < job.intervalMs) continue;
      const holder = `${opts.nodeId}:${crypto.randomUUID()}`;
      const maxMs = job.leaseMs ?? 10 * 60_000;
      const ttlMs = Math.min(maxMs, opts.leaseTtlMs ?? LEASE_TTL_MS);
      if (!(await acquireLease(db, job.name, holder, clock.now(), ttlMs))) continue;
      const startedAt = clock.now();
      // Renewed while the job runs, up to its longest run time (leaseMs): past that another node may take it over.
      const renewal = setInterval(
        () => {
          const now = clock.now();
          const ttl = Math.min(ttlMs, startedAt.getTime() + maxMs - now.getTime());
          if (ttl <= 0) return;
          renewLease(db, job.name, holder, now, ttl)
            .then((held) => {
              if (!held) logger.warn({ job: job.name, holder }, 'job lease lost while running (another node may run the job)');
            })
            .catch((err) => logger.warn({ err, job: job.name }, 'job lease renewal failed'));
        },
        opts.renewEveryMs ?? ttlMs / 3,
      );
      renewal.unref();
      current = { job: job.name, holder, renewal };
      let error: string | null = null;
      try {
        await job.run();
      } catch (err) {
        error = (err as Error)?.message ?? String(err);
        logger.warn({ err, job: job.name }, 'job failed');
      } finally {
        clearInterval(renewal);
        current = undefined;
        // A no-op when stop() already handed the lease back (the holder no longer matches).
        await releaseLease(db, job.name, holder, clock.now(), error);
      }
      // One line a run, with the holder: the record of which node ran what, and when.
      logger.info(
        { job: job.name, holder, startedAt: startedAt.toISOString(), finishedAt: clock.now().toISOString(), failed: error !== null },
        'job run finished',
      );
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
    async stop(stopOpts = {}) {
      stopped = true;
      clearInterval(timer);
      if (!running) return;
      const graceMs = stopOpts.graceMs ?? 5000;
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((r) => (graceTimer = setTimeout(r, graceMs)))]);
      clearTimeout(graceTimer);
      const cut = current;
      if (!cut) return;
      clearInterval(cut.renewal);
      // Still running: hand the lease back (its last finish unchanged, so the job is due at once
      // elsewhere) rather than make the other nodes wait out leaseMs for a node that is gone.
      await handBackLease(db, cut.job, cut.holder, 'the node stopped before the run finished').catch((err) =>
        logger.warn({ err, job: cut.job }, 'could not hand the job lease back; it expires by itself'),
      );
      logger.warn({ job: cut.job, holder: cut.holder, graceMs }, 'job still running at shutdown: lease handed back, another node runs it');
    },
  };
}
