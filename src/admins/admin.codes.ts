/**
 * The error codes (with their HTTP status) and audit actions of admins: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const adminErrorCodes = {
  'setup.not_needed': 409,
  'setup.invalid_token': 401,
  'admins.not_found': 404,
  'admins.email_in_use': 409,
  'admins.last_admin': 409,
  'admins.cannot_delete_self': 409,
  'admins.password_too_weak': 400,
  'admins.totp_required': 409,
  'admins.totp_not_pending': 409,
  'admins.totp_already_enabled': 409,
  'admins.reauthentication_required': 403,
  /** Wrong, used, unknown and locked read the same, like auth.invalid_totp. */
  'auth.invalid_recovery_code': 401,
} as const satisfies Record<string, number>;

export const adminAuditActions = [
  'setup.completed',
  'admin.sign_in',
  'admin.sign_in_totp',
  'admin.sign_out',
  'admin.locked',
  'admin.created',
  'admin.updated',
  'admin.deleted',
  'admin.password_changed',
  'admin.password_recovered',
  'admin.totp_enabled',
  'admin.totp_disabled',
  'admin.totp_reset',
  'admin.recovery_codes_generated',
  'admin.recovery_code_used',
  'admin.passkey_registered',
  'admin.passkey_removed',
  'admin.passkey_renamed',
  'admin.sign_count_regressed',
] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    admin: typeof adminErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    admin: typeof adminAuditActions;
  }
}
