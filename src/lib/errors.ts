/**
 * Every error a client can cause has a stable code with its HTTP status. The codes of the HTTP
 * layer are here; each feature declares its own in its `<feature>.codes.ts` (ErrorCodeLists, by
 * declaration merging), and the composition root registers them all (src/app/codes.ts). Services
 * throw AppError; one Fastify error handler turns it into {"error":{"code","message"}}.
 */
export const coreErrorCodes = {
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
  /** A workstation agent's signed assertion was refused (docs/agent-protocol.md §3). */
  'agent.assertion_invalid': 401,
  'agent.not_approved': 403,
  'internal.error': 500,
  'internal.unavailable': 503,
} as const satisfies Record<string, number>;

/** The lists of codes, one a feature, merged in by each feature's codes file. */
export interface ErrorCodeLists {
  core: typeof coreErrorCodes;
}
type KeysOf<T> = T extends unknown ? keyof T : never;
export type ErrorCode = KeysOf<ErrorCodeLists[keyof ErrorCodeLists]> & string;

const registry: Record<string, number> = { ...coreErrorCodes };
/** Every registered code with its HTTP status. */
export const errorCodes: Readonly<Record<string, number>> = registry;

/** Adds a feature's codes; a code registered twice with another status is a programming error. */
export function registerErrorCodes(list: Readonly<Record<string, number>>): void {
  for (const [code, status] of Object.entries(list)) {
    if (registry[code] !== undefined && registry[code] !== status) throw new Error(`error code ${code} registered with ${registry[code]} and ${status}`);
    registry[code] = status;
  }
}

export class AppError extends Error {
  /**
   * `field`: the input the error is about, as its path in the request body (`name`,
   * `settings.urls`); the answer then carries `details: [{ path, field, message }]` so that a form
   * marks that input (src/http/error-handler.ts).
   */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { cause?: unknown; details?: unknown; field?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
  }
  /** The HTTP status registered for the code; an unregistered code is our fault (500). */
  get status(): number {
    return registry[this.code] ?? 500;
  }
  get details(): unknown {
    return this.options.details;
  }
  get field(): string | undefined {
    return this.options.field;
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
