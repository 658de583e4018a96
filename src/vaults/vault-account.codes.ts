/**
 * The error codes (with their HTTP status) and audit actions of vault accounts and templates:
 * stable names that clients, the console and SIEM rules key on. The composition root registers
 * them (src/app/codes.ts). No audit event ever carries a secret, only which field was read or changed.
 */
export const vaultErrorCodes = {
  /** Unknown, or not the caller's (another employee's account answers the same). */
  'vault.account_not_found': 404,
  'vault.template_not_found': 404,
  /** A shared account (the administrator's) or a directory account (the directory's): the employee reads it only. */
  'vault.read_only': 403,
  'vault.template_name_in_use': 409,
  'vault.otp_invalid': 400,
  'vault.policy_invalid': 400,
  /** The field asked for is not set on this account (no password, notes or OTP secret). */
  'vault.field_empty': 404,
  /** The passkey check did not prove the employee with user verification (or was not for this account). */
  'vault.reveal_refused': 401,
  /** The employee has no passkey or security key to prove themselves with. */
  'vault.no_passkey': 409,
  'vault.assignee_not_found': 404,
  /** Declared in the configuration file: change it there. */
  'vault.managed_by_config': 409,
} as const satisfies Record<string, number>;

export const vaultAuditActions = [
  'vault.account_created',
  'vault.account_updated',
  'vault.account_deleted',
  'vault.account_revealed',
  'vault.account_copied',
  'vault.reveal_refused',
  'vault.account_assigned',
  'vault.account_unassigned',
  'vault.template_created',
  'vault.template_updated',
  'vault.template_deleted',
] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    vault: typeof vaultErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    vault: typeof vaultAuditActions;
  }
}
