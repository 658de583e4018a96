/**
 * The error codes (with their HTTP status) and audit actions of invitations: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const invitationErrorCodes = {
  'invitations.not_found': 404,
  'invitations.expired': 410,
  'invitations.used': 410,
  'invitations.revoked': 410,
  'invitations.employee_inactive': 409,
} as const satisfies Record<string, number>;

export const invitationAuditActions = ['invitation.created', 'invitation.resent', 'invitation.revoked', 'invitation.used'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    invitation: typeof invitationErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    invitation: typeof invitationAuditActions;
  }
}
