/**
 * The error codes (with their HTTP status) and audit actions of application access: stable names
 * that clients, the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const applicationAccessErrorCodes = {
  /** A group, department or employee id given in an access change names nothing; `details.field` says which list. */
  'applications.access_target_unknown': 400,
} as const satisfies Record<string, number>;

export const applicationAccessAuditActions = ['application.access_changed'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    applicationAccess: typeof applicationAccessErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    applicationAccess: typeof applicationAccessAuditActions;
  }
}
