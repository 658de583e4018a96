import type { Executor } from '../db/connection.js';
import * as repo from './group.repository.js';

/** What a directory sync did (or, in a dry run, would do) to the domain's imported groups. */
export interface DirectoryGroupCounts {
  groupsAdded: number;
  groupsRenamed: number;
  groupsRemoved: number;
  /** Employees whose set of the domain's groups changed. */
  membershipsChanged: number;
}

export interface ReportedGroups {
  groups: repo.DirectoryGroupRef[];
  /** Employee id → external ids of the employee's groups (transitive). Employees absent lose the domain's groups. */
  memberships: Map<string, string[]>;
}

function diffGroups(current: repo.GroupRow[], reported: readonly repo.DirectoryGroupRef[]) {
  const byExternal = new Map(current.map((g) => [g.externalId, g]));
  const seen = new Set(reported.map((g) => g.externalId));
  let groupsAdded = 0;
  let groupsRenamed = 0;
  for (const g of new Map(reported.map((r) => [r.externalId, r])).values()) {
    const had = byExternal.get(g.externalId);
    if (!had) groupsAdded++;
    else if (had.name !== g.name) groupsRenamed++;
  }
  return { groupsAdded, groupsRenamed, groupsRemoved: current.filter((g) => !seen.has(g.externalId ?? '')).length };
}

/**
 * The directory sync's way into groups: the domain's imported groups made exactly what the
 * directory reports (renames follow the external id; groups no synced employee belongs to any more
 * go) and each employee's memberships replaced. Runs in the sync's transaction.
 */
export const directoryGroups = {
  /** Dry runs: the group changes a sync would make (memberships are not counted). */
  async preview(db: Executor, domainId: string, reported: readonly repo.DirectoryGroupRef[]): Promise<Omit<DirectoryGroupCounts, 'membershipsChanged'>> {
    return diffGroups(await repo.findGroupsByDomain(db, domainId), reported);
  },

  async apply(tx: Executor, domainId: string, reported: ReportedGroups): Promise<DirectoryGroupCounts> {
    const counts = diffGroups(await repo.findGroupsByDomain(tx, domainId), reported.groups);
    const before = new Map<string, Set<string>>();
    for (const m of await repo.findDirectoryMemberships(tx, domainId)) {
      if (!before.has(m.employeeId)) before.set(m.employeeId, new Set());
      before.get(m.employeeId)!.add(m.groupId);
    }
    const ids = await repo.syncDirectoryGroups(tx, domainId, reported.groups, { prune: true });
    let membershipsChanged = 0;
    // Each employee's memberships among the domain's groups become exactly what was reported, all changes written in bulk.
    const remove: { groupId: string; employeeId: string }[] = [];
    const add: { groupId: string; employeeId: string }[] = [];
    const employees = new Set([...before.keys(), ...reported.memberships.keys()]);
    for (const employeeId of employees) {
      const next = new Set((reported.memberships.get(employeeId) ?? []).map((x) => ids.get(x)).filter((x): x is string => x !== undefined));
      const had = before.get(employeeId) ?? new Set<string>();
      const isSame = next.size === had.size && [...next].every((id) => had.has(id));
      if (isSame) continue;
      membershipsChanged++;
      for (const groupId of had) if (!next.has(groupId)) remove.push({ groupId, employeeId });
      for (const groupId of next) if (!had.has(groupId)) add.push({ groupId, employeeId });
    }
    await repo.changeMemberships(tx, { remove, add });
    return { ...counts, membershipsChanged };
  },
};
