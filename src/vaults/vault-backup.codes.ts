/**
 * The error codes (with their HTTP status) and audit actions of vault backup and restore: stable
 * names that the CLI, the console and scripts key on. The composition root registers them
 * (src/app/codes.ts). The file's refusals are all 400: the file, not the caller, is at fault.
 */
export const vaultBackupErrorCodes = {
  /** The file does not begin with "TESSERA-VAULT": not a Tessera vault backup. */
  'vault_backup.not_a_backup': 400,
  /** A format version this server cannot read (written by a newer Tessera). */
  'vault_backup.unsupported_version': 400,
  /** A key derivation or encryption algorithm id this version does not know. */
  'vault_backup.unsupported_algorithm': 400,
  /** argon2id costs or chunk size outside the bounds a reader accepts (a hostile file must not cost gigabytes). */
  'vault_backup.parameters_out_of_bounds': 400,
  /** The file ends before its header, or before its final chunk. */
  'vault_backup.truncated': 400,
  /** The passphrase does not open the header (or the header itself was altered). */
  'vault_backup.wrong_passphrase': 400,
  /** A chunk fails authentication: altered, reordered, or bytes after the final chunk. */
  'vault_backup.damaged': 400,
  /** The decrypted document is not a backup document this version reads. */
  'vault_backup.invalid_document': 400,
  /** An empty or overlong passphrase, or one too short to protect a new backup. */
  'vault_backup.passphrase_invalid': 400,
  /** A restore upload that is not the file's bytes (Content-Type application/octet-stream). */
  'vault_backup.upload_invalid': 415,
} as const satisfies Record<string, number>;

export const vaultBackupAuditActions = ['vault_backup.exported', 'vault_backup.restored', 'vault_backup.restore_failed'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    vaultBackup: typeof vaultBackupErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    vaultBackup: typeof vaultBackupAuditActions;
  }
}
