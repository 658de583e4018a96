import type { Db, Executor } from '../db/connection.js';
import type { EmployeeLookup } from '../employees/employee.service.js';
import { AppError } from '../lib/errors.js';
import * as repo from './directory.repository.js';
import type { AccountDto } from './directory.schemas.js';
import type { DomainKind } from './directory.constants.js';
import type { DomainService } from './domain.service.js';

export type AccountService = ReturnType<typeof createAccountService>;

/** What SSO claims read of a directory account: its names and the directory's record as last synced. */
export interface DirectoryIdentity {
  domainId: string;
  domainKind: DomainKind;
  externalId: string;
  /** AD sAMAccountName; Entra: the UPN's local part. */
  username: string;
  upn: string | null;
  /** The DirectoryUser record of the last sync (plus what the connector maps, e.g. AD objectSid). */
  attributes: Record<string, unknown>;
}

export function createAccountService(deps: { db: Db; domains: DomainService; employees: EmployeeLookup }) {
  const { db, domains, employees } = deps;

  /** The accounts a logon name (`DOMAIN\\user`, a UPN or a bare user name) names. */
  async function accountsNamedBy(account: string) {
    const backslash = account.indexOf('\\');
    if (backslash < 0 && account.includes('@')) return repo.findAccountsByLogonName(db, { upn: account });
    const domain = backslash >= 0 ? account.slice(0, backslash).toLowerCase() : null;
    const username = backslash >= 0 ? account.slice(backslash + 1) : account;
    const hits = await repo.findAccountsByLogonName(db, { username });
    if (!domain) return hits;
    // NetBIOS name: the domain's first label (CORP of corp.example.com), or the first DC= of its base DN.
    const netbios = (h: (typeof hits)[number]) =>
      [h.domainName.split('.')[0], /DC=([^,]+)/i.exec(h.baseDn ?? '')?.[1], h.domainName].map((x) => x?.toLowerCase());
    return hits.filter((h) => netbios(h).includes(domain));
  }

  return {
    /**
     * The employee an operating-system logon name belongs to (`DOMAIN\\user`, or a UPN), through the
     * accounts the directory sync imported; undefined when none, or when it is ambiguous.
     */
    async employeeIdForLogon(account: string): Promise<string | undefined> {
      const hits = await accountsNamedBy(account);
      if (hits.length > 0) {
        const ids = new Set(hits.map((h) => h.employeeId));
        return ids.size === 1 ? [...ids][0] : undefined;
      }
      // A UPN no account carries: the employee whose e-mail it is.
      if (!account.includes('\\') && account.includes('@')) return (await employees.findByEmail(account))?.id;
      return undefined;
    },
    /**
     * The employee's directory accounts a logon name names (what a workstation logon is given:
     * that account's password, not the employee's passwords in other domains); none when the name
     * is ambiguous between employees.
     */
    async accountIdsForLogon(employeeId: string, account: string): Promise<string[]> {
      const hits = await accountsNamedBy(account);
      if (new Set(hits.map((h) => h.employeeId)).size !== 1) return [];
      return hits.filter((h) => h.employeeId === employeeId).map((h) => h.accountId);
    },
    /**
     * The Entra object ids of the employee's accounts in the given tenants (lower case): what an
     * EAM hint names them by.
     */
    async entraObjectIdsIn(employeeId: string, tenantIds: ReadonlySet<string>): Promise<string[]> {
      const ids: string[] = [];
      for (const a of await repo.findAccountsByEmployee(db, employeeId)) {
        if (a.domainKind !== 'entra') continue;
        const domain = await repo.findDomainById(db, a.domainId);
        const tenantId = String(domain?.settings.tenantId ?? '').toLowerCase();
        if (tenantIds.has(tenantId)) ids.push(a.externalId.toLowerCase());
      }
      return ids;
    },
    /** The external ids of these employees' directory accounts, by employee id (a backup names people by them). */
    async externalIdsByEmployee(employeeIds: string[], tx: Executor = db): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>();
      for (const r of await repo.findExternalIdsByEmployeeIds(tx, employeeIds)) out.set(r.employeeId, [...(out.get(r.employeeId) ?? []), r.externalId]);
      return out;
    },
    /** The one employee whose directory accounts carry these external ids; undefined when none or several. */
    async employeeIdForExternalIds(externalIds: string[], tx: Executor = db): Promise<string | undefined> {
      const ids = await repo.findEmployeeIdsByExternalIds(tx, externalIds);
      return ids.length === 1 ? ids[0] : undefined;
    },
    /**
     * The directory account an employee's SSO claims describe (src/sso/employee-attributes.ts):
     * the one in the domain that imported them (employees.source), else the first (by domain
     * name) still in its sync group, else the first; undefined without any account.
     */
    async claimsAccountOf(employeeId: string, importingDomainId: string | null): Promise<DirectoryIdentity | undefined> {
      const accounts = await repo.findAccountsByEmployee(db, employeeId);
      const a = accounts.find((x) => x.domainId === importingDomainId) ?? accounts.find((x) => x.isMember) ?? accounts[0];
      if (!a) return undefined;
      return {
        domainId: a.domainId,
        domainKind: a.domainKind as DomainKind,
        externalId: a.externalId,
        username: a.username,
        upn: a.upn,
        attributes: a.attributes,
      };
    },
    async listForEmployee(employeeId: string): Promise<AccountDto[]> {
      if (!(await employees.findById(employeeId))) throw new AppError('employees.not_found', 'Employee was not found');
      const out: AccountDto[] = [];
      for (const a of await repo.findAccountsByEmployee(db, employeeId)) {
        const domain = await domains.get(a.domainId);
        const states = (await repo.findDomainPasswords(db, a.id, ['current', 'pending'])).map((p) => p.state);
        out.push({
          id: a.id,
          domainId: a.domainId,
          domainName: a.domainName,
          domainKind: a.domainKind,
          username: a.username,
          upn: a.upn,
          isEnabled: a.isEnabled,
          isMember: a.isMember,
          isRotationMember: a.isRotationMember,
          passwordChangedAt: a.passwordChangedAt?.toISOString() ?? null,
          hasManagedPassword: states.includes('current'),
          hasPendingPassword: states.includes('pending'),
          canChangePassword: domain.secret !== null && domains.connectorFor(domain).capabilities.changeOwnPassword,
        });
      }
      return out;
    },
  };
}
