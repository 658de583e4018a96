import { ApiError } from '../../shared/api/client';

/**
 * Which sign-in method an employee's account takes (their SSO method: src/sso/app-access.ts), as
 * this device has learnt it. The server says it only after the employee's first factor was right
 * (the `signin.method_not_allowed_for_employee` refusal names the method and the address), never
 * for a bare e-mail address: asking for an address tells nobody whether the account exists or how
 * it signs in. So before that the page offers every path the policy allows, and the server's
 * refusal explains; after it, the page offers that employee only the path that works, on this
 * device, until they use another way.
 */
export type KnownMethod = 'passwordless' | 'password_2fa';
type Known = Record<string, KnownMethod>;

const STORAGE_KEY = 'tessera.signin.methods';
const MAX_REMEMBERED = 20;

const keyOf = (email: string) => email.trim().toLowerCase();

export function readKnownMethods(): Known {
  try {
    const raw = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}') as unknown;
    if (!raw || typeof raw !== 'object') return {};
    return Object.fromEntries(Object.entries(raw).filter(([, v]) => v === 'passwordless' || v === 'password_2fa')) as Known;
  } catch {
    return {};
  }
}

function write(known: Known): Known {
  const entries = Object.entries(known).slice(-MAX_REMEMBERED);
  const next = Object.fromEntries(entries) as Known;
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Storage full or off: the page still works, it only forgets.
  }
  return next;
}

export const knownMethodOf = (known: Known, email: string): KnownMethod | undefined => known[keyOf(email)];

export function rememberMethod(known: Known, email: string, method: KnownMethod): Known {
  const { [keyOf(email)]: _, ...rest } = known;
  return write({ ...rest, [keyOf(email)]: method });
}

export function forgetMethod(known: Known, email: string): Known {
  const { [keyOf(email)]: _, ...rest } = known;
  return write(rest);
}

/** The method and address a refusal names, when the server refused a path the account does not take. */
export function refusedMethod(error: unknown): { method: KnownMethod; email: string } | undefined {
  if (!(error instanceof ApiError) || error.code !== 'signin.method_not_allowed_for_employee') return undefined;
  const d = error.details as { ssoMethod?: unknown; email?: unknown } | undefined;
  if ((d?.ssoMethod === 'passwordless' || d?.ssoMethod === 'password_2fa') && typeof d.email === 'string') return { method: d.ssoMethod, email: d.email };
  return undefined;
}
