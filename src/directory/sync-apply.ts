import type { AuditService } from '../audit/audit.service.js';
import type { Executor } from '../db/connection.js';
import type { EmployeeService } from '../employees/employee.service.js';
import type { EmployeePatch } from '../employees/employee.schemas.js';
import * as orgRepo from '../employees/organisation.repository.js';
import type { RequestContext } from '../lib/context.js';
import type { DirectoryUser } from './connector.js';
import * as repo from './directory.repository.js';
import { employeeEmail, type SyncPlan } from './sync-plan.js';

/** The part of the invitation service an import uses: invite inside the sync's transaction. */
export interface ImportInviter {
  invite(ctx: RequestContext, tx: Executor, employeeId: string): Promise<void>;
}

/** Company, department and position by name, created on first use (cached for the run). */
async function orgResolver(tx: Executor, audit: AuditService, ctx: RequestContext) {
  const companies = new Map<string, { id: string; departments: Map<string, string> }>();
  for (const c of await orgRepo.findCompaniesWithDepartments(tx)) {
    companies.set(orgRepo.normalizeName(c.name), { id: c.id, departments: new Map(c.departments.map((d) => [orgRepo.normalizeName(d.name), d.id])) });
  }
  const positions = new Map((await orgRepo.findPositions(tx)).map((p) => [orgRepo.normalizeName(p.name), p.id]));
  return async (u: DirectoryUser) => {
    let companyId: string | null = null;
    let departmentId: string | null = null;
    let positionId: string | null = null;
    if (u.company) {
      let c = companies.get(orgRepo.normalizeName(u.company));
      if (!c) {
        const row = await orgRepo.insertCompany(tx, u.company);
        await audit.record(ctx, { action: 'company.created', target: { type: 'company', id: row.id, label: row.name }, details: { source: 'directory' } }, tx);
        c = { id: row.id, departments: new Map() };
        companies.set(orgRepo.normalizeName(u.company), c);
      }
      companyId = c.id;
      // A department belongs to a company: without a company, the directory's department is not kept.
      if (u.department) {
        departmentId = c.departments.get(orgRepo.normalizeName(u.department)) ?? null;
        if (!departmentId) {
          const row = await orgRepo.insertDepartment(tx, c.id, u.department);
          await audit.record(ctx, { action: 'department.created', target: { type: 'department', id: row.id, label: row.name }, details: { source: 'directory' } }, tx);
          departmentId = row.id;
          c.departments.set(orgRepo.normalizeName(u.department), row.id);
        }
      }
    }
    if (u.title) {
      positionId = positions.get(orgRepo.normalizeName(u.title)) ?? null;
      if (!positionId) {
        const row = await orgRepo.insertPosition(tx, u.title);
        await audit.record(ctx, { action: 'position.created', target: { type: 'position', id: row.id, label: row.name }, details: { source: 'directory' } }, tx);
        positionId = row.id;
        positions.set(orgRepo.normalizeName(u.title), row.id);
      }
    }
    return { companyId, departmentId, positionId };
  };
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
  tx: Executor; ctx: RequestContext; plan: SyncPlan; domain: repo.DomainRow; rotationIds: ReadonlySet<string> | null;
  employees: EmployeeService; audit: AuditService; inviter: ImportInviter | null;
}): Promise<void> {
  const { tx, ctx, plan, domain, employees, audit } = opts;
  const resolveOrg = await orgResolver(tx, audit, ctx);
  const link = (employeeId: string, u: DirectoryUser) => repo.insertAccount(tx, {
    domainId: domain.id, employeeId, externalId: u.externalId, ...accountFields(u), isRotationMember: opts.rotationIds?.has(u.externalId) ?? false,
  });
  const target = (employeeId: string, label: string) => ({ type: 'employee', id: employeeId, label });

  for (const c of plan.changes) {
    switch (c.action) {
      case 'create': {
        const u = c.user;
        const e = await employees.create(ctx, {
          email: employeeEmail(u)!, ...names(u), phone: u.phone, ...(await resolveOrg(u)),
          status: u.enabled ? 'active' : 'deactivated', source: domain.id,
        }, tx);
        await link(e.id, u);
        if (opts.inviter && u.enabled) await opts.inviter.invite(ctx, tx, e.id);
        break;
      }
      case 'link': {
        const u = c.user;
        await link(c.employeeId, u);
        await audit.record(ctx, { action: 'directory.account_linked', target: target(c.employeeId, employeeEmail(u)!), details: { domain: domain.name, username: u.username, matchedBy: 'email' } }, tx);
        break;
      }
      case 'update': {
        const u = c.user;
        const patch: EmployeePatch = {};
        const f = new Set(c.fields);
        if (f.has('email') || f.has('upn')) { const email = employeeEmail(u); if (email) patch.email = email; }
        if (f.has('givenName') || f.has('surname') || f.has('displayName') || f.has('username')) Object.assign(patch, names(u));
        if (f.has('phone')) patch.phone = u.phone;
        if (f.has('company') || f.has('department') || f.has('title')) Object.assign(patch, await resolveOrg(u));
        if (Object.keys(patch).length > 0) await employees.update(ctx, c.account.employeeId, patch, tx);
        await repo.updateAccountById(tx, c.account.id, accountFields(u));
        break;
      }
      case 'deactivate':
        await employees.update(ctx, c.account.employeeId, { status: 'deactivated' }, tx);
        await repo.updateAccountById(tx, c.account.id, c.reason === 'disabled' ? { isEnabled: false } : { isMember: false });
        break;
      case 'reactivate':
        await employees.update(ctx, c.account.employeeId, { status: 'active' }, tx);
        await repo.updateAccountById(tx, c.account.id, accountFields(c.user));
        break;
      case 'keep':
        await repo.updateAccountById(tx, c.account.id, { isMember: false });
        break;
      case 'delete':
        await employees.remove(ctx, c.account.employeeId, tx);
        break;
      case 'unlink':
        await repo.deleteAccountById(tx, c.account.id);
        await audit.record(ctx, { action: 'directory.account_unlinked', target: target(c.account.employeeId, c.account.username), details: { domain: domain.name, reason: 'left the sync group; the employee stays through another domain' } }, tx);
        break;
    }
  }
  for (const [accountId, isRotationMember] of plan.rotationFlags) await repo.updateAccountById(tx, accountId, { isRotationMember });
}
