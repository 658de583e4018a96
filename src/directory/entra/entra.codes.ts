/**
 * The error codes (with their HTTP status) and audit actions of Entra ID: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const entraErrorCodes = {
  'entra.not_entra_domain': 409,
  'entra.passkeys_disabled': 409,
  'entra.email_domain_not_allowed': 403,
  'entra.not_eligible': 409,
  'entra.user_missing': 409,
  'entra.challenge_missing': 409,
  'entra.challenge_mismatch': 400,
  'entra.challenge_expired': 400,
  'entra.attestation_refused': 400,
  'entra.passkey_not_found': 404,
  'entra.graph_failed': 502,
} as const satisfies Record<string, number>;

export const entraAuditActions = [
  'entra.passkey_options_issued',
  'entra.passkey_registered',
  'entra.passkey_registration_refused',
  'entra.passkey_deleted',
  'entra.pairing_changed',
  'entra.group_created',
  'entra.group_member_added',
  'entra.group_member_removed',
] as const;

declare module '../../lib/errors.js' {
  interface ErrorCodeLists {
    entra: typeof entraErrorCodes;
  }
}

declare module '../../audit/audit.actions.js' {
  interface AuditActionLists {
    entra: typeof entraAuditActions;
  }
}
