import type { RemovalBehaviour } from './directory.constants.js';
import type { DirectoryUser, MemberListing } from './connector.js';
import type { SyncChange } from './directory.schemas.js';
import type { AccountRow } from './directory.repository.js';
import { toStorableText } from '../lib/text.js';

/**
 * What a sync would change, computed from the listing and what Tessera holds, without touching
 * anything: a dry run shows it, a held sync stores it, a real sync applies it in one transaction.
 */
export type PlannedChange =
  | { action: 'create'; user: DirectoryUser }
  | { action: 'link'; user: DirectoryUser; employeeId: string }
  | { action: 'update'; user: DirectoryUser; account: AccountRow; fields: string[] }
  | { action: 'deactivate'; account: AccountRow; reason: 'disabled' | 'removed' }
  | { action: 'reactivate'; account: AccountRow; user: DirectoryUser }
  | { action: 'delete' | 'unlink' | 'keep'; account: AccountRow };

export interface SyncPlan {
  changes: PlannedChange[];
  /** Account flag updates that are not employee changes (rotation membership, last-seen record). */
  rotationFlags: Map<string, boolean>;
  unchanged: number;
  skipped: { externalId: string; username: string; reason: string }[];
  /** Employees this sync would deactivate or delete, and the domain's member count before it. */
  removals: number;
  memberCount: number;
}

/** The DirectoryUser fields an employee record follows. */
export const TRACKED_FIELDS = [
  'username',
  'upn',
  'email',
  'givenName',
  'surname',
  'displayName',
  'department',
  'title',
  'phone',
  'company',
  'enabled',
  'objectSid',
] as const;

export function employeeEmail(u: DirectoryUser): string | null {
  return (u.email ?? u.upn)?.trim().toLowerCase() || null;
}

function changedFields(previous: Record<string, unknown>, next: DirectoryUser): string[] {
  return TRACKED_FIELDS.filter((f) => (previous[f] ?? null) !== (next[f] ?? null));
}

/** Longest text kept of a directory attribute: the indexed ones (e-mail, names of companies) stay under PostgreSQL's index row limit. */
const MAX_ATTRIBUTE = 512;
const storable = (s: string | null | undefined) => (s === null || s === undefined ? s : toStorableText(s.slice(0, MAX_ATTRIBUTE)));

/**
 * The user as Tessera stores it: NUL and lone surrogates replaced, every text cut to 512
 * characters. Planned from this form, a hostile name neither fails the run's bulk statements nor
 * shows as changed on every later sync (what is compared is what was stored).
 */
export function storableUser(u: DirectoryUser): DirectoryUser {
  return {
    ...u,
    username: toStorableText(u.username.slice(0, MAX_ATTRIBUTE)),
    upn: storable(u.upn) ?? null,
    email: storable(u.email) ?? null,
    givenName: storable(u.givenName) ?? null,
    surname: storable(u.surname) ?? null,
    displayName: storable(u.displayName) ?? null,
    department: storable(u.department) ?? null,
    title: storable(u.title) ?? null,
    phone: storable(u.phone) ?? null,
    company: storable(u.company) ?? null,
    ...(u.objectSid !== undefined ? { objectSid: storable(u.objectSid) ?? null } : {}),
  };
}

export function planSync(input: {
  listing: MemberListing;
  rotationIds: ReadonlySet<string> | null;
  accounts: AccountRow[];
  employees: { id: string; emailNormalized: string; status: string }[];
  removalBehaviour: RemovalBehaviour;
  /** Employees that are members through another domain: "deactivate" leaves them to that domain. */
  heldElsewhere: ReadonlySet<string>;
  /** Employees linked to another domain at all (member or not): "delete" only unlinks them. Default: heldElsewhere. */
  linkedElsewhere?: ReadonlySet<string>;
}): SyncPlan {
  const { listing, accounts } = input;
  const byExternal = new Map(accounts.map((a) => [a.externalId, a]));
  const employeeById = new Map(input.employees.map((e) => [e.id, e]));
  const employeeByEmail = new Map(input.employees.map((e) => [e.emailNormalized, e.id]));
  const linkedHere = new Set(accounts.map((a) => a.employeeId));
  const claimedEmails = new Set<string>();
  const changes: PlannedChange[] = [];
  const skipped: SyncPlan['skipped'] = [];
  const rotationFlags = new Map<string, boolean>();
  let unchanged = 0;

  for (const listed of listing.users) {
    const user = storableUser(listed);
    const account = byExternal.get(user.externalId);
    if (account) {
      const employee = employeeById.get(account.employeeId);
      let fields = changedFields(account.attributes, user);
      const newEmail = employeeEmail(user);
      const owner = newEmail ? employeeByEmail.get(newEmail) : undefined;
      if ((fields.includes('email') || fields.includes('upn')) && owner && owner !== account.employeeId) {
        // The new address is another employee's: applying it would fail the whole sync (unique
        // e-mail). The account waits, reported as skipped on every sync, until the directory is fixed.
        skipped.push({ externalId: user.externalId, username: user.username, reason: `its new e-mail ${newEmail} belongs to another employee` });
        fields = [];
      }
      if (fields.length > 0) changes.push({ action: 'update', user, account, fields });
      const wasOut = !account.isEnabled || !account.isMember;
      if (!user.enabled && employee?.status === 'active') changes.push({ action: 'deactivate', account, reason: 'disabled' });
      else if (user.enabled && wasOut && employee?.status === 'deactivated') changes.push({ action: 'reactivate', account, user });
      else if (user.enabled && !account.isMember) changes.push({ action: 'update', user, account, fields: ['membership'] });
      else if (fields.length === 0) unchanged++;
      continue;
    }
    const email = employeeEmail(user);
    if (!email) {
      skipped.push({ externalId: user.externalId, username: user.username, reason: 'no e-mail address or UPN' });
      continue;
    }
    if (claimedEmails.has(email)) {
      skipped.push({ externalId: user.externalId, username: user.username, reason: `another account of this domain has the e-mail ${email}` });
      continue;
    }
    claimedEmails.add(email);
    // Matched by e-mail: the same person in another domain (or created by hand) becomes one employee.
    const match = employeeByEmail.get(email);
    if (match && linkedHere.has(match)) {
      skipped.push({
        externalId: user.externalId,
        username: user.username,
        reason: `the employee with the e-mail ${email} is already linked to another account of this domain`,
      });
    } else if (match) {
      changes.push({ action: 'link', user, employeeId: match });
    } else {
      changes.push({ action: 'create', user });
    }
  }
  // Incremental listings leave out unchanged members: they count as unchanged.
  if (listing.isIncremental) unchanged += listing.memberIds.length - listing.users.length;

  const members = new Set(listing.memberIds);
  for (const account of accounts) {
    if (input.rotationIds) {
      const isRotation = members.has(account.externalId) && input.rotationIds.has(account.externalId);
      if (isRotation !== account.isRotationMember) rotationFlags.set(account.id, isRotation);
    }
    if (members.has(account.externalId) || !account.isMember) continue;
    const employee = employeeById.get(account.employeeId);
    if (input.removalBehaviour === 'keep') changes.push({ action: 'keep', account });
    else if (input.removalBehaviour === 'deactivate') {
      // Another domain still lists the person (merged by e-mail): that domain decides, not this one.
      changes.push(
        employee?.status === 'active' && !input.heldElsewhere.has(account.employeeId)
          ? { action: 'deactivate', account, reason: 'removed' }
          : { action: 'keep', account },
      );
    } else {
      const linked = input.linkedElsewhere ?? input.heldElsewhere;
      changes.push({ action: linked.has(account.employeeId) || input.heldElsewhere.has(account.employeeId) ? 'unlink' : 'delete', account });
    }
  }

  const removals = changes.filter((c) => c.action === 'deactivate' || c.action === 'delete').length;
  return { changes, rotationFlags, unchanged, skipped, removals, memberCount: accounts.filter((a) => a.isMember).length };
}

/** Whether a plan removes more than the threshold allows (and must wait for an admin). */
export function exceedsThreshold(plan: SyncPlan, thresholdPercent: number): boolean {
  if (plan.removals === 0 || plan.memberCount === 0) return false;
  return plan.removals * 100 > thresholdPercent * plan.memberCount;
}

export function countChanges(plan: SyncPlan): Record<string, number> {
  const counts: Record<string, number> = { created: 0, linked: 0, updated: 0, deactivated: 0, reactivated: 0, deleted: 0, unlinked: 0, kept: 0 };
  const key = {
    create: 'created',
    link: 'linked',
    update: 'updated',
    deactivate: 'deactivated',
    reactivate: 'reactivated',
    delete: 'deleted',
    unlink: 'unlinked',
    keep: 'kept',
  } as const;
  for (const c of plan.changes) counts[key[c.action]]++;
  return { ...counts, unchanged: plan.unchanged, skipped: plan.skipped.length };
}

export function describeChanges(plan: SyncPlan, labels: Map<string, string>): SyncChange[] {
  return plan.changes.map((c) => {
    const externalId = 'user' in c ? c.user.externalId : c.account.externalId;
    const employeeId = c.action === 'create' ? null : c.action === 'link' ? c.employeeId : c.account.employeeId;
    const label = 'user' in c ? (employeeEmail(c.user) ?? c.user.username) : (labels.get(c.account.employeeId) ?? c.account.username);
    return { action: c.action, externalId, employeeId, label, ...(c.action === 'update' ? { fields: c.fields } : {}) };
  });
}
