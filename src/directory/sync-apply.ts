import type { AuditService } from '../audit/audit.service.js';
import type { Executor } from '../db/connection.js';
import type { EmployeeService } from '../employees/employee.service.js';
import type { EmployeePatch } from '../employees/employee.schemas.js';
import type { OrganisationService } from '../employees/organisation.service.js';
import type { RequestContext } from '../lib/context.js';
import { type DirectoryGroupCounts, directoryGroups } from '../groups/directory-groups.service.js';
import type { DirectoryUser, MemberListing } from './connector.js';
import * as repo from './directory.repository.js';
import { employeeEmail, type SyncPlan } from './sync-plan.js';

/** The part of the invitation service an import uses: invite inside the sync's transaction. */
export interface ImportInviter {
  invite(ctx: RequestContext, tx: Executor, employeeId: string): Promise<void>;
}

function names(u: DirectoryUser) {
  const firstName = (u.givenName ?? u.displayName ?? u.username).slice(0, 100);
  return { firstName, lastName: (u.surname ?? '').slice(0, 100) };
}

const accountFields = (u: DirectoryUser) => ({ username: u.username, upn: u.upn, attributes: { ...u }, isEnabled: u.enabled, isMember: true });

/**
 * Applies a plan inside the caller's transaction: every change or none. Employees change only
 * through the employee service, so its audit records and session/credential hooks run.
 */
export async function applyPlan(opts: {
  tx: Executor;
  ctx: RequestContext;
  plan: SyncPlan;
  domain: repo.DomainRow;
  rotationIds: ReadonlySet<string> | null;
  employees: EmployeeService;
  organisation: Pick<OrganisationService, 'resolverInTransaction'>;
  audit: AuditService;
  inviter: ImportInviter | null;
  /** The clock's time, written as the accounts' updatedAt. */
  now: Date;
}): Promise<void> {
  const { tx, ctx, plan, domain, employees, audit, now } = opts;
  const resolveOrg = await opts.organisation.resolverInTransaction(ctx, tx, 'directory');
  const link = (employeeId: string, u: DirectoryUser) =>
    repo.insertAccount(tx, {
      domainId: domain.id,
      employeeId,
      externalId: u.externalId,
      ...accountFields(u),
      isRotationMember: opts.rotationIds?.has(u.externalId) ?? false,
    });
  const target = (employeeId: string, label: string) => ({ type: 'employee', id: employeeId, label });

  for (const c of plan.changes) {
    switch (c.action) {
      case 'create': {
        const u = c.user;
        const e = await employees.create(
          ctx,
          {
            email: employeeEmail(u)!,
            ...names(u),
            phone: u.phone,
            ...(await resolveOrg(u)),
            status: u.enabled ? 'active' : 'deactivated',
            source: domain.id,
          },
          tx,
        );
        await link(e.id, u);
        if (opts.inviter && u.enabled) await opts.inviter.invite(ctx, tx, e.id);
        break;
      }
      case 'link': {
        const u = c.user;
        await link(c.employeeId, u);
        await audit.record(
          ctx,
          {
            action: 'directory.account_linked',
            target: target(c.employeeId, employeeEmail(u)!),
            details: { domain: domain.name, username: u.username, matchedBy: 'email' },
          },
          tx,
        );
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
        if (f.has('company') || f.has('department') || f.has('title')) Object.assign(patch, await resolveOrg(u));
        if (Object.keys(patch).length > 0) await employees.update(ctx, c.account.employeeId, patch, tx);
        await repo.updateAccountById(tx, c.account.id, accountFields(u), now);
        break;
      }
      case 'deactivate':
        await employees.update(ctx, c.account.employeeId, { status: 'deactivated' }, tx);
        await repo.updateAccountById(tx, c.account.id, c.reason === 'disabled' ? { isEnabled: false } : { isMember: false }, now);
        break;
      case 'reactivate':
        await employees.update(ctx, c.account.employeeId, { status: 'active' }, tx);
        await repo.updateAccountById(tx, c.account.id, accountFields(c.user), now);
        break;
      case 'keep':
        await repo.updateAccountById(tx, c.account.id, { isMember: false }, now);
        break;
      case 'delete':
        await employees.remove(ctx, c.account.employeeId, tx);
        break;
      case 'unlink':
        await repo.deleteAccountById(tx, c.account.id);
        await audit.record(
          ctx,
          {
            action: 'directory.account_unlinked',
            target: target(c.account.employeeId, c.account.username),
            details: { domain: domain.name, reason: 'left the sync group; the employee stays through another domain' },
          },
          tx,
        );
        break;
    }
  }
  for (const [accountId, isRotationMember] of plan.rotationFlags) await repo.updateAccountById(tx, accountId, { isRotationMember }, now);
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
