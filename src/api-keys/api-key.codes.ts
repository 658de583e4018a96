/**
 * The error codes (with their HTTP status) and audit actions of API keys: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const apiKeyErrorCodes = {
  'api_keys.not_found': 404,
  'api_keys.name_in_use': 409,
  'api_keys.expiry_in_past': 400,
} as const satisfies Record<string, number>;

export const apiKeyAuditActions = ['api_key.created', 'api_key.updated', 'api_key.revoked', 'api_key.auth_failed'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    apiKey: typeof apiKeyErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    apiKey: typeof apiKeyAuditActions;
  }
}
