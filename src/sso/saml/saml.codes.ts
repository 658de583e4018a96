/**
 * The error codes (with their HTTP status) and audit actions of SAML: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const samlErrorCodes = {
  'saml.sp_not_found': 404,
  'saml.entity_id_in_use': 409,
  'saml.certificate_invalid': 400,
  'saml.metadata_invalid': 400,
  'saml.certificate_required': 400,
  'saml.rollover_pending': 409,
} as const satisfies Record<string, number>;

export const samlAuditActions = [
  'saml.sp_created',
  'saml.sp_updated',
  'saml.sp_deleted',
  'saml.key_created',
  'saml.keys_rolled_over',
  'saml.sign_in',
  'saml.sign_in_refused',
  'saml.logout',
] as const;

declare module '../../lib/errors.js' {
  interface ErrorCodeLists {
    saml: typeof samlErrorCodes;
  }
}

declare module '../../audit/audit.actions.js' {
  interface AuditActionLists {
    saml: typeof samlAuditActions;
  }
}
