/**
 * Every error a client can cause has a stable code, declared here with its HTTP status.
 * Services throw AppError; one Fastify error handler turns it into {"error":{"code","message"}}.
 */
export const errorCodes = {
  'request.invalid_json': 400,
  'request.validation_failed': 400,
  'request.invalid_text': 400,
  'request.invalid_url': 400,
  'request.uri_too_long': 414,
  'request.body_too_large': 413,
  'request.unsupported_media_type': 415,
  'request.not_found': 404,
  'request.method_not_allowed': 405,
  'rate_limit.exceeded': 429,
  'auth.required': 401,
  'auth.session_expired': 401,
  'auth.invalid_credentials': 401,
  'auth.invalid_totp': 401,
  'auth.forbidden': 403,
  'auth.insufficient_scope': 403,
  'auth.csrf_invalid': 403,
  'auth.stage_invalid': 403,
  'auth.invalid_api_key': 401,
  'setup.not_needed': 409,
  'setup.invalid_token': 401,
  'admins.not_found': 404,
  'admins.email_in_use': 409,
  'admins.last_admin': 409,
  'admins.cannot_delete_self': 409,
  'admins.password_too_weak': 400,
  'admins.totp_required': 409,
  'admins.totp_not_pending': 409,
  'admins.totp_already_enabled': 409,
  'employees.not_found': 404,
  'employees.email_in_use': 409,
  'organisation.company_not_found': 404,
  'organisation.department_not_found': 404,
  'organisation.position_not_found': 404,
  'organisation.department_mismatch': 400,
  'organisation.name_in_use': 409,
  'organisation.in_use': 409,
  'api_keys.not_found': 404,
  'api_keys.name_in_use': 409,
  'api_keys.expiry_in_past': 400,
  'settings.invalid': 400,
  'settings.logo_invalid': 400,
  'webauthn.challenge_invalid': 400,
  'webauthn.challenge_expired': 400,
  'webauthn.verification_failed': 400,
  'webauthn.authenticator_not_allowed': 403,
  'webauthn.credential_unknown': 401,
  'webauthn.sign_count_regressed': 401,
  'webauthn.too_many_credentials': 409,
  'webauthn.credential_not_found': 404,
  'signin.invalid_credentials': 401,
  'signin.invalid_totp': 401,
  'signin.account_disabled': 403,
  'signin.method_not_allowed': 403,
  'signin.stage_invalid': 403,
  'signin.password_too_weak': 400,
  'portal.last_method': 409,
  'portal.totp_not_pending': 409,
  'invitations.not_found': 404,
  'invitations.expired': 410,
  'invitations.used': 410,
  'invitations.revoked': 410,
  'invitations.employee_inactive': 409,
  'mail.not_configured': 409,
  'mail.send_failed': 502,
  'mail.not_found': 404,
  'mail.already_sent': 409,
  'oidc.client_not_found': 404,
  'oidc.client_id_in_use': 409,
  'oidc.client_invalid': 400,
  'oidc.client_managed_by_config': 409,
  'oidc.grant_not_found': 404,
  'saml.sp_not_found': 404,
  'saml.entity_id_in_use': 409,
  'saml.certificate_invalid': 400,
  'saml.metadata_invalid': 400,
  'saml.certificate_required': 400,
  'saml.rollover_pending': 409,
  'directory.domain_not_found': 404,
  'directory.name_in_use': 409,
  'directory.run_not_found': 404,
  'directory.run_not_awaiting': 409,
  'directory.sync_running': 409,
  'directory.account_not_found': 404,
  'directory.credentials_missing': 409,
  'directory.unreachable': 502,
  'directory.tls_failure': 502,
  'directory.bad_credentials': 502,
  'directory.group_not_found': 502,
  'directory.incomplete_listing': 502,
  'directory.insecure_transport': 409,
  'directory.password_policy': 400,
  'directory.wrong_password': 400,
  'directory.account_disabled': 409,
  'directory.insufficient_rights': 502,
  'directory.not_supported': 409,
  'directory.failed': 502,
  'directory.password_change_in_progress': 409,
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
  'hardware_keys.not_found': 404,
  'hardware_keys.serial_in_use': 409,
  'internal.error': 500,
  'internal.unavailable': 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { cause?: unknown; details?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.status = errorCodes[code];
  }
  get details(): unknown {
    return this.options.details;
  }
}

export const notFound = (code: ErrorCode & `${string}.not_found`, what: string) => new AppError(code, `${what} was not found`);

/** PostgreSQL unique-violation (23505) on the named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = findPgError(err);
  return e?.code === '23505' && (!constraint || e.constraint === constraint);
}

/** PostgreSQL foreign-key violation (23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  return findPgError(err)?.code === '23503';
}

function findPgError(err: unknown): { code?: string; constraint?: string } | undefined {
  // drizzle wraps driver errors; walk the cause chain.
  for (let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as never, i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e;
  }
  return undefined;
}
