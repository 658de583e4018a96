import type { AuditService } from '../audit/audit.service.js';
import type { AuditAction, AuditEntry } from '../audit/audit.actions.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import * as repo from './organisation.repository.js';

type Kind = 'company' | 'department' | 'position';

const notFoundCode = {
  company: 'organisation.company_not_found',
  department: 'organisation.department_not_found',
  position: 'organisation.position_not_found',
} as const;
const label = { company: 'Company', department: 'Department', position: 'Position' } as const;
const referenceColumn = { company: 'companyId', department: 'departmentId', position: 'positionId' } as const;

export type OrganisationService = ReturnType<typeof createOrganisationService>;

/** Companies with their departments, and positions: the organisation employees are placed in. */
export function createOrganisationService(deps: { db: Db; audit: AuditService }) {
  const { db, audit } = deps;

  const find = { company: repo.findCompanyById, department: repo.findDepartmentById, position: repo.findPositionById };

  async function mustFind(tx: Executor, kind: Kind, id: string) {
    const row = await find[kind](tx, id);
    if (!row) throw new AppError(notFoundCode[kind], `${label[kind]} was not found`);
    return row;
  }

  /** Runs a write with its audit record in one transaction, turning a duplicate name into a clear 409. */
  async function write<T extends { id: string; name: string }>(
    ctx: RequestContext,
    kind: Kind,
    verb: 'created' | 'updated' | 'deleted',
    fn: (tx: Executor) => Promise<T>,
    details: Record<string, unknown> = {},
  ): Promise<T> {
    try {
      return await db.transaction(async (tx) => {
        const row = await fn(tx);
        await audit.record(ctx, { action: `${kind}.${verb}` as AuditAction, target: { type: kind, id: row.id, label: row.name }, details }, tx);
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AppError('organisation.name_in_use', `A ${kind} with this name already exists${kind === 'department' ? ' in this company' : ''}`, {
          field: 'name',
        });
      throw err;
    }
  }

  async function assertUnused(tx: Executor, kind: Kind, id: string) {
    const n = await repo.countEmployeesReferencing(tx, referenceColumn[kind], id);
    if (n > 0) throw new AppError('organisation.in_use', `${label[kind]} is assigned to ${n} employee${n === 1 ? '' : 's'}; move them first`);
  }

  /**
   * For bulk imports: the company, department and position of every one of `refs`, resolved by
   * name at once in the caller's transaction: one read of the existing names, the missing ones
   * created in multi-row statements with their audit records (`details.source`) appended in bulk.
   * A department is kept only within a company. Returns a lookup that answers without the database.
   */
  async function resolveAllInTransaction(
    ctx: RequestContext,
    tx: Executor,
    source: string,
    refs: readonly { company?: string | null; department?: string | null; title?: string | null }[],
  ) {
    const existing = await repo.findOrganisationNames(tx);
    const companyIds = new Map(existing.companies.map((c) => [c.nameNormalized, c.id]));
    const departmentIds = new Map(existing.departments.map((d) => [`${d.companyId}\n${d.nameNormalized}`, d.id]));
    const positionIds = new Map(existing.positions.map((p) => [p.nameNormalized, p.id]));
    const created: AuditEntry[] = [];
    const note = (kind: Kind, rows: { id: string; name: string; isNew: boolean }[]) => {
      for (const r of rows) if (r.isNew) created.push({ action: `${kind}.created`, target: { type: kind, id: r.id, label: r.name }, details: { source } });
    };

    const newCompanies = new Map<string, string>();
    const newPositions = new Map<string, string>();
    for (const u of refs) {
      if (u.company && !companyIds.has(repo.normalizeName(u.company)))
        newCompanies.set(repo.normalizeName(u.company), newCompanies.get(repo.normalizeName(u.company)) ?? u.company);
      if (u.title && !positionIds.has(repo.normalizeName(u.title)))
        newPositions.set(repo.normalizeName(u.title), newPositions.get(repo.normalizeName(u.title)) ?? u.title);
    }
    const companyRows = await repo.insertCompanies(tx, [...newCompanies.values()]);
    for (const r of companyRows) companyIds.set(r.nameNormalized, r.id);
    note('company', companyRows);

    const newDepartments = new Map<string, { companyId: string; name: string }>();
    for (const u of refs) {
      if (!u.company || !u.department) continue;
      const companyId = companyIds.get(repo.normalizeName(u.company))!;
      const key = `${companyId}\n${repo.normalizeName(u.department)}`;
      if (!departmentIds.has(key) && !newDepartments.has(key)) newDepartments.set(key, { companyId, name: u.department });
    }
    const departmentRows = await repo.insertDepartments(tx, [...newDepartments.values()]);
    for (const r of departmentRows) departmentIds.set(`${r.companyId}\n${r.nameNormalized}`, r.id);
    note('department', departmentRows);

    const positionRows = await repo.insertPositions(tx, [...newPositions.values()]);
    for (const r of positionRows) positionIds.set(r.nameNormalized, r.id);
    note('position', positionRows);
    await audit.recordMany(ctx, created, tx);

    return (u: { company?: string | null; department?: string | null; title?: string | null }) => {
      const companyId = u.company ? (companyIds.get(repo.normalizeName(u.company)) ?? null) : null;
      // A department belongs to a company: without a company, the imported department is not kept.
      const departmentId = companyId && u.department ? (departmentIds.get(`${companyId}\n${repo.normalizeName(u.department)}`) ?? null) : null;
      const positionId = u.title ? (positionIds.get(repo.normalizeName(u.title)) ?? null) : null;
      return { companyId, departmentId, positionId };
    };
  }

  return {
    resolveAllInTransaction,
    listCompanies: () => repo.findCompaniesWithDepartments(db),
    listPositions: () => repo.findPositions(db),
    getCompany: (id: string) => mustFind(db, 'company', id),
    getDepartment: (id: string) => mustFind(db, 'department', id),
    getPosition: (id: string) => mustFind(db, 'position', id),
    findCompanyByName: (name: string) => repo.findCompanyByName(db, name),

    createCompany: (ctx: RequestContext, name: string) => write(ctx, 'company', 'created', (tx) => repo.insertCompany(tx, name)),
    renameCompany: (ctx: RequestContext, id: string, name: string) =>
      write(
        ctx,
        'company',
        'updated',
        async (tx) => {
          await mustFind(tx, 'company', id);
          return (await repo.updateCompanyName(tx, id, name))!;
        },
        { name },
      ),
    deleteCompany: (ctx: RequestContext, id: string) =>
      write(ctx, 'company', 'deleted', async (tx) => {
        const row = await mustFind(tx, 'company', id);
        await assertUnused(tx, 'company', id);
        await repo.deleteCompanyById(tx, id);
        return row;
      }),

    createDepartment: (ctx: RequestContext, companyId: string, name: string) =>
      write(
        ctx,
        'department',
        'created',
        async (tx) => {
          await mustFind(tx, 'company', companyId);
          return repo.insertDepartment(tx, companyId, name);
        },
        { companyId },
      ),
    renameDepartment: (ctx: RequestContext, id: string, name: string) =>
      write(
        ctx,
        'department',
        'updated',
        async (tx) => {
          await mustFind(tx, 'department', id);
          return (await repo.updateDepartmentName(tx, id, name))!;
        },
        { name },
      ),
    deleteDepartment: (ctx: RequestContext, id: string) =>
      write(ctx, 'department', 'deleted', async (tx) => {
        const row = await mustFind(tx, 'department', id);
        await assertUnused(tx, 'department', id);
        await repo.deleteDepartmentById(tx, id);
        return row;
      }),

    createPosition: (ctx: RequestContext, name: string) => write(ctx, 'position', 'created', (tx) => repo.insertPosition(tx, name)),
    renamePosition: (ctx: RequestContext, id: string, name: string) =>
      write(
        ctx,
        'position',
        'updated',
        async (tx) => {
          await mustFind(tx, 'position', id);
          return (await repo.updatePositionName(tx, id, name))!;
        },
        { name },
      ),
    deletePosition: (ctx: RequestContext, id: string) =>
      write(ctx, 'position', 'deleted', async (tx) => {
        const row = await mustFind(tx, 'position', id);
        await assertUnused(tx, 'position', id);
        await repo.deletePositionById(tx, id);
        return row;
      }),
  };
}
