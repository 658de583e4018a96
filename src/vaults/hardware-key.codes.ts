/**
 * The error codes (with their HTTP status) and audit actions of hardware keys: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const hardwareKeyErrorCodes = {
  'hardware_keys.not_found': 404,
  'hardware_keys.serial_in_use': 409,
  /** The state machine has no such transition, or not for this actor; `details.allowed` lists those it has. */
  'hardware_keys.transition_not_allowed': 409,
  'hardware_keys.employee_required': 400,
  'hardware_keys.employee_inactive': 409,
  'hardware_keys.reset_not_confirmed': 409,
  /** A Compromised key's record is kept (never reusable): it cannot be deleted. */
  'hardware_keys.compromised_kept': 409,
  'hardware_keys.import_invalid': 400,
  /** Wrong, unknown, used or expired activation code: one answer for all (no enumeration). */
  'hardware_keys.activation_invalid': 401,
  'hardware_keys.model_mismatch': 403,
} as const satisfies Record<string, number>;

export const hardwareKeyAuditActions = [
  'hardware_key.added',
  'hardware_key.removed',
  'hardware_key.imported',
  'hardware_key.transitioned',
  'hardware_key.transition_refused',
  'hardware_key.activation_code_issued',
  'hardware_key.activation_failed',
  'hardware_key.activated',
  'hardware_key.compromise_handled',
  'hardware_key.deactivation_handled',
  'hardware_key.registered_at_enrolment',
] as const;

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
