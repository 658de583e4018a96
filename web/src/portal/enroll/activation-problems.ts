import { ApiError } from '../../shared/api/client';
import { ceremonyErrorMessage, isCeremonyCancelled } from '../../shared/api/webauthn';

/** An activation code as people type it: 16 characters, any case, with or without dashes and spaces. */
export const ACTIVATION_CODE_LENGTH = 16;

/** Whether the typed code can be one (the server reads O as 0 and I, L as 1, and decides the rest). */
export function isActivationCodeShaped(typed: string): boolean {
  return /^[0-9A-Z]+$/i.test(typed.replace(/[\s-]/g, '')) && typed.replace(/[\s-]/g, '').length === ACTIVATION_CODE_LENGTH;
}

export interface ActivationProblem {
  title: string;
  message: string;
}

/**
 * What a failed activation tells the employee. The server answers one code for a wrong address and a
 * wrong, used or expired code alike, and a locked key answers the same from then on (no
 * enumeration: src/vaults/activation.service.ts), so one sentence covers them all. The server's own
 * message is shown only for the rate limit (it says how long to wait); the model mismatch's names
 * AAGUIDs, which mean nothing to an employee.
 */
export function activationProblem(error: unknown): ActivationProblem {
  if (isCeremonyCancelled(error)) return { title: 'Cancelled', message: 'The security key prompt was closed. Try again, and touch your key when it blinks.' };
  const code = error instanceof ApiError ? error.code : '';
  switch (code) {
    case 'hardware_keys.activation_invalid':
      return {
        title: 'Wrong e-mail address or activation code',
        message:
          'The e-mail address or the activation code is not right, or the code has expired or was already used. Check both and try again. After 5 wrong codes the key is locked: then contact IT for a new code.',
      };
    case 'hardware_keys.model_mismatch':
      return {
        title: 'This is not the key reserved for you',
        message: 'This security key is not the one that was reserved for you: use the key that was given to you.',
      };
    case 'webauthn.challenge_expired':
    case 'webauthn.challenge_invalid':
      return { title: 'That took too long', message: 'The activation was not finished in time. Try again.' };
    case 'rate_limit.exceeded':
      return { title: 'Too many attempts', message: (error as ApiError).message };
    case 'request.validation_failed':
      return { title: 'Check your entries', message: 'Enter your work e-mail address and the 16-character activation code you were given.' };
    default:
      break;
  }
  if (error instanceof ApiError) {
    if (error.status >= 500 || error.status === 0)
      return { title: 'Something went wrong', message: 'The key could not be activated because of a problem on our side. Try again in a moment.' };
    if (error.code.startsWith('webauthn.')) return { title: 'Could not activate this key', message: ceremonyErrorMessage(error) };
    return { title: 'Could not activate this key', message: 'The key could not be activated. Try again, or contact IT.' };
  }
  return { title: 'Could not activate this key', message: ceremonyErrorMessage(error) };
}
