/**
 * The error codes (with their HTTP status) and audit actions of settings: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const settingsErrorCodes = {
  'settings.invalid': 400,
  'settings.logo_invalid': 400,
  'settings.smtp_password_required': 400,
} as const satisfies Record<string, number>;

export const settingsAuditActions = ['settings.updated'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    settings: typeof settingsErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    settings: typeof settingsAuditActions;
  }
}
