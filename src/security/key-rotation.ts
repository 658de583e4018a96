import type { Database, RawQuery } from '../db/connection.js';
import type { Sealer } from './sealing.js';

/**
 * Every place a sealed value lives, with the associated data it was sealed under. A feature
 * that seals a new column adds it here, so that key rotation re-seals it too.
 */
interface SealedColumn {
  table: string;
  idColumn: string;
  column: string;
  /** Rows to consider (SQL condition), for tables that mix sealed and plain values. */
  where?: string;
  aad(id: string): string;
  /** The column is jsonb holding the sealed string. */
  isJson?: boolean;
}

export const sealedColumns: SealedColumn[] = [
  { table: 'admins', idColumn: 'id', column: 'totp_secret', aad: (id) => `admins.totp_secret:${id}` },
  { table: 'admins', idColumn: 'id', column: 'totp_pending_secret', aad: (id) => `admins.totp_pending_secret:${id}` },
  { table: 'admins', idColumn: 'id', column: 'recovery_code_key', aad: (id) => `admins.recovery_code_key:${id}` },
  { table: 'employee_auth', idColumn: 'employee_id', column: 'totp_secret', aad: (id) => `employee_auth.totp_secret:${id}` },
  { table: 'employee_auth', idColumn: 'employee_id', column: 'totp_pending_secret', aad: (id) => `employee_auth.totp_pending_secret:${id}` },
  { table: 'mail_outbox', idColumn: 'id', column: 'body', aad: (id) => `mail_outbox.body:${id}` },
  { table: 'directory_domains', idColumn: 'id', column: 'secret', aad: (id) => `directory_domains.secret:${id}` },
  { table: 'domain_passwords', idColumn: 'id', column: 'password', aad: (id) => `domain_passwords.password:${id}` },
  { table: 'oidc_signing_keys', idColumn: 'kid', column: 'private_jwk', aad: (id) => `oidc_signing_keys.private_jwk:${id}` },
  { table: 'oidc_clients', idColumn: 'id', column: 'secret', aad: (id) => `oidc_clients.secret:${id}` },
  { table: 'settings', idColumn: 'key', column: 'value', where: `key IN ('smtp.password')`, aad: (id) => `settings:${id}`, isJson: true },
  { table: 'saml_signing_keys', idColumn: 'id', column: 'private_key', aad: (id) => `saml_signing_keys.private_key:${id}` },
  { table: 'vault_accounts', idColumn: 'id', column: 'password', aad: (id) => `vault_accounts.password:${id}` },
  { table: 'vault_accounts', idColumn: 'id', column: 'otp_secret', aad: (id) => `vault_accounts.otp_secret:${id}` },
  { table: 'vault_accounts', idColumn: 'id', column: 'notes', aad: (id) => `vault_accounts.notes:${id}` },
  { table: 'audit_destinations', idColumn: 'id', column: 'secret', aad: (id) => `audit_destinations.secret:${id}` },
];

/** Opens every sealed value with `from` and seals it again with `to`, in the caller's transaction. */
export async function resealAll(query: RawQuery, from: Sealer, to: Sealer): Promise<number> {
  let count = 0;
  for (const c of sealedColumns) {
    const rows = await query<{ id: string; value: unknown }>(
      `SELECT ${c.idColumn}::text AS id, ${c.column} AS value FROM ${c.table} WHERE ${c.column} IS NOT NULL${c.where ? ` AND ${c.where}` : ''} FOR UPDATE`,
    );
    for (const row of rows) {
      const sealed = String(row.value);
      const resealed = to.seal(from.open(sealed, c.aad(row.id)), c.aad(row.id));
      await query(`UPDATE ${c.table} SET ${c.column} = $1${c.isJson ? '::jsonb' : ''} WHERE ${c.idColumn}::text = $2`, [
        c.isJson ? JSON.stringify(resealed) : resealed,
        row.id,
      ]);
      count++;
    }
  }
  return count;
}

export async function rotateSealedValues(database: Database, from: Sealer, to: Sealer): Promise<number> {
  return database.transaction((query) => resealAll(query, from, to));
}
