import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import type { VaultAccountRow } from './vault-account.repository.js';
import { vaultAccounts } from './vault-account.tables.js';

/** The queries of backup and restore that the vault's own repository has no use for. */

/** A page of every vault account, by id after `afterId`: a backup of all reads the table in pages. */
export async function findVaultAccountsAfter(db: Executor, afterId: string | null, limit: number): Promise<VaultAccountRow[]> {
  return db
    .select()
    .from(vaultAccounts)
    .where(afterId ? gt(vaultAccounts.id, afterId) : undefined)
    .orderBy(asc(vaultAccounts.id))
    .limit(limit);
}

/**
 * The account a restored one conflicts with by name: the owner's personal account, or the shared
 * account, of the same name (trimmed, case-insensitive). The oldest when several match.
 */
export async function findVaultAccountByOwnerAndName(
  db: Executor,
  f: { kind: 'personal' | 'shared'; employeeId: string | null; name: string },
): Promise<VaultAccountRow | undefined> {
  const [row] = await db
    .select()
    .from(vaultAccounts)
    .where(
      and(
        eq(vaultAccounts.kind, f.kind),
        f.employeeId ? eq(vaultAccounts.employeeId, f.employeeId) : isNull(vaultAccounts.employeeId),
        sql`lower(trim(${vaultAccounts.name})) = ${f.name.trim().toLowerCase()}`,
      ),
    )
    .orderBy(asc(vaultAccounts.createdAt), asc(vaultAccounts.id))
    .limit(1);
  return row;
}
