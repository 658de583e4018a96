import type { AuditService } from '../audit/audit.service.js';
import type { AuditAction } from '../audit/audit.actions.js';
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
   * For imports: company, department and position by name, created on first use with their audit
   * records (`details.source`), in the caller's transaction; the existing names are read once.
   */
  async function resolverInTransaction(ctx: RequestContext, tx: Executor, source: string) {
    const companies = new Map<string, { id: string; departments: Map<string, string> }>();
    for (const c of await repo.findCompaniesWithDepartments(tx)) {
      companies.set(repo.normalizeName(c.name), { id: c.id, departments: new Map(c.departments.map((d) => [repo.normalizeName(d.name), d.id])) });
    }
    const positions = new Map((await repo.findPositions(tx)).map((p) => [repo.normalizeName(p.name), p.id]));
    return async (u: { company?: string | null; department?: string | null; title?: string | null }) => {
      let companyId: string | null = null;
      let departmentId: string | null = null;
      let positionId: string | null = null;
      if (u.company) {
        let c = companies.get(repo.normalizeName(u.company));
        if (!c) {
          const row = await repo.insertCompany(tx, u.company);
          await audit.record(ctx, { action: 'company.created', target: { type: 'company', id: row.id, label: row.name }, details: { source } }, tx);
          c = { id: row.id, departments: new Map() };
          companies.set(repo.normalizeName(u.company), c);
        }
        companyId = c.id;
        // A department belongs to a company: without a company, the imported department is not kept.
        if (u.department) {
          departmentId = c.departments.get(repo.normalizeName(u.department)) ?? null;
          if (!departmentId) {
            const row = await repo.insertDepartment(tx, c.id, u.department);
            await audit.record(ctx, { action: 'department.created', target: { type: 'department', id: row.id, label: row.name }, details: { source } }, tx);
            departmentId = row.id;
            c.departments.set(repo.normalizeName(u.department), row.id);
          }
        }
      }
      if (u.title) {
        positionId = positions.get(repo.normalizeName(u.title)) ?? null;
        if (!positionId) {
          const row = await repo.insertPosition(tx, u.title);
          await audit.record(ctx, { action: 'position.created', target: { type: 'position', id: row.id, label: row.name }, details: { source } }, tx);
          positionId = row.id;
          positions.set(repo.normalizeName(u.title), row.id);
        }
      }
      return { companyId, departmentId, positionId };
    };
  }

  return {
    resolverInTransaction,
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
