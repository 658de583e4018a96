/**
 * The error codes (with their HTTP status) and audit actions of groups: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const groupErrorCodes = {
  'groups.not_found': 404,
  'groups.name_in_use': 409,
  /** A directory group is its domain's sync's: renaming, deleting or changing its members is refused. */
  'groups.directory_owned': 409,
  'groups.employee_not_found': 404,
  'groups.not_a_member': 404,
} as const satisfies Record<string, number>;

export const groupAuditActions = ['group.created', 'group.updated', 'group.deleted', 'group.member_added', 'group.member_removed'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    groups: typeof groupErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    groups: typeof groupAuditActions;
  }
}
