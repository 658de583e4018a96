import type { Db } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import type { SyncRunSummaryDto, SyncStatusDto } from './directory.schemas.js';
import * as repo from './directory.repository.js';

const runSummary = (r: repo.SyncRunRow): SyncRunSummaryDto => ({
  id: r.id,
  trigger: r.trigger,
  status: r.status as SyncRunSummaryDto['status'],
  counts: r.counts,
  error: r.error,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
});

/**
 * Every domain's sync at a glance (the dashboard): the last real run, when the scheduler runs the
 * next one (directory.jobs.ts: `syncIntervalMinutes` after the last successful sync; a failed or
 * held one does not move that, so the next try is due at once: the scheduler looks every minute), and the runs the removal
 * threshold holds for an admin's confirmation.
 */
export function createSyncStatus(deps: { db: Db; clock: Clock }) {
  return async (): Promise<SyncStatusDto[]> => {
    const [domains, latest, held] = await Promise.all([repo.findDomains(deps.db), repo.findLatestSyncRunPerDomain(deps.db), repo.findHeldSyncRuns(deps.db)]);
    const now = deps.clock.now().getTime();
    return domains.map((d) => {
      const last = latest.find((r) => r.domainId === d.id);
      const schedule: SyncStatusDto['schedule'] = !d.secret ? 'not_configured' : d.syncIntervalMinutes <= 0 ? 'on_demand' : 'scheduled';
      const dueAt = d.lastSyncAt ? d.lastSyncAt.getTime() + d.syncIntervalMinutes * 60_000 : now;
      return {
        domain: { id: d.id, name: d.name, kind: d.kind },
        schedule,
        intervalMinutes: d.syncIntervalMinutes,
        lastSuccessAt: d.lastSyncAt?.toISOString() ?? null,
        lastRun: last ? runSummary(last) : null,
        nextRunAt: schedule === 'scheduled' ? new Date(Math.max(dueAt, now)).toISOString() : null,
        heldRuns: held.filter((r) => r.domainId === d.id).map(runSummary),
      };
    });
  };
}
