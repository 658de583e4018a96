import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { EmployeeService } from '../employees/employee.service.js';
import { directoryGroups } from '../groups/directory-groups.service.js';
import type { RequestContext } from '../lib/context.js';
import { DirectoryError, type DirectoryConnector, type MemberListing } from './connector.js';
import type { DomainCreate, DomainPatch, SyncPreviewDto } from './directory.schemas.js';
import * as repo from './directory.repository.js';
import { draftServers, toAppError, type DomainDraft, type DomainService } from './domain.service.js';
import { countChanges, describeChanges, exceedsThreshold, planSync, type SyncPlan } from './sync-plan.js';

/** Rows of each list a preview answers at most (the counts cover everything). */
export const PREVIEW_ROWS = 50;
/** A new domain has no groups yet: every group it reports would be added. */
const NO_DOMAIN = '00000000-0000-0000-0000-000000000000';

type PlannedDomain = Pick<DomainDraft, 'syncGroup' | 'rotationGroup' | 'passwordChangeDays' | 'removalBehaviour'>;

/**
 * The rotation group's members, or null when the group is missing (that stops rotation, not the
 * import: the flags stay as they are). Empty when rotation is off.
 */
export async function listRotationMembers(connector: DirectoryConnector, domain: PlannedDomain): Promise<Set<string> | null> {
  if (domain.passwordChangeDays <= 0) return new Set();
  try {
    return new Set((await connector.listGroupMembers(domain.rotationGroup)).memberIds);
  } catch (err) {
    if (!(err instanceof DirectoryError && err.code === 'group_not_found')) throw err;
    return null;
  }
}

/** The sync's planning step: what the listing would change, read from the database, nothing written. */
export async function planListing(input: {
  db: Db;
  employees: Pick<EmployeeService, 'listForMatching'>;
  domainId: string | null;
  domain: PlannedDomain;
  listing: MemberListing;
  rotationIds: ReadonlySet<string> | null;
  accounts: repo.AccountRow[];
}): Promise<{ plan: SyncPlan; labels: Map<string, string> }> {
  const { db, domainId, listing, accounts } = input;
  const memberIds = new Set(listing.memberIds);
  const leaving = accounts.filter((a) => a.isMember && !memberIds.has(a.externalId)).map((a) => a.employeeId);
  // Read once: the plan matches against them and the change list labels them.
  const known = await input.employees.listForMatching();
  const plan = planSync({
    listing,
    rotationIds: input.rotationIds,
    accounts,
    employees: known,
    removalBehaviour: input.domain.removalBehaviour,
    heldElsewhere: domainId ? await repo.findMemberAccountsElsewhere(db, leaving, domainId) : new Set(),
    linkedElsewhere: domainId ? await repo.findAccountsElsewhere(db, leaving, domainId) : new Set(),
  });
  return { plan, labels: new Map(known.map((e) => [e.id, e.emailNormalized])) };
}

export type SyncPreview = ReturnType<typeof createSyncPreview>;

/**
 * "What would the first sync do?", asked from the domain form before anything is saved or synced:
 * a full listing with the form's settings, planned like a sync, and nothing written (no sync run,
 * no employee, account or group) but the audit record of the preview itself.
 */
export function createSyncPreview(deps: { db: Db; audit: AuditService; domains: DomainService; employees: Pick<EmployeeService, 'listForMatching'> }) {
  const { db, audit, domains } = deps;

  async function preview(ctx: RequestContext, id: string | null, input?: DomainCreate | DomainPatch): Promise<SyncPreviewDto> {
    const draft = await domains.resolveDraft(id, input);
    const target = draft.saved
      ? { type: 'directory_domain', id: draft.saved.id, label: draft.saved.name }
      : { type: 'directory_domain', id: null, label: draft.name };
    let connector: DirectoryConnector | undefined;
    try {
      if (!draft.secret)
        throw new DirectoryError(
          'credentials_missing',
          `Enter the ${draft.kind === 'entra' ? 'client secret or certificate' : 'bind password'} to preview the sync`,
        );
      connector = domains.connectorForDraft(draft);
      const accounts = id ? await repo.findAccountsByDomain(db, id) : [];
      const listing = await connector.listGroupMembers(draft.syncGroup, {
        cursor: null,
        knownIds: new Set(accounts.filter((a) => a.isMember).map((a) => a.externalId)),
        groups: draft.groupImport.mode === 'none' ? undefined : { ...draft.groupImport, mode: draft.groupImport.mode },
      });
      const rotationIds = await listRotationMembers(connector, draft);
      const { plan, labels } = await planListing({ db, employees: deps.employees, domainId: id, domain: draft, listing, rotationIds, accounts });
      const groups = listing.groups?.groups ?? [];
      const counts = { ...countChanges(plan), listed: listing.memberIds.length, ...(await directoryGroups.preview(db, id ?? NO_DOMAIN, groups)) };
      const changes = describeChanges(plan, labels);
      await audit.record(ctx, { action: 'directory.sync_previewed', target, details: { counts, unsaved: !id || !!input, servers: draftServers(draft) } });
      return {
        counts,
        changes: changes.slice(0, PREVIEW_ROWS),
        totalChanges: changes.length,
        groups: groups
          .map((g) => g.name)
          .sort((a, b) => a.localeCompare(b))
          .slice(0, PREVIEW_ROWS),
        totalGroups: groups.length,
        skipped: plan.skipped.slice(0, PREVIEW_ROWS).map((s) => ({ username: s.username, reason: s.reason })),
        wouldHold: exceedsThreshold(plan, draft.removalThresholdPercent),
        rotationGroupFound: rotationIds !== null,
      };
    } catch (err) {
      const e = toAppError(err);
      await audit
        .record(ctx, {
          action: 'directory.sync_previewed',
          target,
          outcome: 'failure',
          details: { error: (e as Error)?.message ?? String(e), servers: draftServers(draft) },
        })
        .catch(() => {});
      throw e;
    } finally {
      await connector?.close().catch(() => {});
    }
  }

  return { preview };
}
