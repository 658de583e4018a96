/**
 * The error codes (with their HTTP status) and audit actions of hardware key access profiles
 * (issue 14 §4): stable names that clients, the console and SIEM rules key on. The composition root
 * registers them (src/app/codes.ts).
 */
export const accessProfileErrorCodes = {
  'access_profiles.not_found': 404,
  'access_profiles.name_in_use': 409,
  /** At enrolment: the authenticator did not verify its user (UV flag unset) and the key's profile requires it. */
  'access_profiles.user_verification_required': 403,
  /** At enrolment: the authenticator's AAGUID is not among the profile's allowed models. */
  'access_profiles.aaguid_not_allowed': 403,
  /** At enrolment: the authenticator reported a minimum PIN length below the profile's. */
  'access_profiles.pin_too_short': 403,
} as const satisfies Record<string, number>;

export const accessProfileAuditActions = ['access_profile.created', 'access_profile.updated', 'access_profile.deleted', 'access_profile.assigned'] as const;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    accessProfile: typeof accessProfileErrorCodes;
  }
}

declare module '../audit/audit.actions.js' {
  interface AuditActionLists {
    accessProfile: typeof accessProfileAuditActions;
  }
}
