import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { RequestContext } from '../lib/context.js';
import { AppError } from '../lib/errors.js';
import * as repo from './application-access.repository.js';
import type { AccessMode, AssignmentKind, StoredAccess } from './application-access.repository.js';

export type AccessProtocol = 'oidc' | 'saml' | 'wsfed';

/** The application whose access is read or changed, as its protocol's service found it (the caller checks it exists). */
export interface AccessOwner {
  protocol: AccessProtocol;
  id: string;
  name: string;
}

export type AccessTarget = { kind: AssignmentKind; id: string; name: string; detail: string | null };

/** What the access service needs of groups, departments and employees (wired in src/app/services.ts). */
export interface AccessDirectory {
  /** Whether the employee is a member of at least one of these groups. */
  isMemberOfAny(employeeId: string, groupIds: string[]): Promise<boolean>;
  /** Those of these ids that exist, with a name to show; unknown ids are absent. */
  groups(ids: string[]): Promise<AccessTarget[]>;
  departments(ids: string[]): Promise<AccessTarget[]>;
  employees(ids: string[]): Promise<AccessTarget[]>;
  /** Groups, departments and employees whose name (or e-mail) contains the text. */
  search(q: string, limit: number): Promise<AccessTarget[]>;
}

export type AccessInput = { mode: AccessMode; groups: string[]; departments: string[]; employees: string[] };
export type AccessView = { mode: AccessMode; groups: AccessTarget[]; departments: AccessTarget[]; employees: AccessTarget[] };

export type ApplicationAccessService = ReturnType<typeof createApplicationAccessService>;

const KINDS: AssignmentKind[] = ['group', 'department', 'employee'];
const FIELDS = { group: 'groups', department: 'departments', employee: 'employees' } as const satisfies Record<AssignmentKind, keyof AccessInput>;

/**
 * Application assignment (issue 15): each SSO application is open to every employee (the default)
 * or only to chosen groups, departments and employees. `isAllowed` is the check src/sso/app-access.ts
 * makes for every protocol and the portal, so the portal cannot list what a protocol would refuse.
 */
export function createApplicationAccessService(deps: { db: Db; audit: AuditService; directory: AccessDirectory }) {
  const { db, audit, directory } = deps;
  const TARGET_TYPES: Record<AccessProtocol, string> = { oidc: 'oidc_client', saml: 'saml_sp', wsfed: 'wsfed_rp' };

  /** The stored grants that still name something, by kind (a deleted group, department or employee drops out). */
  async function view(stored: StoredAccess): Promise<AccessView> {
    const ids = (kind: AssignmentKind) => stored.grants.filter((g) => g.kind === kind).map((g) => g.targetId);
    const [groups, departments, employees] = await Promise.all([
      directory.groups(ids('group')),
      directory.departments(ids('department')),
      directory.employees(ids('employee')),
    ]);
    return { mode: stored.mode, groups, departments, employees };
  }
  const idsOfStored = (a: StoredAccess) => {
    const of = (kind: AssignmentKind) => a.grants.filter((g) => g.kind === kind).map((g) => g.targetId);
    return { mode: a.mode, groups: of('group'), departments: of('department'), employees: of('employee') };
  };

  return {
    get: async (applicationId: string): Promise<AccessView> => view(await repo.findAccess(db, applicationId)),

    /**
     * Whether the employee may use the application: open to everyone, or a grant names their
     * group, their department or them (the stored employee; a grant to a missing target matches nobody).
     */
    async isAllowed(app: { id: string }, employee: { id: string; departmentId: string | null }): Promise<boolean> {
      const stored = await repo.findAccess(db, app.id);
      if (stored.mode === 'everyone') return true;
      const of = (kind: AssignmentKind) => stored.grants.filter((g) => g.kind === kind).map((g) => g.targetId);
      if (of('employee').includes(employee.id)) return true;
      if (employee.departmentId && of('department').includes(employee.departmentId)) return true;
      return directory.isMemberOfAny(employee.id, of('group'));
    },

    /** Sets who may use the application; every id must name an existing target (400 with the field otherwise). Audited with before and after. */
    async set(ctx: RequestContext, app: AccessOwner, input: AccessInput): Promise<AccessView> {
      const wanted: StoredAccess = { mode: input.mode, grants: [] };
      for (const kind of KINDS) {
        const field = FIELDS[kind];
        const ids = [...new Set(input[field])];
        const found = new Set((await directory[field](ids)).map((t) => t.id));
        const unknown = ids.filter((id) => !found.has(id));
        if (unknown.length > 0)
          throw new AppError('applications.access_target_unknown', `No such ${kind}: ${unknown.join(', ')}`, { details: { field, unknown } });
        for (const targetId of ids) wanted.grants.push({ kind, targetId });
      }
      // Only this feature's rows inside the transaction: on PGlite (one connection) a lookup of
      // groups or employees outside it would wait for it to end.
      await db.transaction(async (tx) => {
        const before = idsOfStored(await repo.findAccess(tx, app.id));
        await repo.replaceAccess(tx, app, wanted);
        await audit.record(
          ctx,
          {
            action: 'application.access_changed',
            target: { type: TARGET_TYPES[app.protocol], id: app.id, label: app.name },
            details: { before, after: idsOfStored(wanted) },
          },
          tx,
        );
      });
      return view(wanted);
    },

    /** Groups, departments and employees to pick from in the console. */
    searchTargets: (q: string, limit = 20) => directory.search(q, limit),

    /** The application itself was removed: its access rows go with it (the removal is audited by its protocol). */
    async forget(applicationId: string): Promise<void> {
      await repo.deleteAccess(db, applicationId);
    },
  };
}
