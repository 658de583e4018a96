/**
 * The error codes (with their HTTP status) and audit actions of employees and organisation: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const employeeErrorCodes = {
  'employees.not_found': 404,
  'employees.email_in_use': 409,
  'organisation.company_not_found': 404,
  'organisation.department_not_found': 404,
  'organisation.position_not_found': 404,
  'organisation.department_mismatch': 400,
  'organisation.name_in_use': 409,
  'organisation.in_use': 409,
} as const satisfies Record<string, number>;

export const employeeAuditActions = [
  'employee.created',
  'employee.updated',
  'employee.deleted',
  'employee.status_changed',
  'employee.sessions_ended',
  'company.created',
  'company.updated',
  'company.deleted',
  'department.created',
  'department.updated',
  'department.deleted',
  'position.created',
  'position.updated',
  'position.deleted',
  'employee.sign_in',
  'employee.sign_out',
  'employee.locked',
  'employee.credential_registered',
  'employee.credential_renamed',
  'employee.credential_removed',
  'employee.sign_count_regressed',
  'employee.totp_enabled',
  'employee.totp_reset',
  'employee.password_changed',
] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    employee: typeof employeeErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    employee: typeof employeeAuditActions;
  }
}
