/**
 * The error codes (with their HTTP status) and audit actions of hardware keys: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const hardwareKeyErrorCodes = {
  'hardware_keys.not_found': 404,
  'hardware_keys.serial_in_use': 409,
} as const satisfies Record<string, number>;

export const hardwareKeyAuditActions = ['hardware_key.added', 'hardware_key.removed'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    hardwareKey: typeof hardwareKeyErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    hardwareKey: typeof hardwareKeyAuditActions;
  }
}
