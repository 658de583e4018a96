import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import type { Sealer } from '../security/sealing.js';
import type { KdfParams } from './vault-backup-format.js';

/** What backup and restore need of the server: narrow, so that tests run them against a bare database. */
export type SealedVaultColumn = 'password' | 'otp_secret' | 'notes';
/** The associated data the vault seals a secret under (vault-account.tables.ts): its column and row. */
export const vaultSecretAad = (column: SealedVaultColumn, id: string) => `vault_accounts.${column}:${id}`;

export interface VaultBackupDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  sealer: Pick<Sealer, 'seal' | 'open'>;
  /** This server's PUBLIC_URL, written into the manifest. */
  source: string;
  employees: {
    findById(id: string, tx?: Executor): Promise<{ id: string; email: string; departmentId: string | null } | undefined>;
    findByEmail(email: string, tx?: Executor): Promise<{ id: string; email: string; departmentId: string | null } | undefined>;
    summariesByIds(ids: string[]): Promise<{ id: string; email: string }[]>;
  };
  /** Employees' directory external ids (src/directory account service). */
  externalIds: {
    byEmployee(employeeIds: string[], tx?: Executor): Promise<Map<string, string[]>>;
    employeeIdFor(externalIds: string[], tx?: Executor): Promise<string | undefined>;
  };
  /** Every department with its company's name. */
  departments(): Promise<{ id: string; company: string; name: string }[]>;
  /** argon2id costs of new backups; the format's default unless a test lowers them. */
  kdf?: KdfParams;
}
