/**
 * The error codes (with their HTTP status) and audit actions of directory: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const directoryErrorCodes = {
  'directory.domain_not_found': 404,
  'directory.name_in_use': 409,
  'directory.run_not_found': 404,
  'directory.run_not_awaiting': 409,
  'directory.sync_running': 409,
  'directory.account_not_found': 404,
  'directory.credentials_missing': 409,
  'directory.secret_required': 400,
  'directory.unreachable': 502,
  'directory.tls_failure': 502,
  'directory.bad_credentials': 502,
  'directory.group_not_found': 502,
  'directory.incomplete_listing': 502,
  'directory.insecure_transport': 409,
  'directory.password_policy': 400,
  'directory.wrong_password': 400,
  'directory.account_disabled': 409,
  'directory.insufficient_rights': 502,
  'directory.not_supported': 409,
  'directory.failed': 502,
  'directory.password_change_in_progress': 409,
} as const satisfies Record<string, number>;

export const directoryAuditActions = [
  'directory.domain_created',
  'directory.domain_updated',
  'directory.domain_deleted',
  'directory.connection_tested',
  'directory.sync_completed',
  'directory.sync_failed',
  'directory.sync_held',
  'directory.sync_confirmed',
  'directory.sync_cancelled',
  'directory.dry_run',
  'directory.sync_previewed',
  'directory.account_linked',
  'directory.account_unlinked',
  'directory.password_rotated',
  'directory.password_set',
  'directory.password_change_failed',
  'directory.password_reconciled',
  'directory.password_changed_by_employee',
] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    directory: typeof directoryErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    directory: typeof directoryAuditActions;
  }
}
