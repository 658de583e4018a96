import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';
import type { Job } from '../jobs/job-runner.js';
import type { Clock } from '../lib/clock.js';
import { systemContext } from '../lib/context.js';
import * as repo from './directory.repository.js';
import type { PasswordService } from './password.service.js';
import type { SyncService } from './sync.service.js';

/**
 * The directory's background work: scheduled syncs (each domain at its own interval; the sync
 * itself holds a per-domain lease) and password rotation, preceded by reconciliation of pending
 * passwords so that a crash mid-rotation is resolved before anything else is written.
 */
export function directoryJobs(deps: { db: Db; clock: Clock; logger: Logger; directorySync: SyncService; domainPasswords: PasswordService }): Job[] {
  const { db, clock, logger } = deps;
  const ctx = systemContext('scheduler');
  return [
    {
      name: 'directory.scheduled-sync',
      intervalMs: 60_000,
      leaseMs: 60 * 60_000,
      async run() {
        for (const d of await repo.findDomains(db)) {
          if (d.syncIntervalMinutes <= 0 || !d.secret) continue;
          if (d.lastSyncAt && clock.now().getTime() - d.lastSyncAt.getTime() < d.syncIntervalMinutes * 60_000) continue;
          const run = await deps.directorySync.syncDomain(ctx, d.id, { trigger: 'schedule' }).catch((err) => {
            logger.warn({ err, domain: d.name }, 'scheduled sync not started');
            return null;
          });
          if (run) logger.info({ domain: d.name, status: run.status, counts: run.counts }, 'scheduled directory sync');
        }
      },
    },
    {
      name: 'directory.password-rotation',
      intervalMs: 5 * 60_000,
      leaseMs: 30 * 60_000,
      async run() {
        const reconciled = await deps.domainPasswords.reconcile(ctx);
        const rotated = await deps.domainPasswords.rotateDue(ctx);
        if (reconciled.current + reconciled.failed + rotated.rotated + rotated.failed > 0) logger.info({ reconciled, rotated }, 'domain password rotation');
      },
    },
  ];
}

/**
 * At start: runs a dead node left "running" are failed, and pending passwords are reconciled. A
 * controller that does not answer must not keep the server from starting: after `waitMs` the
 * reconciliation goes on in the background (and the rotation job retries what stays pending).
 */
export async function recoverDirectoryState(deps: {
  directorySync: SyncService;
  domainPasswords: PasswordService;
  logger: Logger;
  waitMs?: number;
}): Promise<void> {
  const ctx = systemContext('startup');
  const stale = await deps.directorySync.failStaleRuns();
  const work = deps.domainPasswords.reconcile(ctx).then(
    (reconciled) => {
      if (stale || reconciled.current || reconciled.failed || reconciled.unresolved)
        deps.logger.info({ staleRuns: stale, reconciled }, 'directory state recovered at start');
    },
    (err) => deps.logger.warn({ err }, 'reconciling pending domain passwords failed; the rotation job retries'),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deps.waitMs ?? 30_000);
  });
  if ((await Promise.race([work, timeout])) === 'timeout')
    deps.logger.warn('reconciling pending domain passwords takes long (a domain controller does not answer?): going on in the background');
  clearTimeout(timer);
}
