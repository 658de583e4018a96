/**
 * The error codes (with their HTTP status) and audit actions of application icons: stable names
 * that clients, the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const applicationIconErrorCodes = {
  'applications.icon_invalid': 400,
} as const satisfies Record<string, number>;

export const applicationIconAuditActions = ['application.icon_set', 'application.icon_removed'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    applicationIcons: typeof applicationIconErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    applicationIcons: typeof applicationIconAuditActions;
  }
}
