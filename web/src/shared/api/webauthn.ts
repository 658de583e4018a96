// The browser side of WebAuthn ceremonies (@simplewebauthn/browser), with the failures a person can
// cause turned into messages they understand. Shared by the employee pages and the console.
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { ApiError } from './client';
import type { AuthenticationCeremony, RegistrationCeremony } from './sign-in-types';

export { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill };

export const CANCELLED_MESSAGE = 'The passkey prompt was closed. Try again.';

/** A ceremony another one replaced (or that we cancelled ourselves): not worth telling anyone. */
export function isCeremonyAborted(error: unknown): boolean {
  return error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED';
}

/**
 * The person closed the prompt, it timed out, or no authenticator had a matching credential: the
 * browser reports all of these as NotAllowedError and does not tell them apart (WebAuthn §13.4.7).
 */
export function isCeremonyCancelled(error: unknown): boolean {
  const cause = error instanceof WebAuthnError ? (error.cause as Error | undefined) : undefined;
  return (
    (error instanceof Error && error.name === 'NotAllowedError') ||
    cause?.name === 'NotAllowedError' ||
    (error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED')
  );
}

export async function register(ceremony: RegistrationCeremony): Promise<RegistrationResponseJSON> {
  return startRegistration({ optionsJSON: ceremony.options });
}

export async function authenticate(ceremony: AuthenticationCeremony, useBrowserAutofill = false): Promise<AuthenticationResponseJSON> {
  return startAuthentication({ optionsJSON: ceremony.options, useBrowserAutofill });
}

/** Ends a pending ceremony (e.g. the autofill request when the page goes away). */
export function cancelCeremony(): void {
  WebAuthnAbortService.cancelCeremony();
}

const serverMessages: Record<string, string> = {
  'webauthn.credential_unknown': 'This passkey is not registered here (it may have been removed). Use another passkey or security key, or sign in another way.',
  'webauthn.challenge_expired': 'That took too long. Try again.',
  'webauthn.challenge_invalid': 'That sign-in attempt is no longer valid. Try again.',
  'webauthn.verification_failed': 'Your passkey could not be verified. Try again.',
  'webauthn.sign_count_regressed':
    'This security key could not be trusted: its signature counter went backwards, which happens when a key is copied. Contact your administrator.',
  'webauthn.too_many_credentials': 'You have the maximum number of sign-in methods. Remove one before adding another.',
  'signin.account_disabled': 'This account is disabled. Contact your administrator.',
  // A locked account answers like a wrong password (no account enumeration): the sentence says both.
  'signin.invalid_credentials':
    'Wrong e-mail address or password. After several failed attempts the account is locked for a while: wait a few minutes and try again.',
  'signin.invalid_totp':
    'That code is not valid. Enter the current code from your authenticator app. After several failed attempts the account is locked for a while.',
  'signin.method_not_allowed': 'Signing in with a password is not allowed. Use a passkey or a security key.',
  'signin.stage_invalid': 'Your sign-in attempt has expired. Start again.',
};

/** Server codes whose own message says more than a generic sentence (e.g. which model is refused). */
const keepServerMessage = new Set([
  'rate_limit.exceeded',
  'webauthn.authenticator_not_allowed',
  'portal.last_method',
  'webauthn.second_factor_only',
  'invitations.expired',
  'invitations.used',
  'invitations.revoked',
]);

/** A sentence for an employee or admin: ceremony failures from the browser, error codes from the server. */
export function ceremonyErrorMessage(error: unknown): string {
  if (isCeremonyCancelled(error)) return CANCELLED_MESSAGE;
  if (error instanceof WebAuthnError) {
    if (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This authenticator is already registered. Use another one, or sign in with it.';
    if (error.code === 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT')
      return 'This authenticator cannot store a passkey. Use a newer security key.';
    if (error.code === 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT')
      return 'This authenticator cannot check a PIN or fingerprint, which your organisation requires. Use another one.';
    if (error.code === 'ERROR_INVALID_DOMAIN' || error.code === 'ERROR_INVALID_RP_ID')
      return 'Passkeys do not work at this address. Open the sign-in page at its usual address.';
    return error.message;
  }
  if (error instanceof ApiError) {
    if (keepServerMessage.has(error.code)) return error.message;
    return serverMessages[error.code] ?? error.message;
  }
  if (error instanceof Error && /not supported/i.test(error.message))
    return 'This browser does not support passkeys. Use a current version of Chrome, Edge, Firefox or Safari.';
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Try again.';
}

/** A short title for an error shown in an Alert. */
export function ceremonyErrorTitle(error: unknown): string {
  if (isCeremonyCancelled(error)) return 'Cancelled';
  if (error instanceof ApiError) {
    if (error.code === 'signin.account_disabled') return 'Account disabled';
    if (error.code === 'webauthn.credential_unknown') return 'Unknown passkey';
    if (error.code === 'signin.invalid_totp') return 'Invalid code';
    if (error.code === 'rate_limit.exceeded') return 'Too many attempts';
  }
  return 'Sign-in failed';
}
