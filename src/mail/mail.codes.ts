/**
 * The error codes (with their HTTP status) and audit actions of mail: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const mailErrorCodes = {
  'mail.not_configured': 409,
  'mail.send_failed': 502,
  'mail.password_required': 400,
  'mail.not_found': 404,
  'mail.already_sent': 409,
} as const satisfies Record<string, number>;

export const mailAuditActions = ['mail.sent', 'mail.failed', 'mail.test_sent', 'mail.retried'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    mail: typeof mailErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    mail: typeof mailAuditActions;
  }
}
