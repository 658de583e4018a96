import { and, asc, eq, exists, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { vaultAccountAssignments, vaultAccounts, vaultTemplates } from './vault-account.tables.js';

export type VaultAccountRow = typeof vaultAccounts.$inferSelect;
export type NewVaultAccountRow = typeof vaultAccounts.$inferInsert;
export type VaultAssignmentRow = typeof vaultAccountAssignments.$inferSelect;
export type VaultTemplateRow = typeof vaultTemplates.$inferSelect;
export type NewVaultTemplateRow = typeof vaultTemplates.$inferInsert;

/** Who is asking: the employee, and their department (a shared account may be assigned to it). */
export interface Holder {
  employeeId: string;
  departmentId: string | null;
}

/** The shared account is assigned to the holder, directly or through their department. */
const isAssignedTo = (h: Holder): SQL =>
  exists(
    sql`(select 1 from ${vaultAccountAssignments} where ${vaultAccountAssignments.accountId} = ${vaultAccounts.id} and (${vaultAccountAssignments.employeeId} = ${h.employeeId}${
      h.departmentId ? sql` or ${vaultAccountAssignments.departmentId} = ${h.departmentId}` : sql``
    }))`,
  );

/** Every account the holder may read: their personal ones and the shared ones assigned to them. */
const readableBy = (h: Holder): SQL =>
  or(and(eq(vaultAccounts.kind, 'personal'), eq(vaultAccounts.employeeId, h.employeeId)), and(eq(vaultAccounts.kind, 'shared'), isAssignedTo(h)))!;

export async function findVaultAccountById(db: Executor, id: string): Promise<VaultAccountRow | undefined> {
  const [row] = await db.select().from(vaultAccounts).where(eq(vaultAccounts.id, id));
  return row;
}

/** The account when the holder may read it (own personal, or shared and assigned); otherwise undefined. */
export async function findReadableVaultAccount(db: Executor, id: string, h: Holder): Promise<VaultAccountRow | undefined> {
  const [row] = await db
    .select()
    .from(vaultAccounts)
    .where(and(eq(vaultAccounts.id, id), readableBy(h)));
  return row;
}

/** The holder's accounts, personal and shared, by name. */
export async function findReadableVaultAccounts(db: Executor, h: Holder): Promise<VaultAccountRow[]> {
  return db.select().from(vaultAccounts).where(readableBy(h)).orderBy(asc(vaultAccounts.name), asc(vaultAccounts.id));
}

/** Those of the holder's accounts marked for workstation use. */
export async function findWorkstationVaultAccounts(db: Executor, h: Holder): Promise<VaultAccountRow[]> {
  return db
    .select()
    .from(vaultAccounts)
    .where(and(readableBy(h), eq(vaultAccounts.workstationUse, true)))
    .orderBy(asc(vaultAccounts.name), asc(vaultAccounts.id));
}

/** Every shared account, by name. */
export async function findSharedVaultAccounts(db: Executor): Promise<VaultAccountRow[]> {
  return db.select().from(vaultAccounts).where(eq(vaultAccounts.kind, 'shared')).orderBy(asc(vaultAccounts.name), asc(vaultAccounts.id));
}

/** Every vault account, or one employee's personal ones (backup). Sealed values as stored. */
export async function findVaultAccounts(db: Executor, f: { employeeId?: string; kind?: 'personal' | 'shared' } = {}): Promise<VaultAccountRow[]> {
  const where = and(
    ...[f.employeeId ? eq(vaultAccounts.employeeId, f.employeeId) : undefined, f.kind ? eq(vaultAccounts.kind, f.kind) : undefined].filter((c): c is SQL =>
      Boolean(c),
    ),
  );
  return db.select().from(vaultAccounts).where(where).orderBy(asc(vaultAccounts.createdAt), asc(vaultAccounts.id));
}

export async function insertVaultAccount(db: Executor, row: NewVaultAccountRow): Promise<VaultAccountRow> {
  const [created] = await db.insert(vaultAccounts).values(row).returning();
  return created;
}

export async function updateVaultAccountById(db: Executor, id: string, patch: Partial<NewVaultAccountRow>, now: Date): Promise<VaultAccountRow | undefined> {
  const [row] = await db
    .update(vaultAccounts)
    .set({ ...patch, updatedAt: now })
    .where(eq(vaultAccounts.id, id))
    .returning();
  return row;
}

export async function deleteVaultAccountById(db: Executor, id: string): Promise<VaultAccountRow | undefined> {
  const [row] = await db.delete(vaultAccounts).where(eq(vaultAccounts.id, id)).returning();
  return row;
}

/** The account, locked for the rest of the transaction (two edits of one account run one after the other). */
export async function lockVaultAccountById(tx: Executor, id: string): Promise<VaultAccountRow | undefined> {
  const [row] = await tx.select().from(vaultAccounts).where(eq(vaultAccounts.id, id)).for('update');
  return row;
}

export async function findAssignmentsByAccountIds(db: Executor, accountIds: string[]): Promise<VaultAssignmentRow[]> {
  if (accountIds.length === 0) return [];
  return db
    .select()
    .from(vaultAccountAssignments)
    .where(inArray(vaultAccountAssignments.accountId, accountIds))
    .orderBy(asc(vaultAccountAssignments.createdAt), asc(vaultAccountAssignments.id));
}

/** Adds the assignments that are not there yet; the ones added. */
export async function insertAssignments(
  db: Executor,
  accountId: string,
  to: { employeeIds: string[]; departmentIds: string[] },
): Promise<VaultAssignmentRow[]> {
  const out: VaultAssignmentRow[] = [];
  if (to.employeeIds.length > 0) {
    out.push(
      ...(await db
        .insert(vaultAccountAssignments)
        .values(to.employeeIds.map((employeeId) => ({ accountId, employeeId })))
        .onConflictDoNothing()
        .returning()),
    );
  }
  if (to.departmentIds.length > 0) {
    out.push(
      ...(await db
        .insert(vaultAccountAssignments)
        .values(to.departmentIds.map((departmentId) => ({ accountId, departmentId })))
        .onConflictDoNothing()
        .returning()),
    );
  }
  return out;
}

/** Removes these assignments of the account; the ones removed. */
export async function deleteAssignments(
  db: Executor,
  accountId: string,
  from: { employeeIds: string[]; departmentIds: string[] },
): Promise<VaultAssignmentRow[]> {
  const which = [
    from.employeeIds.length > 0 ? inArray(vaultAccountAssignments.employeeId, from.employeeIds) : undefined,
    from.departmentIds.length > 0 ? inArray(vaultAccountAssignments.departmentId, from.departmentIds) : undefined,
  ].filter((c): c is SQL => Boolean(c));
  if (which.length === 0) return [];
  return db
    .delete(vaultAccountAssignments)
    .where(and(eq(vaultAccountAssignments.accountId, accountId), or(...which)))
    .returning();
}

export async function findVaultTemplates(db: Executor): Promise<VaultTemplateRow[]> {
  return db.select().from(vaultTemplates).orderBy(asc(vaultTemplates.nameNormalized));
}

export async function findVaultTemplateById(db: Executor, id: string): Promise<VaultTemplateRow | undefined> {
  const [row] = await db.select().from(vaultTemplates).where(eq(vaultTemplates.id, id));
  return row;
}

export async function findVaultTemplateByName(db: Executor, nameNormalized: string): Promise<VaultTemplateRow | undefined> {
  const [row] = await db.select().from(vaultTemplates).where(eq(vaultTemplates.nameNormalized, nameNormalized));
  return row;
}

export async function insertVaultTemplate(db: Executor, row: NewVaultTemplateRow): Promise<VaultTemplateRow> {
  const [created] = await db.insert(vaultTemplates).values(row).returning();
  return created;
}

export async function updateVaultTemplateById(db: Executor, id: string, patch: Partial<NewVaultTemplateRow>, now: Date): Promise<VaultTemplateRow | undefined> {
  const [row] = await db
    .update(vaultTemplates)
    .set({ ...patch, updatedAt: now })
    .where(eq(vaultTemplates.id, id))
    .returning();
  return row;
}

export async function deleteVaultTemplateById(db: Executor, id: string): Promise<VaultTemplateRow | undefined> {
  const [row] = await db.delete(vaultTemplates).where(eq(vaultTemplates.id, id)).returning();
  return row;
}

/** Shared accounts the declarative file declared (source 'config'), by name. */
export async function findConfigSharedAccounts(db: Executor): Promise<VaultAccountRow[]> {
  return db
    .select()
    .from(vaultAccounts)
    .where(and(eq(vaultAccounts.kind, 'shared'), eq(vaultAccounts.source, 'config'), isNull(vaultAccounts.employeeId)));
}
