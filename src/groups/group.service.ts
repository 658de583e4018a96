import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { EmployeeDto, EmployeeQuery } from '../employees/employee.schemas.js';
import type { EmployeeSummary } from '../employees/employee.service.js';
import type { RequestContext } from '../lib/context.js';
import { AppError, isForeignKeyViolation, isUniqueViolation } from '../lib/errors.js';
import * as repo from './group.repository.js';
import type { GroupCreate, GroupDto, GroupPatch, GroupQuery, GroupRef, GroupSource } from './group.schemas.js';

export type GroupService = ReturnType<typeof createGroupService>;

type Paged<T> = { items: T[]; total: number; page: number; pageSize: number };

/**
 * Groups of employees. Local groups (no domain) are the console's: created, renamed, deleted and
 * filled here. Directory groups are their domain's sync's (src/directory): every change to one is
 * refused with `groups.directory_owned`, since the next sync would undo it.
 */
export function createGroupService(deps: {
  db: Db;
  audit: AuditService;
  employees: {
    summariesByIds: (ids: string[]) => Promise<EmployeeSummary[]>;
    findByEmail: (email: string) => Promise<{ id: string } | undefined>;
    /** The employees list, narrowed to the group's members by `groupId`. */
    list: (q: EmployeeQuery) => Promise<Paged<EmployeeDto>>;
  };
  /** The directory domains' names by id, to show where a directory group comes from. */
  domainNames: () => Promise<Map<string, string>>;
}) {
  const { db, audit } = deps;

  const sourceOf = (g: repo.GroupRow, names: Map<string, string>): GroupSource =>
    g.domainId ? { domainId: g.domainId, domainName: names.get(g.domainId) ?? '' } : 'local';

  const toDto = (g: repo.GroupWithCount, names: Map<string, string>): GroupDto => ({
    id: g.id,
    name: g.name,
    description: g.description,
    source: sourceOf(g, names),
    memberCount: g.memberCount,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  });

  const target = (g: repo.GroupRow) => ({ type: 'group', id: g.id, label: g.name });

  async function find(id: string): Promise<repo.GroupWithCount> {
    const g = await repo.findGroupWithCountById(db, id);
    if (!g) throw new AppError('groups.not_found', 'Group was not found');
    return g;
  }

  async function findLocal(id: string): Promise<repo.GroupWithCount> {
    const g = await find(id);
    if (g.domainId) {
      const domain = (await deps.domainNames()).get(g.domainId) ?? 'its directory';
      throw new AppError('groups.directory_owned', `The group is managed by ${domain}: change it in the directory, the next sync brings it here`);
    }
    return g;
  }

  const dtoOf = async (id: string) => toDto(await find(id), await deps.domainNames());

  const nameInUse = () => new AppError('groups.name_in_use', 'Another local group has this name', { field: 'name' });

  async function create(ctx: RequestContext, input: GroupCreate): Promise<GroupDto> {
    try {
      const row = await db.transaction(async (tx) => {
        if (await repo.findLocalGroupByName(tx, input.name)) throw nameInUse();
        const row = await repo.insertLocalGroup(tx, { name: input.name, description: input.description || null });
        await audit.record(ctx, { action: 'group.created', target: target(row), details: { description: row.description } }, tx);
        return row;
      });
      return dtoOf(row.id);
    } catch (err) {
      if (isUniqueViolation(err)) throw nameInUse();
      throw err;
    }
  }

  async function update(ctx: RequestContext, id: string, patch: GroupPatch): Promise<GroupDto> {
    // Read before the transaction: on PGlite a query outside it would wait for it to end.
    const current = await findLocal(id);
    try {
      await db.transaction(async (tx) => {
        const next = { ...patch, ...(patch.description !== undefined ? { description: patch.description || null } : {}) };
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const k of ['name', 'description'] as const) {
          if (next[k] !== undefined && next[k] !== current[k]) changes[k] = { from: current[k], to: next[k] };
        }
        if (Object.keys(changes).length === 0) return;
        if (changes.name && repo.normalizeGroupName(next.name as string) !== current.nameNormalized) {
          if (await repo.findLocalGroupByName(tx, next.name as string)) throw nameInUse();
        }
        await repo.updateGroupById(tx, id, next);
        await audit.record(ctx, { action: 'group.updated', target: { ...target(current), label: next.name ?? current.name }, details: { changes } }, tx);
      });
      return dtoOf(id);
    } catch (err) {
      if (isUniqueViolation(err)) throw nameInUse();
      throw err;
    }
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    const current = await findLocal(id);
    await db.transaction(async (tx) => {
      await repo.deleteGroupById(tx, id);
      await audit.record(ctx, { action: 'group.deleted', target: target(current), details: { memberCount: current.memberCount } }, tx);
    });
  }

  async function addMembers(ctx: RequestContext, id: string, employeeIds: string[]): Promise<GroupDto> {
    const wanted = [...new Set(employeeIds)];
    const group = await findLocal(id);
    const known = new Map((await deps.employees.summariesByIds(wanted)).map((e) => [e.id, e]));
    const unknown = wanted.filter((e) => !known.has(e));
    if (unknown.length > 0)
      throw new AppError('groups.employee_not_found', `No employee has the id ${unknown.join(', ')}`, { details: { employeeIds: unknown } });
    // An employee deleted since the check above fails the foreign key: the same answer as unknown.
    await db.transaction(async (tx) => {
      for (const employeeId of await repo.insertGroupMembers(tx, id, wanted).catch((err) => {
        if (isForeignKeyViolation(err)) throw new AppError('groups.employee_not_found', 'An employee to add was deleted meanwhile');
        throw err;
      })) {
        const e = known.get(employeeId);
        await audit.record(ctx, { action: 'group.member_added', target: target(group), details: { employeeId, employee: e?.email } }, tx);
      }
    });
    return dtoOf(id);
  }

  async function removeMember(ctx: RequestContext, id: string, employeeId: string): Promise<void> {
    const group = await findLocal(id);
    const [e] = await deps.employees.summariesByIds([employeeId]);
    await db.transaction(async (tx) => {
      if (!(await repo.deleteGroupMember(tx, id, employeeId))) throw new AppError('groups.not_a_member', 'The employee is not a member of this group');
      await audit.record(ctx, { action: 'group.member_removed', target: target(group), details: { employeeId, employee: e?.email } }, tx);
    });
  }

  /**
   * A local group the declarative configuration file declares: created when missing (matched by
   * name, any case), its description brought back to the file's, the listed employees (by e-mail)
   * added. Members added in the console are left: the file says who must be in, not who may.
   * E-mails no employee has yet (before the first sync) are answered, for the log.
   */
  async function ensureDeclared(
    ctx: RequestContext,
    d: { name: string; description?: string | null; members?: string[] },
  ): Promise<{ result: 'created' | 'updated' | 'unchanged'; unknownMembers: string[] }> {
    let result: 'created' | 'updated' | 'unchanged' = 'unchanged';
    let group = await repo.findLocalGroupByName(db, d.name);
    if (!group) {
      group = await repo.findGroupById(db, (await create(ctx, { name: d.name, description: d.description ?? null })).id);
      result = 'created';
    } else if (d.description !== undefined && (d.description || null) !== group.description) {
      await update(ctx, group.id, { description: d.description });
      result = 'updated';
    }
    const unknownMembers: string[] = [];
    const ids: string[] = [];
    for (const email of d.members ?? []) {
      const e = await deps.employees.findByEmail(email);
      if (e) ids.push(e.id);
      else unknownMembers.push(email);
    }
    if (group && ids.length > 0) {
      const before = (await find(group.id)).memberCount;
      const after = (await addMembers(ctx, group.id, ids)).memberCount;
      if (after !== before && result === 'unchanged') result = 'updated';
    }
    return { result, unknownMembers };
  }

  return {
    ensureDeclared,
    list: async (q: GroupQuery): Promise<Paged<GroupDto>> => {
      const [{ items, total }, names] = await Promise.all([repo.findGroups(db, q), deps.domainNames()]);
      return { items: items.map((g) => toDto(g, names)), total, page: q.page, pageSize: q.pageSize };
    },
    get: dtoOf,
    create,
    update,
    remove,
    /** The group's members: the employees list (search, sort, paging) narrowed to the group. */
    members: async (id: string, q: Omit<EmployeeQuery, 'groupId'>) => {
      await find(id);
      return deps.employees.list({ ...q, groupId: id });
    },
    addMembers,
    removeMember,
    /** The employee's groups, directory and local, by name. */
    ofEmployee: async (employeeId: string): Promise<GroupRef[]> => {
      const [rows, names] = await Promise.all([repo.findGroupsOfEmployee(db, employeeId), deps.domainNames()]);
      return rows.map((g) => ({ id: g.id, name: g.name, source: sourceOf(g, names) }));
    },
    /** A subquery of the group's member ids, for the employees list's `groupId` filter. */
    memberIdsOf: (groupId: string) => repo.memberIdsOfGroup(db, groupId),
  };
}
