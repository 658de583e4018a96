import type { Entry } from 'ldapts';
import type { DirectoryGroup, GroupListing, GroupSelection } from '../connector.js';
import { type AdGroupEntry, GROUP_ATTRIBUTES, entryToGroup, escapeFilterValue } from './ad-mapping.js';

/** Group DNs per filter: AD and Samba take long OR filters, but a few hundred values per search keeps each small. */
const BATCH = 100;

const dnKey = (dn: string) => dn.toLowerCase().replace(/\s*,\s*/g, ',');

/**
 * The selected groups of the listed members, transitively, from the members' own memberOf (their
 * direct groups, a back-link AD keeps current): the groups are read by DN, then the groups those
 * are members of, until no new group appears. A search per batch and nesting level, however many
 * members, so every sync (incremental too) recomputes memberships and follows renames.
 * Nesting crosses any group, selected or not: a member of G-inner, itself in G-outer, is in
 * G-outer. Groups outside the search base (another domain of the forest) are not followed. The
 * primary group (Domain Users, primaryGroupID) is not in memberOf and is never reported.
 */
export async function resolveMemberGroups(
  search: (filter: string, attributes: string[]) => Promise<Entry[]>,
  members: { externalId: string; memberOf: string[] }[],
  selection: GroupSelection,
): Promise<GroupListing> {
  const byDn = new Map<string, AdGroupEntry | null>();
  let pending = new Map<string, string>();
  const want = (dn: string) => {
    const k = dnKey(dn);
    if (!byDn.has(k)) pending.set(k, dn);
  };
  for (const m of members) for (const dn of m.memberOf) want(dn);
  while (pending.size > 0) {
    const batch = [...pending.entries()];
    pending = new Map();
    for (const [k] of batch) byDn.set(k, null);
    for (let i = 0; i < batch.length; i += BATCH) {
      const or = batch
        .slice(i, i + BATCH)
        .map(([, dn]) => `(distinguishedName=${escapeFilterValue(dn)})`)
        .join('');
      for (const e of await search(`(&(objectClass=group)(|${or}))`, GROUP_ATTRIBUTES)) {
        const g = entryToGroup(e);
        byDn.set(dnKey(g.dn), g);
        for (const p of g.memberOf) want(p);
      }
    }
  }

  const names = new Set(selection.names.map((n) => n.trim().toLowerCase()));
  const ou = selection.ou ? `,${dnKey(selection.ou.trim())}` : null;
  const isSelected = (g: AdGroupEntry) =>
    selection.mode === 'member_groups'
      ? g.isSecurity
      : selection.mode === 'under_ou'
        ? ou !== null && dnKey(g.dn).endsWith(ou)
        : names.has(g.name.toLowerCase()) || (g.samAccountName !== null && names.has(g.samAccountName.toLowerCase()));

  const reported = new Map<string, DirectoryGroup>();
  const memberOf = new Map<string, string[]>();
  for (const m of members) {
    const seen = new Set<string>();
    const queue = m.memberOf.map(dnKey);
    const mine: string[] = [];
    while (queue.length > 0) {
      const k = queue.pop()!;
      if (seen.has(k)) continue; // nesting cycles are legal in AD
      seen.add(k);
      const g = byDn.get(k);
      if (!g) continue;
      if (isSelected(g)) {
        mine.push(g.externalId);
        reported.set(g.externalId, { externalId: g.externalId, name: g.name });
      }
      queue.push(...g.memberOf.map(dnKey));
    }
    memberOf.set(m.externalId, mine);
  }
  return { groups: [...reported.values()], memberOf };
}
