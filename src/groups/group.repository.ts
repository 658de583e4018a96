import { and, asc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { groupMembers, groups } from './group.tables.js';

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

/** Local groups only (managed in the console). */
export async function findLocalGroupByName(db: Executor, name: string): Promise<GroupRow | undefined> {
  const [row] = await db
    .select()
    .from(groups)
    .where(and(isNull(groups.domainId), eq(groups.nameNormalized, normalizeGroupName(name))));
  return row;
}

/** Groups (directory and local) whose name contains the text, by name; for pickers. */
export async function searchGroups(db: Executor, q: string, limit: number): Promise<GroupRow[]> {
  const pattern = `%${q
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db.select().from(groups).where(sql`${groups.nameNormalized} LIKE ${pattern}`).orderBy(asc(groups.nameNormalized), asc(groups.id)).limit(limit);
}
