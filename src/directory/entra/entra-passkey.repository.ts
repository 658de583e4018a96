import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { directoryAccounts, directoryDomains } from '../directory.tables.js';
import { entraPairingGroups, entraPairings, entraPasskeys } from './entra.tables.js';
import type { PairingState } from './entra.constants.js';

export type PairingRow = typeof entraPairings.$inferSelect;
export type EntraPasskeyRow = typeof entraPasskeys.$inferSelect;
export type DomainRow = typeof directoryDomains.$inferSelect;

/** A domain by id or by name (the CLI and scripts name it). */
export async function findDomainByIdOrName(db: Executor, key: string): Promise<DomainRow | undefined> {
  const isId = /^[0-9a-f-]{36}$/i.test(key);
  const [row] = await db
    .select()
    .from(directoryDomains)
    .where(
      isId ? or(eq(directoryDomains.id, key), eq(directoryDomains.nameNormalized, key.toLowerCase())) : eq(directoryDomains.nameNormalized, key.toLowerCase()),
    );
  return row;
}

export async function findEntraDomains(db: Executor): Promise<DomainRow[]> {
  return db.select().from(directoryDomains).where(eq(directoryDomains.kind, 'entra')).orderBy(asc(directoryDomains.nameNormalized));
}

/** An account in the domain's sync group: its employee may be paired. */
export interface MemberAccount {
  employeeId: string;
  externalId: string;
  upn: string | null;
}

/** The domain's current members (accounts in the sync group), optionally of one employee. */
export async function findMemberAccounts(db: Executor, domainId: string, employeeId?: string): Promise<MemberAccount[]> {
  return db
    .select({ employeeId: directoryAccounts.employeeId, externalId: directoryAccounts.externalId, upn: directoryAccounts.upn })
    .from(directoryAccounts)
    .where(
      and(
        eq(directoryAccounts.domainId, domainId),
        eq(directoryAccounts.isMember, true),
        employeeId ? eq(directoryAccounts.employeeId, employeeId) : undefined,
      ),
    );
}

export async function findPairings(db: Executor, domainId: string, state?: PairingState): Promise<PairingRow[]> {
  return db
    .select()
    .from(entraPairings)
    .where(and(eq(entraPairings.domainId, domainId), state ? eq(entraPairings.state, state) : undefined));
}

export async function findPairing(db: Executor, domainId: string, employeeId: string): Promise<PairingRow | undefined> {
  const [row] = await db
    .select()
    .from(entraPairings)
    .where(and(eq(entraPairings.domainId, domainId), eq(entraPairings.employeeId, employeeId)));
  return row;
}

export async function insertPairing(db: Executor, row: typeof entraPairings.$inferInsert): Promise<PairingRow> {
  const [inserted] = await db.insert(entraPairings).values(row).onConflictDoNothing().returning();
  return inserted ?? (await findPairing(db, row.domainId, row.employeeId))!;
}

export async function updatePairingById(db: Executor, id: string, patch: Partial<typeof entraPairings.$inferInsert>): Promise<void> {
  await db.update(entraPairings).set(patch).where(eq(entraPairings.id, id));
}

export async function deletePairingsExcept(db: Executor, domainId: string, keepEmployeeIds: string[]): Promise<number> {
  const rows = await db
    .delete(entraPairings)
    .where(
      and(
        eq(entraPairings.domainId, domainId),
        keepEmployeeIds.length
          ? sql`${entraPairings.employeeId} not in (${sql.join(
              keepEmployeeIds.map((id) => sql`${id}`),
              sql`, `,
            )})`
          : undefined,
      ),
    )
    .returning({ id: entraPairings.id });
  return rows.length;
}

export async function findPasskeysByPairingIds(db: Executor, pairingIds: string[]): Promise<EntraPasskeyRow[]> {
  if (pairingIds.length === 0) return [];
  return db.select().from(entraPasskeys).where(inArray(entraPasskeys.pairingId, pairingIds)).orderBy(asc(entraPasskeys.createdAt));
}

export async function findPasskeyById(db: Executor, pairingId: string, id: string): Promise<EntraPasskeyRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await db
    .select()
    .from(entraPasskeys)
    .where(and(eq(entraPasskeys.pairingId, pairingId), eq(entraPasskeys.id, id)));
  return row;
}

export async function upsertPasskey(db: Executor, row: typeof entraPasskeys.$inferInsert): Promise<EntraPasskeyRow> {
  const [saved] = await db
    .insert(entraPasskeys)
    .values(row)
    .onConflictDoUpdate({
      target: [entraPasskeys.pairingId, entraPasskeys.methodId],
      set: { displayName: row.displayName, lastUsedAt: row.lastUsedAt ?? null, model: row.model ?? null },
    })
    .returning();
  return saved!;
}

export async function deletePasskeyById(db: Executor, id: string): Promise<void> {
  await db.delete(entraPasskeys).where(eq(entraPasskeys.id, id));
}

export async function deletePasskeysNotIn(db: Executor, pairingId: string, methodIds: string[]): Promise<void> {
  await db.delete(entraPasskeys).where(
    and(
      eq(entraPasskeys.pairingId, pairingId),
      methodIds.length
        ? sql`${entraPasskeys.methodId} not in (${sql.join(
            methodIds.map((id) => sql`${id}`),
            sql`, `,
          )})`
        : undefined,
    ),
  );
}

export async function countPasskeys(db: Executor, pairingId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(entraPasskeys).where(eq(entraPasskeys.pairingId, pairingId));
  return row?.n ?? 0;
}

export async function findPairingGroups(db: Executor, domainId: string) {
  return db.select().from(entraPairingGroups).where(eq(entraPairingGroups.domainId, domainId));
}

export async function insertPairingGroup(db: Executor, row: typeof entraPairingGroups.$inferInsert): Promise<void> {
  await db
    .insert(entraPairingGroups)
    .values(row)
    .onConflictDoUpdate({ target: [entraPairingGroups.domainId, entraPairingGroups.state], set: { groupId: row.groupId, displayName: row.displayName } });
}
