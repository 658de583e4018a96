import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import type { SessionService } from '../sessions/session.service.js';
import * as repo from './employee.repository.js';
import * as orgRepo from './organisation.repository.js';
import type { GroupRef } from '../groups/group.schemas.js';
import {
  enrolmentStates,
  type EmployeeCreate,
  type EmployeeDetailDto,
  type EmployeeDto,
  type EmployeeListDto,
  type EmployeePatch,
  type EmployeeQuery,
  type EmployeeStatus,
  type EnrolmentState,
} from './employee.schemas.js';

/** Counts per rollout state, and the share enrolled (whole per cent, rounded down: 99 % until the last one). */
export type EnrolmentCounts = { total: number; enrolledPercent: number; counts: Record<EnrolmentState, number> };
const emptyCounts = (): Record<EnrolmentState, number> => Object.fromEntries(enrolmentStates.map((s) => [s, 0])) as Record<EnrolmentState, number>;
const withPercent = (counts: Record<EnrolmentState, number>): EnrolmentCounts => {
  const total = enrolmentStates.reduce((a, s) => a + counts[s], 0);
  return { total, enrolledPercent: total === 0 ? 0 : Math.floor((counts.enrolled * 100) / total), counts };
};

/**
 * Called, inside the transaction, when an employee stops being active or is deleted: later
 * features (OIDC grants, SAML sessions) register here to revoke what the employee holds.
 */
export type EmployeeRevocationHook = (tx: Executor, employeeId: string) => Promise<void>;

export function toEmployeeDto(e: repo.EmployeeWithRefs): EmployeeDto {
  return {
    id: e.id,
    email: e.email,
    firstName: e.firstName,
    lastName: e.lastName,
    displayName: `${e.firstName} ${e.lastName}`.trim(),
    phone: e.phone,
    companyId: e.companyId,
    company: e.companyId ? { id: e.companyId, name: e.companyName ?? '' } : null,
    departmentId: e.departmentId,
    department: e.departmentId ? { id: e.departmentId, name: e.departmentName ?? '' } : null,
    positionId: e.positionId,
    position: e.positionId ? { id: e.positionId, name: e.positionName ?? '' } : null,
    status: e.status as EmployeeStatus,
    source: e.source,
    ssoOverride: { enabled: e.ssoEnabled ?? null, method: e.ssoMethod ?? null },
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

const TRACKED = ['email', 'firstName', 'lastName', 'phone', 'companyId', 'departmentId', 'positionId', 'status', 'ssoEnabled', 'ssoMethod'] as const;

export type EmployeeService = ReturnType<typeof createEmployeeService>;
export type { EmployeeRow, EmployeeWithRefs } from './employee.repository.js';
/** What other features' services read of an employee: its row, in the caller's transaction when given. */
export type { EmployeeSummary } from './employee.repository.js';
export type EmployeeLookup = Pick<EmployeeService, 'findById' | 'findByEmail'>;

export function createEmployeeService(deps: {
  db: Db;
  audit: AuditService;
  sessions: SessionService;
  revocationHooks?: EmployeeRevocationHook[];
  /** Called, inside the transaction, before an employee is deleted: what belongs to them goes too. */
  deletionHooks?: EmployeeRevocationHook[];
  /** Called after an admin ended the employee's sessions (workstations may lock: src/workstations). */
  sessionEndHooks?: ((ctx: RequestContext, employeeId: string) => Promise<void>)[];
  /** The groups feature (src/groups): an employee's groups, and a group's members for the list's filter. */
  groups?: { ofEmployee: (employeeId: string) => Promise<GroupRef[]>; memberIdsOf: (groupId: string) => repo.EmployeeIdSubquery };
  /** The credentials (src/authn) and invitations (src/invitations) the rollout state is computed from; built afresh per query (the clock moves). */
  enrolmentSources: () => repo.EnrolmentSources;
}) {
  const { db, audit, sessions } = deps;
  const hooks = deps.revocationHooks ?? [];
  const deletionHooks = deps.deletionHooks ?? [];

  /**
   * In the caller's transaction when given (no savepoint: a directory sync of thousands would
   * overflow PostgreSQL's subtransaction cache), else in a new one.
   */
  const inTransaction = <T>(outer: Executor | undefined, fn: (tx: Executor) => Promise<T>): Promise<T> => (outer ? fn(outer) : db.transaction(fn));

  async function revokeEverything(tx: Executor, id: string) {
    await sessions.revokeSubject('employee', id, { tx });
    for (const hook of hooks) await hook(tx, id);
  }

  /** Checks that referenced company, department and position exist and agree with each other. */
  async function resolveRefs(
    tx: Executor,
    input: { companyId?: string | null; departmentId?: string | null; positionId?: string | null },
    current?: repo.EmployeeRow,
  ) {
    let companyId = input.companyId !== undefined ? input.companyId : (current?.companyId ?? null);
    const departmentId = input.departmentId !== undefined ? input.departmentId : (current?.departmentId ?? null);
    if (companyId && !(await orgRepo.findCompanyById(tx, companyId))) throw new AppError('organisation.company_not_found', 'Company was not found');
    if (input.positionId && !(await orgRepo.findPositionById(tx, input.positionId)))
      throw new AppError('organisation.position_not_found', 'Position was not found');
    if (departmentId) {
      const dept = await orgRepo.findDepartmentById(tx, departmentId);
      if (!dept) throw new AppError('organisation.department_not_found', 'Department was not found');
      if (companyId && dept.companyId !== companyId)
        throw new AppError('organisation.department_mismatch', 'The department belongs to another company', { field: 'departmentId' });
      companyId = dept.companyId;
    }
    return { companyId, departmentId };
  }

  async function get(id: string, tx: Executor = db) {
    const e = await repo.findEmployeeById(tx, id);
    if (!e) throw new AppError('employees.not_found', 'Employee was not found');
    return e;
  }

  /** `outer`: run inside the caller's transaction (a directory sync applies all its changes or none). */
  async function create(ctx: RequestContext, input: EmployeeCreate & { source?: string }, outer?: Executor): Promise<EmployeeDto> {
    try {
      return await inTransaction(outer, async (tx) => {
        const refs = await resolveRefs(tx, input);
        const row = await repo.insertEmployee(tx, {
          email: input.email,
          firstName: input.firstName,
          lastName: input.lastName,
          phone: input.phone || null,
          ...refs,
          positionId: input.positionId ?? null,
          status: input.status ?? 'active',
          source: input.source ?? 'manual',
        });
        await audit.record(
          ctx,
          { action: 'employee.created', target: { type: 'employee', id: row.id, label: row.email }, details: { source: row.source } },
          tx,
        );
        return toEmployeeDto(await get(row.id, tx));
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('employees.email_in_use', 'Another employee has this e-mail address', { field: 'email' });
      throw err;
    }
  }

  async function update(ctx: RequestContext, id: string, patch: EmployeePatch, outer?: Executor): Promise<EmployeeDto> {
    try {
      return await inTransaction(outer, async (tx) => {
        const current = await get(id, tx);
        const refs = await resolveRefs(tx, patch, current);
        const next = { ...patch, ...refs, ...(patch.phone !== undefined ? { phone: patch.phone || null } : {}) };
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const k of TRACKED) {
          if (next[k] !== undefined && next[k] !== current[k]) changes[k] = { from: current[k], to: next[k] };
        }
        if (Object.keys(changes).length === 0) return toEmployeeDto(current);
        await repo.updateEmployeeById(tx, id, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])));
        const target = { type: 'employee', id, label: current.email };
        await audit.record(ctx, { action: 'employee.updated', target, details: { changes } }, tx);
        if (changes.status) {
          await audit.record(ctx, { action: 'employee.status_changed', target, details: changes.status }, tx);
          if (changes.status.to !== 'active') await revokeEverything(tx, id);
        }
        return toEmployeeDto(await get(id, tx));
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('employees.email_in_use', 'Another employee has this e-mail address', { field: 'email' });
      throw err;
    }
  }

  async function remove(ctx: RequestContext, id: string, outer?: Executor): Promise<void> {
    await inTransaction(outer, async (tx) => {
      const current = await get(id, tx);
      await revokeEverything(tx, id);
      for (const hook of deletionHooks) await hook(tx, id);
      await repo.deleteEmployeeById(tx, id);
      await audit.record(ctx, { action: 'employee.deleted', target: { type: 'employee', id, label: current.email } }, tx);
    });
  }

  /**
   * Bulk form of resolveRefs for imports: the departments' companies read in one statement; a
   * department decides its employee's company, and one of another company is refused.
   */
  async function resolveRefsMany(tx: Executor, items: { companyId: string | null; departmentId: string | null }[]) {
    const companyOf = await orgRepo.findDepartmentCompanies(
      tx,
      items.flatMap((i) => (i.departmentId ? [i.departmentId] : [])),
    );
    return items.map((i) => {
      if (!i.departmentId) return i;
      const deptCompany = companyOf.get(i.departmentId);
      if (!deptCompany) throw new AppError('organisation.department_not_found', 'Department was not found');
      if (i.companyId && deptCompany !== i.companyId)
        throw new AppError('organisation.department_mismatch', 'The department belongs to another company', { field: 'departmentId' });
      return { companyId: deptCompany, departmentId: i.departmentId };
    });
  }

  /**
   * Creates many employees in the caller's transaction (a directory sync): multi-row INSERTs of
   * 1,000 and their `employee.created` records appended in bulk, nothing read back. Returns the
   * new ids in the order of `inputs`. A taken e-mail fails the whole call (employees.email_in_use).
   */
  async function createMany(
    ctx: RequestContext,
    inputs: readonly (EmployeeCreate & { source?: string })[],
    tx: Executor,
  ): Promise<{ id: string; email: string }[]> {
    if (inputs.length === 0) return [];
    try {
      const refs = await resolveRefsMany(
        tx,
        inputs.map((i) => ({ companyId: i.companyId ?? null, departmentId: i.departmentId ?? null })),
      );
      const rows = await repo.insertEmployees(
        tx,
        inputs.map((input, k) => ({
          email: input.email,
          firstName: input.firstName,
          lastName: input.lastName,
          phone: input.phone || null,
          ...refs[k],
          positionId: input.positionId ?? null,
          status: input.status ?? 'active',
          source: input.source ?? 'manual',
        })),
      );
      await audit.recordMany(
        ctx,
        rows.map((row) => ({ action: 'employee.created', target: { type: 'employee', id: row.id, label: row.email }, details: { source: row.source } })),
        tx,
      );
      const byEmail = new Map(rows.map((r) => [r.emailNormalized, r]));
      return inputs.map((input) => {
        const row = byEmail.get(repo.normalizeEmail(input.email));
        if (!row) throw new Error(`employee ${input.email} was not inserted`);
        return { id: row.id, email: row.email };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('employees.email_in_use', 'Another employee has this e-mail address', { field: 'email' });
      throw err;
    }
  }

  /**
   * Changes many employees in the caller's transaction (a directory sync): their rows read in
   * bulk, the changes written in multi-row UPDATEs, `employee.updated` (and `employee.status_changed`)
   * appended in bulk, in the order of `items`. An employee who stops being active loses sessions
   * and grants as with update().
   */
  async function updateMany(ctx: RequestContext, items: readonly { id: string; patch: EmployeePatch }[], tx: Executor): Promise<void> {
    if (items.length === 0) return;
    try {
      // One patch per employee, merged in order (a sync may change a record and its status).
      const merged = new Map<string, EmployeePatch>();
      for (const { id, patch } of items) merged.set(id, { ...merged.get(id), ...patch });
      const current = new Map((await repo.findEmployeesByIds(tx, [...merged.keys()])).map((e) => [e.id, e]));
      for (const id of merged.keys()) if (!current.has(id)) throw new AppError('employees.not_found', 'Employee was not found');
      const planned = [...merged].map(([id, patch]) => ({ id, patch, before: current.get(id)! }));
      const refs = await resolveRefsMany(
        tx,
        planned.map(({ patch, before }) => ({
          companyId: patch.companyId !== undefined ? patch.companyId : before.companyId,
          departmentId: patch.departmentId !== undefined ? patch.departmentId : before.departmentId,
        })),
      );
      const entries: AuditEntry[] = [];
      const sets: { id: string; set: Record<string, unknown> }[] = [];
      const leaving: string[] = [];
      planned.forEach(({ id, patch, before }, k) => {
        const next = { ...patch, ...refs[k], ...(patch.phone !== undefined ? { phone: patch.phone || null } : {}) };
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const key of TRACKED) {
          if (next[key] !== undefined && next[key] !== before[key]) changes[key] = { from: before[key], to: next[key] };
        }
        if (Object.keys(changes).length === 0) return;
        sets.push({ id, set: Object.fromEntries(Object.entries(changes).map(([key, v]) => [key, v.to])) });
        const target = { type: 'employee', id, label: before.email };
        entries.push({ action: 'employee.updated', target, details: { changes } });
        if (changes.status) {
          entries.push({ action: 'employee.status_changed', target, details: changes.status });
          if (changes.status.to !== 'active') leaving.push(id);
        }
      });
      await repo.updateEmployeesByIds(tx, sets);
      await audit.recordMany(ctx, entries, tx);
      for (const id of leaving) await revokeEverything(tx, id);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('employees.email_in_use', 'Another employee has this e-mail address', { field: 'email' });
      throw err;
    }
  }

  /** Admin: signs the employee out everywhere (sessions, tokens); computers lock where their profile says so. */
  async function endSessions(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await get(id, tx);
      await revokeEverything(tx, id);
      await audit.record(ctx, { action: 'employee.sessions_ended', target: { type: 'employee', id, label: current.email } }, tx);
    });
    for (const hook of deps.sessionEndHooks ?? []) await hook(ctx, id);
  }

  return {
    get: async (id: string) => toEmployeeDto(await get(id)),
    /** The employee with its groups, for its page. */
    detail: async (id: string): Promise<Omit<EmployeeDetailDto, 'effectiveSso'>> => ({
      ...toEmployeeDto(await get(id)),
      groups: (await deps.groups?.ofEmployee(id)) ?? [],
    }),
    endSessions,
    /** The employee's row with its organisation names, or undefined (no audit, no error: for other services). */
    findById: (id: string, tx: Executor = db) => repo.findEmployeeById(tx, id),
    findByEmail: (email: string, tx: Executor = db) => repo.findEmployeeByEmail(tx, email),
    /** Every employee's id, normalised e-mail and status, for a directory sync to match against. */
    listForMatching: () => repo.findEmployeesForMatching(db),
    findActiveIds: (ids: string[]) => repo.findActiveEmployeeIds(db, ids),
    /** Id, e-mail, name and status of these employees, ordered by last and first name. */
    summariesByIds: (ids: string[]) => repo.findEmployeeSummariesByIds(db, ids),
    /** A page of employees, each with their rollout state (`enrolment`). */
    list: async (q: EmployeeQuery): Promise<EmployeeListDto> => {
      const { groupId, ...rest } = q;
      const idsIn = groupId ? deps.groups?.memberIdsOf(groupId) : undefined;
      const { items, total, isTotalCapped } = await repo.findEmployees(db, rest, { idsIn, enrolment: deps.enrolmentSources() });
      return { items: items.map((e) => ({ ...toEmployeeDto(e), enrolment: e.enrolment })), total, isTotalCapped, page: q.page, pageSize: q.pageSize };
    },
    /**
     * The rollout among active employees: counts per state, and per department (largest first, at
     * most `limit`; employees without a department under `department: null`).
     */
    rollout: async (limit = 10): Promise<EnrolmentCounts & { byDepartment: (EnrolmentCounts & { department: { id: string; name: string } | null })[] }> => {
      const rows = await repo.countActiveByDepartmentAndEnrolment(db, deps.enrolmentSources());
      const all = emptyCounts();
      const byDept = new Map<string | null, { department: { id: string; name: string } | null; counts: Record<EnrolmentState, number> }>();
      for (const r of rows) {
        all[r.state] += r.count;
        let d = byDept.get(r.departmentId);
        if (!d) {
          d = { department: r.departmentId ? { id: r.departmentId, name: r.departmentName ?? '' } : null, counts: emptyCounts() };
          byDept.set(r.departmentId, d);
        }
        d.counts[r.state] += r.count;
      }
      const byDepartment = [...byDept.values()]
        .map((d) => ({ department: d.department, ...withPercent(d.counts) }))
        .sort((a, b) => b.total - a.total || (a.department?.name ?? '\uffff').localeCompare(b.department?.name ?? '\uffff'))
        .slice(0, limit);
      return { ...withPercent(all), byDepartment };
    },
    create,
    createMany,
    update,
    updateMany,
    remove,
    countByStatus: () => repo.countEmployeesByStatus(db),
  };
}
