/**
 * The error codes (with their HTTP status) and audit actions of portal: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const portalErrorCodes = {
  'portal.last_method': 409,
  'portal.totp_not_pending': 409,
} as const satisfies Record<string, number>;

/** "Lost your key?" on the sign-in page (lost-key.service.ts): on the employee, for the admins to act on. */
export const portalAuditActions = ['employee.key_lost_reported'] as const;

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    portal: typeof portalAuditActions;
  }
}

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    portal: typeof portalErrorCodes;
  }
}
