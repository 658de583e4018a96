/**
 * The error codes (with their HTTP status) and audit actions of workstations and their agents:
 * stable names that agents, the console and SIEM rules key on (docs/agent-protocol.md). The
 * composition root registers them (src/app/codes.ts).
 */
export const workstationErrorCodes = {
  'workstations.not_found': 404,
  'workstations.not_approved': 403,
  'workstations.denied': 403,
  'workstations.token_invalid': 400,
  'workstations.token_not_found': 404,
  'workstations.public_key_invalid': 400,
  'workstations.status_invalid': 409,
  'workstations.profile_not_found': 404,
  'workstations.profile_name_in_use': 409,
  'workstations.profile_is_default': 409,
  'workstations.department_not_found': 404,
  'workstations.employee_not_found': 404,
  'workstations.events_invalid': 400,
  'workstations.emergency_confirmation': 400,
  'workstations.emergency_active': 409,
  'workstations.emergency_inactive': 409,
  'workstations.expiry_invalid': 400,
  // Credential delivery (docs/agent-protocol.md §8)
  'workstations.emergency_block': 403,
  'workstations.unknown_account': 404,
  'workstations.employee_disabled': 403,
  'workstations.employee_deactivated': 403,
  'workstations.no_active_key': 403,
  'workstations.key_not_active': 403,
  'workstations.key_not_allowed': 403,
  'workstations.user_verification_required': 403,
  'workstations.delivery_request_invalid': 400,
} as const satisfies Record<string, number>;

export const workstationAuditActions = [
  'workstation.enrolled',
  'workstation.enrolment_refused',
  'workstation.approved',
  'workstation.denied',
  'workstation.updated',
  'workstation.removed',
  'workstation.command_issued',
  'workstation.command_completed',
  'workstation.command_expired',
  'workstation.enrolment_token_created',
  'workstation.enrolment_token_revoked',
  'workstation.profile_created',
  'workstation.profile_updated',
  'workstation.profile_deleted',
  'workstation.emergency_block_on',
  'workstation.emergency_block_off',
  'workstation.access_granted',
  'workstation.access_refused',
  'workstation.credentials_delivered',
  'workstation.credentials_refused',
  'agent.auth_failed',
] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    workstation: typeof workstationErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    workstation: typeof workstationAuditActions;
  }
}
