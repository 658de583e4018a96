import { and, asc, eq, ilike, inArray, isNotNull, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import { chunked } from '../db/bulk.js';
import type { Executor } from '../db/connection.js';
import { containsPattern } from '../db/sql.js';
import { groupMembers, groups } from './group.tables.js';
import type { GroupQuery } from './group.schemas.js';

export type GroupRow = typeof groups.$inferSelect;

export const normalizeGroupName = (name: string): string => name.trim().toLowerCase();

/** A group as a directory connector reports it. */
export interface DirectoryGroupRef {
  externalId: string;
  name: string;
}

/** The groups an employee belongs to (directory and local), by name. */
export async function findGroupsOfEmployee(db: Executor, employeeId: string): Promise<GroupRow[]> {
  return db
    .select({
      id: groups.id,
      name: groups.name,
      nameNormalized: groups.nameNormalized,
      description: groups.description,
      domainId: groups.domainId,
      externalId: groups.externalId,
      createdAt: groups.createdAt,
      updatedAt: groups.updatedAt,
    })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groupMembers.employeeId, employeeId))
    .orderBy(asc(groups.nameNormalized), asc(groups.id));
}

/** Whether the employee is a member of at least one of these groups. */
export async function isMemberOfAny(db: Executor, employeeId: string, groupIds: readonly string[]): Promise<boolean> {
  if (groupIds.length === 0) return false;
  const [row] = await db
    .select({ groupId: groupMembers.groupId })
    .from(groupMembers)
    .where(and(eq(groupMembers.employeeId, employeeId), inArray(groupMembers.groupId, [...groupIds])))
    .limit(1);
  return row !== undefined;
}

export async function findGroupById(db: Executor, id: string): Promise<GroupRow | undefined> {
  const [row] = await db.select().from(groups).where(eq(groups.id, id));
  return row;
}

export async function findGroupsByIds(db: Executor, ids: readonly string[]): Promise<GroupRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(groups)
    .where(inArray(groups.id, [...ids]));
}

/**
 * Makes the domain's imported groups exactly what the directory reports (a rename follows the
 * external id) and answers each one's Tessera id by external id. With `prune` (a full sync),
 * groups of the domain that are no longer reported are removed with their memberships.
 */
export async function syncDirectoryGroups(
  db: Executor,
  domainId: string,
  reported: readonly DirectoryGroupRef[],
  opts: { prune: boolean },
): Promise<Map<string, string>> {
  const byExternalId = new Map<string, DirectoryGroupRef>();
  for (const g of reported) byExternalId.set(g.externalId, g);
  const ids = new Map<string, string>();
  for (const g of byExternalId.values()) {
    const [row] = await db
      .insert(groups)
      .values({ name: g.name, nameNormalized: normalizeGroupName(g.name), domainId, externalId: g.externalId })
      .onConflictDoUpdate({
        target: [groups.domainId, groups.externalId],
        set: {
          name: g.name,
          nameNormalized: normalizeGroupName(g.name),
          updatedAt: sql`CASE WHEN ${groups.name} = ${g.name} THEN ${groups.updatedAt} ELSE now() END`,
        },
      })
      .returning({ id: groups.id });
    ids.set(g.externalId, row.id);
  }
  if (opts.prune) {
    const keep = [...byExternalId.keys()];
    await db.delete(groups).where(and(eq(groups.domainId, domainId), keep.length > 0 ? notInArray(groups.externalId, keep) : sql`true`));
  }
  return ids;
}

/**
 * Sets the employee's memberships among the domain's imported groups to exactly `groupIds`;
 * local groups and other domains' groups are left as they are.
 */
export async function replaceDirectoryMemberships(db: Executor, domainId: string, employeeId: string, groupIds: readonly string[]): Promise<void> {
  const domainGroups = db.select({ id: groups.id }).from(groups).where(eq(groups.domainId, domainId));
  await db
    .delete(groupMembers)
    .where(
      and(
        eq(groupMembers.employeeId, employeeId),
        inArray(groupMembers.groupId, domainGroups),
        groupIds.length > 0 ? notInArray(groupMembers.groupId, [...groupIds]) : sql`true`,
      ),
    );
  if (groupIds.length > 0)
    await db
      .insert(groupMembers)
      .values(groupIds.map((groupId) => ({ groupId, employeeId })))
      .onConflictDoNothing();
}

/**
 * Membership changes of a directory sync in multi-row statements of 1,000: `remove` pairs deleted,
 * `add` pairs inserted (one already there is kept).
 */
export async function changeMemberships(
  db: Executor,
  change: { remove: readonly { groupId: string; employeeId: string }[]; add: readonly { groupId: string; employeeId: string }[] },
): Promise<void> {
  for (const batch of chunked(change.remove)) {
    const pairs = sql.join(
      batch.map((p) => sql`(${p.groupId}::uuid, ${p.employeeId}::uuid)`),
      sql`, `,
    );
    await db.delete(groupMembers).where(sql`(${groupMembers.groupId}, ${groupMembers.employeeId}) IN (VALUES ${pairs})`);
  }
  for (const batch of chunked(change.add))
    await db
      .insert(groupMembers)
      .values([...batch])
      .onConflictDoNothing();
}

/** The groups imported from one domain. */
export async function findGroupsByDomain(db: Executor, domainId: string): Promise<GroupRow[]> {
  return db.select().from(groups).where(eq(groups.domainId, domainId)).orderBy(asc(groups.nameNormalized), asc(groups.id));
}

/** Every membership in the domain's imported groups. */
export async function findDirectoryMemberships(db: Executor, domainId: string): Promise<{ groupId: string; employeeId: string }[]> {
  return db
    .select({ groupId: groupMembers.groupId, employeeId: groupMembers.employeeId })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groups.domainId, domainId));
}

/** Local groups only (managed in the console). */
export async function findLocalGroupByName(db: Executor, name: string): Promise<GroupRow | undefined> {
  const [row] = await db
    .select()
    .from(groups)
    .where(and(isNull(groups.domainId), eq(groups.nameNormalized, normalizeGroupName(name))));
  return row;
}

export type GroupWithCount = GroupRow & { memberCount: number };

const memberCount = sql<number>`(SELECT count(*)::int FROM ${groupMembers} WHERE ${groupMembers.groupId} = ${groups.id})`;

/** Groups by name, with their member counts: search, local or directory, one domain's. */
export async function findGroups(db: Executor, q: GroupQuery): Promise<{ items: GroupWithCount[]; total: number }> {
  const conditions: (SQL | undefined)[] = [
    q.q ? ilike(groups.nameNormalized, containsPattern(q.q.toLowerCase())) : undefined,
    q.source === 'local' ? isNull(groups.domainId) : q.source === 'directory' ? isNotNull(groups.domainId) : undefined,
    q.domainId ? eq(groups.domainId, q.domainId) : undefined,
  ];
  const where = and(...conditions.filter(Boolean));
  const [rows, [{ count }]] = await Promise.all([
    db
      .select({ group: groups, memberCount })
      .from(groups)
      .where(where)
      .orderBy(asc(groups.nameNormalized), asc(groups.id))
      .offset((q.page - 1) * q.pageSize)
      .limit(q.pageSize),
    db.select({ count: sql<number>`count(*)::int` }).from(groups).where(where),
  ]);
  return { items: rows.map((r) => ({ ...r.group, memberCount: r.memberCount })), total: count };
}

export async function findGroupWithCountById(db: Executor, id: string): Promise<GroupWithCount | undefined> {
  const [row] = await db.select({ group: groups, memberCount }).from(groups).where(eq(groups.id, id));
  return row && { ...row.group, memberCount: row.memberCount };
}

/** A local group (no domain): the console's. */
export async function insertLocalGroup(db: Executor, row: { name: string; description: string | null }): Promise<GroupRow> {
  const [inserted] = await db
    .insert(groups)
    .values({ name: row.name, nameNormalized: normalizeGroupName(row.name), description: row.description })
    .returning();
  return inserted;
}

export async function updateGroupById(db: Executor, id: string, patch: { name?: string; description?: string | null }): Promise<GroupRow | undefined> {
  const set: Record<string, unknown> = { updatedAt: sql`now()` };
  if (patch.name !== undefined) Object.assign(set, { name: patch.name, nameNormalized: normalizeGroupName(patch.name) });
  if (patch.description !== undefined) set.description = patch.description;
  const [row] = await db.update(groups).set(set).where(eq(groups.id, id)).returning();
  return row;
}

export async function deleteGroupById(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(groups).where(eq(groups.id, id)).returning({ id: groups.id });
  return rows.length > 0;
}

/**
 * The ids of a group's members as a subquery, not run here: the employees list narrows to it
 * (`employees.id IN (...)`) however large the group.
 */
export function memberIdsOfGroup(db: Executor, groupId: string) {
  return db.select({ id: groupMembers.employeeId }).from(groupMembers).where(eq(groupMembers.groupId, groupId));
}

/** Adds the employees to the group; answers those who were not members before. */
export async function insertGroupMembers(db: Executor, groupId: string, employeeIds: readonly string[]): Promise<string[]> {
  if (employeeIds.length === 0) return [];
  const rows = await db
    .insert(groupMembers)
    .values(employeeIds.map((employeeId) => ({ groupId, employeeId })))
    .onConflictDoNothing()
    .returning({ employeeId: groupMembers.employeeId });
  return rows.map((r) => r.employeeId);
}

export async function deleteGroupMember(db: Executor, groupId: string, employeeId: string): Promise<boolean> {
  const rows = await db
    .delete(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.employeeId, employeeId)))
    .returning({ groupId: groupMembers.groupId });
  return rows.length > 0;
}

/** Groups (directory and local) whose name contains the text, by name; for pickers. */
export async function searchGroups(db: Executor, q: string, limit: number): Promise<GroupRow[]> {
  const pattern = `%${q
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db.select().from(groups).where(sql`${groups.nameNormalized} LIKE ${pattern}`).orderBy(asc(groups.nameNormalized), asc(groups.id)).limit(limit);
}
