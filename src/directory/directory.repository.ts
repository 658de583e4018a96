import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { chunked, updateRowsById } from '../db/bulk.js';
import type { Executor } from '../db/connection.js';
import { directoryAccounts, directoryDomains, directorySyncRuns, domainPasswords } from './directory.tables.js';

export type DomainRow = typeof directoryDomains.$inferSelect;
export type AccountRow = typeof directoryAccounts.$inferSelect;
export type SyncRunRow = typeof directorySyncRuns.$inferSelect;
export type DomainPasswordRow = typeof domainPasswords.$inferSelect;

export const normalizeDomainName = (name: string) => name.trim().toLowerCase();

export async function findDomains(db: Executor): Promise<DomainRow[]> {
  return db.select().from(directoryDomains).orderBy(asc(directoryDomains.nameNormalized));
}

export async function findDomainById(db: Executor, id: string): Promise<DomainRow | undefined> {
  const [row] = await db.select().from(directoryDomains).where(eq(directoryDomains.id, id));
  return row;
}

export async function findDomainByName(db: Executor, name: string): Promise<DomainRow | undefined> {
  const [row] = await db
    .select()
    .from(directoryDomains)
    .where(eq(directoryDomains.nameNormalized, normalizeDomainName(name)));
  return row;
}

export async function insertDomain(db: Executor, row: Omit<typeof directoryDomains.$inferInsert, 'nameNormalized'>): Promise<DomainRow> {
  const [created] = await db
    .insert(directoryDomains)
    .values({ ...row, nameNormalized: normalizeDomainName(row.name) })
    .returning();
  return created;
}

export async function updateDomainById(db: Executor, id: string, patch: Partial<typeof directoryDomains.$inferInsert>, now: Date): Promise<void> {
  const next = patch.name !== undefined ? { ...patch, nameNormalized: normalizeDomainName(patch.name) } : patch;
  await db
    .update(directoryDomains)
    .set({ ...next, updatedAt: now })
    .where(eq(directoryDomains.id, id));
}

export async function deleteDomainById(db: Executor, id: string): Promise<void> {
  await db.delete(directoryDomains).where(eq(directoryDomains.id, id));
}

export async function findAccountsByDomain(db: Executor, domainId: string): Promise<AccountRow[]> {
  return db.select().from(directoryAccounts).where(eq(directoryAccounts.domainId, domainId));
}

export async function findAccountsByEmployee(db: Executor, employeeId: string): Promise<(AccountRow & { domainName: string; domainKind: string })[]> {
  const rows = await db
    .select({ a: directoryAccounts, domainName: directoryDomains.name, domainKind: directoryDomains.kind })
    .from(directoryAccounts)
    .innerJoin(directoryDomains, eq(directoryDomains.id, directoryAccounts.domainId))
    .where(eq(directoryAccounts.employeeId, employeeId))
    .orderBy(asc(directoryDomains.nameNormalized));
  return rows.map((r) => ({ ...r.a, domainName: r.domainName, domainKind: r.domainKind }));
}

/** The external ids (directory object GUIDs, Entra object ids) of these employees' accounts, by employee. */
export async function findExternalIdsByEmployeeIds(db: Executor, employeeIds: string[]): Promise<{ employeeId: string; externalId: string }[]> {
  if (employeeIds.length === 0) return [];
  return db
    .select({ employeeId: directoryAccounts.employeeId, externalId: directoryAccounts.externalId })
    .from(directoryAccounts)
    .where(inArray(directoryAccounts.employeeId, employeeIds))
    .orderBy(asc(directoryAccounts.externalId));
}

/** The employees whose directory accounts carry one of these external ids. */
export async function findEmployeeIdsByExternalIds(db: Executor, externalIds: string[]): Promise<string[]> {
  if (externalIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ employeeId: directoryAccounts.employeeId })
    .from(directoryAccounts)
    .where(inArray(directoryAccounts.externalId, externalIds));
  return rows.map((r) => r.employeeId);
}

export async function findAccountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(directoryAccounts).where(eq(directoryAccounts.id, id));
  return row;
}

export async function insertAccount(db: Executor, row: typeof directoryAccounts.$inferInsert): Promise<AccountRow> {
  const [created] = await db.insert(directoryAccounts).values(row).returning();
  return created;
}

/** Inserts accounts in multi-row statements of 1,000 (nothing read back). */
export async function insertAccounts(db: Executor, rows: readonly (typeof directoryAccounts.$inferInsert)[]): Promise<void> {
  for (const batch of chunked(rows)) await db.insert(directoryAccounts).values(batch);
}

/** Many accounts' changes in multi-row UPDATEs (src/db/bulk.ts), each with updatedAt = `now`. */
export async function updateAccountsByIds(
  db: Executor,
  rows: readonly { id: string; set: Partial<typeof directoryAccounts.$inferInsert> }[],
  now: Date,
): Promise<void> {
  await updateRowsById(db, directoryAccounts, rows, { updatedAt: sql`${now.toISOString()}::timestamptz` });
}

export async function deleteAccountsByIds(db: Executor, ids: readonly string[]): Promise<void> {
  for (const batch of chunked(ids)) await db.delete(directoryAccounts).where(inArray(directoryAccounts.id, batch));
}

export async function updateAccountById(db: Executor, id: string, patch: Partial<typeof directoryAccounts.$inferInsert>, now: Date): Promise<void> {
  await db
    .update(directoryAccounts)
    .set({ ...patch, updatedAt: now })
    .where(eq(directoryAccounts.id, id));
}

export async function deleteAccountById(db: Executor, id: string): Promise<void> {
  await db.delete(directoryAccounts).where(eq(directoryAccounts.id, id));
}

/** Other domains' accounts of these employees that are still members (a "deactivate" then keeps them). */
export async function findMemberAccountsElsewhere(db: Executor, employeeIds: string[], domainId: string): Promise<Set<string>> {
  return findAccountsElsewhere(db, employeeIds, domainId, true);
}

/**
 * Employees with an account in another domain, member or not (kept or deactivated there): a
 * "delete" only unlinks them, since deleting the employee would also erase the other domain's link.
 */
export async function findAccountsElsewhere(db: Executor, employeeIds: string[], domainId: string, isMemberOnly = false): Promise<Set<string>> {
  if (employeeIds.length === 0) return new Set();
  const rows = await db
    .select({ employeeId: directoryAccounts.employeeId })
    .from(directoryAccounts)
    .where(
      and(
        inArray(directoryAccounts.employeeId, employeeIds),
        sql`${directoryAccounts.domainId} <> ${domainId}`,
        isMemberOnly ? eq(directoryAccounts.isMember, true) : sql`true`,
      ),
    );
  return new Set(rows.map((r) => r.employeeId));
}

export async function insertSyncRun(db: Executor, row: typeof directorySyncRuns.$inferInsert): Promise<SyncRunRow> {
  const [created] = await db.insert(directorySyncRuns).values(row).returning();
  return created;
}

export async function updateSyncRunById(db: Executor, id: string, patch: Partial<typeof directorySyncRuns.$inferInsert>): Promise<void> {
  await db.update(directorySyncRuns).set(patch).where(eq(directorySyncRuns.id, id));
}

export async function updateSyncRunStatusById(db: Executor, id: string, from: string, to: string): Promise<boolean> {
  const rows = await db
    .update(directorySyncRuns)
    .set({ status: to })
    .where(and(eq(directorySyncRuns.id, id), eq(directorySyncRuns.status, from)))
    .returning({ id: directorySyncRuns.id });
  return rows.length === 1;
}

export async function findSyncRunById(db: Executor, id: string): Promise<SyncRunRow | undefined> {
  const [row] = await db.select().from(directorySyncRuns).where(eq(directorySyncRuns.id, id));
  return row;
}

export async function findSyncRunsByDomain(db: Executor, domainId: string, limit: number): Promise<SyncRunRow[]> {
  return db.select().from(directorySyncRuns).where(eq(directorySyncRuns.domainId, domainId)).orderBy(desc(directorySyncRuns.startedAt)).limit(limit);
}

/** Runs left "running" by a node that died: marked failed at start. */
export async function failStaleRuns(db: Executor, before: Date, now: Date): Promise<number> {
  const rows = await db
    .update(directorySyncRuns)
    .set({ status: 'failed', error: 'The node running this sync stopped before it finished; nothing was applied', errorCode: 'interrupted', finishedAt: now })
    .where(and(eq(directorySyncRuns.status, 'running'), lt(directorySyncRuns.startedAt, before)))
    .returning({ id: directorySyncRuns.id });
  return rows.length;
}

export async function insertDomainPassword(db: Executor, row: typeof domainPasswords.$inferInsert): Promise<DomainPasswordRow> {
  const [created] = await db.insert(domainPasswords).values(row).returning();
  return created;
}

export async function updateDomainPasswordById(db: Executor, id: string, patch: Partial<typeof domainPasswords.$inferInsert>): Promise<void> {
  await db.update(domainPasswords).set(patch).where(eq(domainPasswords.id, id));
}

/** Moves a password row out of *pending* only if it still is: false when another node or call resolved it first. */
export async function resolvePendingPasswordById(db: Executor, id: string, patch: Partial<typeof domainPasswords.$inferInsert>): Promise<boolean> {
  const rows = await db
    .update(domainPasswords)
    .set(patch)
    .where(and(eq(domainPasswords.id, id), eq(domainPasswords.state, 'pending')))
    .returning({ id: domainPasswords.id });
  return rows.length === 1;
}

export async function findDomainPasswords(db: Executor, accountId: string, states: string[]): Promise<DomainPasswordRow[]> {
  return db
    .select()
    .from(domainPasswords)
    .where(and(eq(domainPasswords.accountId, accountId), inArray(domainPasswords.state, states)))
    .orderBy(asc(domainPasswords.createdAt));
}

export async function findPendingPasswords(db: Executor): Promise<DomainPasswordRow[]> {
  return db.select().from(domainPasswords).where(eq(domainPasswords.state, 'pending')).orderBy(asc(domainPasswords.createdAt));
}

/** Marks the account's current password superseded and erases it (the directory no longer holds it). */
export async function supersedeCurrentPasswords(db: Executor, accountId: string, except: string | null, now: Date): Promise<void> {
  await db
    .update(domainPasswords)
    .set({ state: 'superseded', password: null, resolvedAt: now })
    .where(and(eq(domainPasswords.accountId, accountId), eq(domainPasswords.state, 'current'), except ? sql`${domainPasswords.id} <> ${except}` : sql`true`));
}

/**
 * Accounts that rotation considers as far as the directory goes: member of the sync and rotation
 * groups, enabled. The password service keeps those whose employee is active and holds an active key.
 */
export async function findRotationCandidates(db: Executor, domainId: string): Promise<AccountRow[]> {
  return db
    .select()
    .from(directoryAccounts)
    .where(
      and(
        eq(directoryAccounts.domainId, domainId),
        eq(directoryAccounts.isRotationMember, true),
        eq(directoryAccounts.isMember, true),
        eq(directoryAccounts.isEnabled, true),
      ),
    );
}

/**
 * Accounts an OS logon name may be: `username` matched case-insensitively (sAMAccountName), or
 * `upn` against the account's UPN. With the domain's name and the employee's status, for a
 * workstation to tell whose logon it saw.
 */
export async function findAccountsByLogonName(
  db: Executor,
  name: { username: string } | { upn: string },
): Promise<{ accountId: string; employeeId: string; domainName: string; baseDn: string | null; username: string }[]> {
  const match =
    'upn' in name
      ? sql`lower(${directoryAccounts.upn}) = ${name.upn.toLowerCase()}`
      : sql`lower(${directoryAccounts.username}) = ${name.username.toLowerCase()}`;
  const rows = await db
    .select({
      accountId: directoryAccounts.id,
      employeeId: directoryAccounts.employeeId,
      domainName: directoryDomains.name,
      settings: directoryDomains.settings,
      username: directoryAccounts.username,
    })
    .from(directoryAccounts)
    .innerJoin(directoryDomains, eq(directoryDomains.id, directoryAccounts.domainId))
    .where(match)
    .limit(20);
  return rows.map((r) => ({
    accountId: r.accountId,
    employeeId: r.employeeId,
    domainName: r.domainName,
    baseDn: (r.settings.baseDn as string | null) ?? null,
    username: r.username,
  }));
}

/** Sync runs held for an admin's confirmation, over every domain. */
export async function countHeldSyncRuns(db: Executor): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(directorySyncRuns).where(eq(directorySyncRuns.status, 'awaiting_confirmation'));
  return Number(row?.n ?? 0);
}

/** The latest real (not dry) run of every domain that has one. */
export async function findLatestSyncRunPerDomain(db: Executor): Promise<SyncRunRow[]> {
  return db
    .selectDistinctOn([directorySyncRuns.domainId])
    .from(directorySyncRuns)
    .where(eq(directorySyncRuns.isDryRun, false))
    .orderBy(directorySyncRuns.domainId, desc(directorySyncRuns.startedAt));
}

/** Runs stopped by the removal threshold that wait for an admin's confirmation, newest first. */
export async function findHeldSyncRuns(db: Executor): Promise<SyncRunRow[]> {
  return db.select().from(directorySyncRuns).where(eq(directorySyncRuns.status, 'awaiting_confirmation')).orderBy(desc(directorySyncRuns.startedAt));
}
