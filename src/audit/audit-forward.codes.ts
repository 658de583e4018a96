/**
 * The error codes (with their HTTP status) and audit actions of audit forwarding: stable names
 * that clients, the console and SIEM rules key on. The composition root registers them
 * (src/app/codes.ts).
 */
export const auditForwardErrorCodes = {
  'audit_forward.not_found': 404,
  'audit_forward.name_in_use': 409,
  /** A PATCH named another kind than the destination has: delete it and create another. */
  'audit_forward.kind_mismatch': 400,
  'audit_forward.secret_required': 400,
} as const satisfies Record<string, number>;

export const auditForwardAuditActions = [
  'audit.destination_created',
  'audit.destination_updated',
  'audit.destination_deleted',
  'audit.destination_tested',
] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    auditForward: typeof auditForwardErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    auditForward: typeof auditForwardAuditActions;
  }
}
