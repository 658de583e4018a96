/**
 * The error codes (with their HTTP status) and audit actions of OIDC: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const oidcErrorCodes = {
  'oidc.client_not_found': 404,
  'oidc.client_id_in_use': 409,
  'oidc.client_invalid': 400,
  'oidc.client_managed_by_config': 409,
  'oidc.grant_not_found': 404,
} as const satisfies Record<string, number>;

export const oidcAuditActions = [
  'oidc.key_rotated',
  'oidc.client_created',
  'oidc.client_updated',
  'oidc.client_deleted',
  'oidc.client_secret_rotated',
  'oidc.sign_in',
  'oidc.sign_in_refused',
  'oidc.consent_given',
  'oidc.grants_revoked',
  'oidc.logout',
  'oidc.backchannel_logout_failed',
  'oidc.client_auth_failed',
] as const;

declare module '../../lib/errors.js' {
  interface ErrorCodeLists {
    oidc: typeof oidcErrorCodes;
  }
}

declare module '../../audit/audit.actions.js' {
  interface AuditActionLists {
    oidc: typeof oidcAuditActions;
  }
}
