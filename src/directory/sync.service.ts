import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { EmployeeService } from '../employees/employee.service.js';
import type { OrganisationService } from '../employees/organisation.service.js';
import type { InvitationService } from '../invitations/invitation.service.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { acquireLease, releaseLease, renewLease } from '../jobs/job-lease.repository.js';
import { DirectoryError, type DirectoryConnector } from './connector.js';
import type { SyncRunDto } from './directory.schemas.js';
import * as repo from './directory.repository.js';
import type { DomainService } from './domain.service.js';
import { directoryGroups } from '../groups/directory-groups.service.js';
import { applyGroups, applyPlan, type ImportInviter } from './sync-apply.js';
import { countChanges, describeChanges, exceedsThreshold } from './sync-plan.js';
import { listRotationMembers, planListing } from './sync-preview.js';

const LEASE_MS = 5 * 60_000;

export function toSyncRunDto(r: repo.SyncRunRow): SyncRunDto {
  return {
    id: r.id,
    domainId: r.domainId,
    trigger: r.trigger,
    mode: r.mode,
    isDryRun: r.isDryRun,
    status: r.status as SyncRunDto['status'],
    counts: r.counts,
    changes: r.changes as SyncRunDto['changes'],
    progress: r.progress,
    error: r.error,
    errorCode: r.errorCode,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
  };
}

export interface SyncOptions {
  trigger: 'manual' | 'schedule' | 'cli' | 'confirmation';
  dryRun?: boolean;
  /** Full listing even when an incremental one is possible. */
  full?: boolean;
  /**
   * An admin confirmed removals above the threshold: at most this many (what the held run showed).
   * A fresh listing that would remove more is held again rather than applied on that confirmation.
   */
  confirmedRemovals?: number;
  /** Called once the run is recorded (the API answers then, and the console follows its progress). */
  onRunCreated?: (runId: string) => void;
}

/** The invitation calls an import needs (the settings are read before the sync's transaction: PGlite has one connection). */
export type SyncInvitations = Pick<InvitationService, 'settingsForInvite' | 'createForNewInTransaction'>;

export type SyncService = ReturnType<typeof createSyncService>;

/**
 * The sync engine, the same for every kind of directory. A sync lists the sync group completely
 * first (a connector throws rather than answer part of it), plans, and then applies the whole plan
 * in one transaction: a sync that fails at any point changes nothing. Only one sync of a domain
 * runs at a time across all nodes (lease `directory-sync:<domain id>`).
 */
export function createSyncService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  domains: DomainService;
  employees: EmployeeService;
  organisation: OrganisationService;
  invitations: SyncInvitations;
  nodeId: string;
}) {
  const { db, audit, clock, domains, employees } = deps;

  async function listAll(
    connector: DirectoryConnector,
    domain: repo.DomainRow,
    mode: 'full' | 'incremental',
    accounts: repo.AccountRow[],
    runId: string,
    holder: string,
  ) {
    let lastWrite = 0;
    const onProgress = (listed: number) => {
      const now = clock.now().getTime();
      if (now - lastWrite < 500) return;
      lastWrite = now;
      void repo.updateSyncRunById(db, runId, { progress: { phase: 'listing', listed } }).catch(() => {});
      void renewLease(db, `directory-sync:${domain.id}`, holder, clock.now(), LEASE_MS).catch(() => {});
    };
    const listing = await connector.listGroupMembers(domain.syncGroup, {
      cursor: mode === 'incremental' ? domain.syncCursor : null, // Accounts outside the group (kept or deactivated) count as unknown: coming back is a change even when the user record is not.
      knownIds: new Set(accounts.filter((a) => a.isMember).map((a) => a.externalId)),
      onProgress,
      groups: domain.groupImport.mode === 'none' ? undefined : { ...domain.groupImport, mode: domain.groupImport.mode },
    });
    const rotationIds = await listRotationMembers(connector, domain);
    return { listing, rotationIds };
  }

  async function syncDomain(ctx: RequestContext, domainId: string, opts: SyncOptions): Promise<SyncRunDto> {
    const domain = await domains.get(domainId);
    const dryRun = opts.dryRun ?? false;
    const holder = `${deps.nodeId}:${crypto.randomUUID()}`;
    const lease = `directory-sync:${domain.id}`;
    if (!dryRun && !(await acquireLease(db, lease, holder, clock.now(), LEASE_MS))) {
      throw new AppError('directory.sync_running', 'A sync of this domain is already running');
    }
    const fullDue = !domain.lastFullSyncAt || clock.now().getTime() - domain.lastFullSyncAt.getTime() >= domain.fullSyncIntervalHours * 3_600_000;
    const mode = dryRun || opts.full || fullDue || !domain.syncCursor ? 'full' : 'incremental';
    const started = clock.now();
    const run = await repo.insertSyncRun(db, {
      domainId,
      trigger: opts.trigger,
      mode,
      isDryRun: dryRun,
      status: 'running',
      startedBy: ctx.actor.label,
      startedAt: started,
      progress: { phase: 'listing', listed: 0 },
    });
    opts.onRunCreated?.(run.id);
    const target = { type: 'directory_domain', id: domain.id, label: domain.name };
    let connector: DirectoryConnector | undefined;
    try {
      if (!domain.secret) throw new DirectoryError('credentials_missing', 'No bind password is saved for this domain: sync is stopped');
      connector = domains.connectorFor(domain);
      const accounts = await repo.findAccountsByDomain(db, domain.id);
      const { listing, rotationIds } = await listAll(connector, domain, mode, accounts, run.id, holder);
      // The connector lists in full when the cursor cannot be used (another controller after a failover).
      if (mode === 'incremental' && !listing.isIncremental) await repo.updateSyncRunById(db, run.id, { mode: 'full' });
      const { plan, labels } = await planListing({ db, employees, domainId: domain.id, domain, listing, rotationIds, accounts });
      const counts = { ...countChanges(plan), listed: listing.memberIds.length };
      const changes = describeChanges(plan, labels);
      const details = { counts, mode, skipped: plan.skipped.slice(0, 20) };

      if (dryRun) {
        Object.assign(counts, await directoryGroups.preview(db, domain.id, listing.groups?.groups ?? []));
        await audit.record(ctx, { action: 'directory.dry_run', target, details });
        return finish(run.id, { status: 'succeeded', counts, changes });
      }
      const isConfirmed = opts.confirmedRemovals !== undefined && plan.removals <= opts.confirmedRemovals;
      if (!isConfirmed && exceedsThreshold(plan, domain.removalThresholdPercent)) {
        const error = `This sync would deactivate or delete ${plan.removals} of ${plan.memberCount} employees, more than the ${domain.removalThresholdPercent}% threshold: confirm it to apply`;
        await audit.record(ctx, {
          action: 'directory.sync_held',
          target,
          outcome: 'failure',
          details: { ...details, removals: plan.removals, memberCount: plan.memberCount },
        });
        return finish(run.id, { status: 'awaiting_confirmation', counts, changes, error, errorCode: 'threshold_exceeded' });
      }
      await repo.updateSyncRunById(db, run.id, { progress: { phase: 'applying', total: plan.changes.length } });
      const invSettings = domain.ssoEnabled && plan.changes.some((c) => c.action === 'create') ? await deps.invitations.settingsForInvite() : null;
      const inviter: ImportInviter | null = invSettings
        ? {
            inviteNew: (c, tx, created) => deps.invitations.createForNewInTransaction(c, tx, created, invSettings),
          }
        : null;
      await db.transaction(async (tx) => {
        await applyPlan({ tx, ctx, plan, domain, rotationIds, employees, organisation: deps.organisation, audit, inviter, now: clock.now() });
        Object.assign(counts, await applyGroups(tx, domain.id, listing));
        await repo.updateDomainById(
          tx,
          domain.id,
          {
            syncCursor: listing.cursor,
            lastSyncAt: started,
            ...(listing.isIncremental ? {} : { lastFullSyncAt: started }),
          },
          clock.now(),
        );
        await audit.record(
          ctx,
          {
            action: 'directory.sync_completed',
            target,
            details: { ...details, confirmed: isConfirmed, durationMs: clock.now().getTime() - started.getTime() },
          },
          tx,
        );
      });
      return finish(run.id, { status: 'succeeded', counts, changes: changes.slice(0, 1000) });
    } catch (err) {
      const code = err instanceof DirectoryError ? err.code : err instanceof AppError ? err.code : 'failed';
      const message = err instanceof DirectoryError || err instanceof AppError ? err.message : `Sync failed: ${(err as Error)?.message ?? String(err)}`;
      await audit.record(ctx, { action: 'directory.sync_failed', target, outcome: 'failure', details: { code, message, mode, dryRun } }).catch(() => {});
      return finish(run.id, { status: 'failed', error: message, errorCode: code });
    } finally {
      await connector?.close().catch(() => {});
      if (!dryRun) await releaseLease(db, lease, holder, clock.now(), null).catch(() => {});
    }
  }

  async function finish(runId: string, patch: Partial<repo.SyncRunRow>): Promise<SyncRunDto> {
    await repo.updateSyncRunById(db, runId, { ...patch, finishedAt: clock.now(), progress: {} });
    return toSyncRunDto((await repo.findSyncRunById(db, runId))!);
  }

  async function getRun(domainId: string, runId: string): Promise<repo.SyncRunRow> {
    const run = await repo.findSyncRunById(db, runId);
    if (!run || run.domainId !== domainId) throw new AppError('directory.run_not_found', 'Sync run was not found');
    return run;
  }

  /** Applies a held sync: a fresh listing, applied even above the threshold. The held run is marked confirmed. */
  async function confirm(ctx: RequestContext, domainId: string, runId: string): Promise<SyncRunDto> {
    const held = await getRun(domainId, runId);
    if (held.status !== 'awaiting_confirmation') throw new AppError('directory.run_not_awaiting', 'This sync is not waiting for a confirmation');
    // Conditional: two admins (or nodes) confirming the same run apply it once.
    if (!(await repo.updateSyncRunStatusById(db, runId, 'awaiting_confirmation', 'confirmed')))
      throw new AppError('directory.run_not_awaiting', 'This sync is not waiting for a confirmation');
    const domain = await domains.get(domainId);
    const removals = (held.counts.deactivated ?? 0) + (held.counts.deleted ?? 0);
    await audit.record(ctx, {
      action: 'directory.sync_confirmed',
      target: { type: 'directory_domain', id: domainId, label: domain.name },
      details: { run: runId, removals },
    });
    try {
      return await syncDomain(ctx, domainId, { trigger: 'confirmation', confirmedRemovals: removals, full: true });
    } catch (err) {
      // Another sync holds the domain: nothing ran, so the held run can still be confirmed later.
      await repo.updateSyncRunStatusById(db, runId, 'confirmed', 'awaiting_confirmation');
      throw err;
    }
  }

  async function cancel(ctx: RequestContext, domainId: string, runId: string): Promise<SyncRunDto> {
    const held = await getRun(domainId, runId);
    if (held.status !== 'awaiting_confirmation') throw new AppError('directory.run_not_awaiting', 'This sync is not waiting for a confirmation');
    await repo.updateSyncRunById(db, runId, { status: 'cancelled' });
    const domain = await domains.get(domainId);
    await audit.record(ctx, {
      action: 'directory.sync_cancelled',
      target: { type: 'directory_domain', id: domainId, label: domain.name },
      details: { run: runId },
    });
    return toSyncRunDto((await repo.findSyncRunById(db, runId))!);
  }

  return {
    syncDomain,
    confirm,
    cancel,
    listRuns: async (domainId: string, limit = 20) => {
      await domains.get(domainId);
      return (await repo.findSyncRunsByDomain(db, domainId, limit)).map(toSyncRunDto);
    },
    getRun: async (domainId: string, runId: string) => toSyncRunDto(await getRun(domainId, runId)),
    /** Runs waiting for an admin to confirm them, over every domain (the metrics' held runs). */
    heldRunCount: () => repo.countHeldSyncRuns(db),
    /** Runs a node left "running" when it died (older than the lease) are marked failed. */
    failStaleRuns: () => {
      const now = clock.now();
      return repo.failStaleRuns(db, new Date(now.getTime() - LEASE_MS), now);
    },
  };
}
