/**
 * The error codes (with their HTTP status) and audit actions of employee sign-in and WebAuthn: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const authnErrorCodes = {
  'webauthn.challenge_invalid': 400,
  'webauthn.challenge_expired': 400,
  'webauthn.verification_failed': 400,
  'webauthn.authenticator_not_allowed': 403,
  'webauthn.credential_unknown': 401,
  'webauthn.sign_count_regressed': 401,
  'webauthn.too_many_credentials': 409,
  'webauthn.credential_not_found': 404,
  /** A credential enrolled as a second factor only was offered where a first factor is needed (passwordless sign-in, delivery...). */
  'webauthn.second_factor_only': 403,
  'signin.invalid_credentials': 401,
  'signin.invalid_totp': 401,
  'signin.account_disabled': 403,
  'signin.method_not_allowed': 403,
  'signin.stage_invalid': 403,
  'signin.password_too_weak': 400,
  /** The credential is bound to a hardware key that is not Active (suspended, locked, compromised...). */
  'signin.hardware_key_not_active': 403,
  /** The credential's hardware key has an access profile that requires user verification, and the assertion has no UV flag. */
  'signin.user_verification_required': 403,
  /** The credential's hardware key is of a model (AAGUID) its access profile does not allow. */
  'signin.key_model_not_allowed': 403,
  /** The employee's SSO method (own override or domain default, src/sso/app-access.ts) does not accept this sign-in path. */
  'signin.method_not_allowed_for_employee': 403,
} as const satisfies Record<string, number>;

declare module '../lib/errors.js' {
  interface ErrorCodeLists {
    authn: typeof authnErrorCodes;
  }
}
