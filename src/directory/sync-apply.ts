import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import { chunked } from '../db/bulk.js';
import type { Executor } from '../db/connection.js';
import type { EmployeeService } from '../employees/employee.service.js';
import type { EmployeePatch } from '../employees/employee.schemas.js';
import type { OrganisationService } from '../employees/organisation.service.js';
import type { RequestContext } from '../lib/context.js';
import { toStorableText } from '../lib/text.js';
import { type DirectoryGroupCounts, directoryGroups } from '../groups/directory-groups.service.js';
import type { DirectoryUser, MemberListing } from './connector.js';
import * as repo from './directory.repository.js';
import type { directoryAccounts } from './directory.tables.js';
import { employeeEmail, type SyncPlan } from './sync-plan.js';

/** The part of the invitation service an import uses: invite the employees it created, inside the sync's transaction. */
export interface ImportInviter {
  inviteNew(ctx: RequestContext, tx: Executor, created: { id: string; email: string; firstName: string }[]): Promise<void>;
}

function names(u: DirectoryUser) {
  // Cut at 100 characters, and a surrogate pair cut in two replaced rather than stored half.
  const firstName = toStorableText((u.givenName ?? u.displayName ?? u.username).slice(0, 100));
  return { firstName, lastName: toStorableText((u.surname ?? '').slice(0, 100)) };
}

/** The directory attributes that name a company, department or position (resolved once per run). */
const ORG_FIELDS = ['company', 'department', 'title'];

const accountFields = (u: DirectoryUser) => ({ username: u.username, upn: u.upn, attributes: { ...u }, isEnabled: u.enabled, isMember: true });

/**
 * Applies a plan inside the caller's transaction: every change or none. Employees change only
 * through the employee service, so its audit records and session/credential hooks run.
 *
 * Written in bulk (issue 18): the whole run is planned in memory first, then company, department
 * and position names are resolved once (one read, the missing ones inserted together), employees
 * and accounts are created and changed in multi-row statements of 1,000 with nothing read back,
 * and the run's audit records are appended to the chain in bulk. Only what calls per-employee
 * hooks stays one at a time: deleting an employee, revoking a leaving one's sessions, an invitation.
 */
export async function applyPlan(opts: {
  tx: Executor;
  ctx: RequestContext;
  plan: SyncPlan;
  domain: repo.DomainRow;
  rotationIds: ReadonlySet<string> | null;
  employees: Pick<EmployeeService, 'createMany' | 'updateMany' | 'remove'>;
  organisation: Pick<OrganisationService, 'resolveAllInTransaction'>;
  audit: Pick<AuditService, 'recordMany'>;
  inviter: ImportInviter | null;
  /** The clock's time, written as the accounts' updatedAt. */
  now: Date;
}): Promise<void> {
  const { tx, ctx, plan, domain, employees, audit, now } = opts;
  const orgUsers = plan.changes.flatMap((c) =>
    c.action === 'create' || (c.action === 'update' && c.fields.some((f) => ORG_FIELDS.includes(f))) ? [c.user] : [],
  );
  const resolveOrg = await opts.organisation.resolveAllInTransaction(ctx, tx, 'directory', orgUsers);
  const target = (employeeId: string, label: string) => ({ type: 'employee', id: employeeId, label });
  const isRotation = (u: DirectoryUser) => opts.rotationIds?.has(u.externalId) ?? false;

  const creates: DirectoryUser[] = [];
  const newAccounts: (typeof directoryAccounts.$inferInsert)[] = [];
  const employeeUpdates: { id: string; patch: EmployeePatch }[] = [];
  const accountSets = new Map<string, Partial<typeof directoryAccounts.$inferInsert>>();
  const setAccount = (id: string, set: Partial<typeof directoryAccounts.$inferInsert>) => accountSets.set(id, { ...accountSets.get(id), ...set });
  const unlinked: string[] = [];
  const deleted: string[] = [];
  const entries: AuditEntry[] = [];

  for (const c of plan.changes) {
    switch (c.action) {
      case 'create':
        creates.push(c.user);
        break;
      case 'link': {
        const u = c.user;
        newAccounts.push({ domainId: domain.id, employeeId: c.employeeId, externalId: u.externalId, ...accountFields(u), isRotationMember: isRotation(u) });
        entries.push({
          action: 'directory.account_linked',
          target: target(c.employeeId, employeeEmail(u)!),
          details: { domain: domain.name, username: u.username, matchedBy: 'email' },
        });
        break;
      }
      case 'update': {
        const u = c.user;
        const patch: EmployeePatch = {};
        const f = new Set(c.fields);
        if (f.has('email') || f.has('upn')) {
          const email = employeeEmail(u);
          if (email) patch.email = email;
        }
        if (f.has('givenName') || f.has('surname') || f.has('displayName') || f.has('username')) Object.assign(patch, names(u));
        if (f.has('phone')) patch.phone = u.phone;
        if (ORG_FIELDS.some((field) => f.has(field))) Object.assign(patch, resolveOrg(u));
        if (Object.keys(patch).length > 0) employeeUpdates.push({ id: c.account.employeeId, patch });
        setAccount(c.account.id, accountFields(u));
        break;
      }
      case 'deactivate':
        employeeUpdates.push({ id: c.account.employeeId, patch: { status: 'deactivated' } });
        setAccount(c.account.id, c.reason === 'disabled' ? { isEnabled: false } : { isMember: false });
        break;
      case 'reactivate':
        employeeUpdates.push({ id: c.account.employeeId, patch: { status: 'active' } });
        setAccount(c.account.id, accountFields(c.user));
        break;
      case 'keep':
        setAccount(c.account.id, { isMember: false });
        break;
      case 'delete':
        deleted.push(c.account.employeeId);
        break;
      case 'unlink':
        unlinked.push(c.account.id);
        entries.push({
          action: 'directory.account_unlinked',
          target: target(c.account.employeeId, c.account.username),
          details: { domain: domain.name, reason: 'left the sync group; the employee stays through another domain' },
        });
        break;
    }
  }
  for (const [accountId, isRotationMember] of plan.rotationFlags) setAccount(accountId, { isRotationMember });

  await employees.updateMany(ctx, employeeUpdates, tx);
  // New employees a batch at a time, with their accounts and invitations: what is held in memory stays one batch.
  for (const batch of chunked(creates)) {
    const inputs = batch.map((u) => ({
      email: employeeEmail(u)!,
      ...names(u),
      phone: u.phone,
      ...resolveOrg(u),
      status: u.enabled ? ('active' as const) : ('deactivated' as const),
      source: domain.id,
    }));
    const created = await employees.createMany(ctx, inputs, tx);
    await repo.insertAccounts(
      tx,
      batch.map((u, k) => ({ domainId: domain.id, employeeId: created[k].id, externalId: u.externalId, ...accountFields(u), isRotationMember: isRotation(u) })),
    );
    if (opts.inviter) {
      const invited = created.flatMap((e, k) => (batch[k].enabled ? [{ id: e.id, email: e.email, firstName: inputs[k].firstName }] : []));
      await opts.inviter.inviteNew(ctx, tx, invited);
    }
  }
  await repo.insertAccounts(tx, newAccounts);
  await repo.updateAccountsByIds(
    tx,
    [...accountSets].map(([id, set]) => ({ id, set })),
    now,
  );
  await repo.deleteAccountsByIds(tx, unlinked);
  await audit.recordMany(ctx, entries, tx);
  for (const employeeId of deleted) await employees.remove(ctx, employeeId, tx);
}

/**
 * After the plan, in the same transaction: the domain's imported groups become what the listing
 * reports (none when the domain imports no groups), and each member employee's memberships are
 * replaced; employees no longer in the sync group lose the domain's groups.
 */
export async function applyGroups(tx: Executor, domainId: string, listing: MemberListing): Promise<DirectoryGroupCounts> {
  const memberIds = new Set(listing.memberIds);
  const memberships = new Map<string, string[]>();
  if (listing.groups) {
    for (const a of await repo.findAccountsByDomain(tx, domainId)) {
      if (!a.isMember || !memberIds.has(a.externalId)) continue;
      memberships.set(a.employeeId, [...(memberships.get(a.employeeId) ?? []), ...(listing.groups.memberOf.get(a.externalId) ?? [])]);
    }
  }
  return directoryGroups.apply(tx, domainId, { groups: listing.groups?.groups ?? [], memberships });
}
