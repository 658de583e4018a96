import crypto from 'node:crypto';
import { hmac } from '../security/tokens.js';

/**
 * TOTP recovery codes of admins: what they look like and how they are stored.
 *
 * Rules:
 * - A set is 10 codes of 10 characters from Crockford's base32 alphabet (no I, L, O, U), shown as
 *   `xxxxx-xxxxx`: 50 random bits each. Typing is forgiving: case, spaces and hyphens do not
 *   matter, and O/I/L read as 0/1/1 (https://www.crockford.com/base32.html).
 * - Only HMAC-SHA256(key, code) is stored, under a random key of the set that is itself sealed
 *   under the master key (so key rotation re-seals it). A copy of the database alone does not let
 *   anyone test guesses offline; argon2 is not needed for random 50-bit codes, and would make each
 *   sign-in verify up to ten slow hashes. An exact hash also lets one conditional UPDATE find and
 *   consume a code, so a code is accepted once even when two requests race.
 * - Online guessing goes through the per-account lockout and the per-IP credential budget, like a
 *   TOTP code.
 */
export const RECOVERY_CODE_COUNT = 10;
/** At or below this many unused codes, the console asks for a new set. */
export const RECOVERY_CODES_LOW = 3;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 10;

export const recoveryKeyAad = (adminId: string) => `admins.recovery_code_key:${adminId}`;

/** A new set key (base64url, 256 bits). */
export const newRecoveryKey = (): string => crypto.randomBytes(32).toString('base64url');

export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    // 32 symbols: each random byte's low 5 bits pick one without bias.
    const chars = [...crypto.randomBytes(LENGTH)].map((b) => ALPHABET[b & 31]).join('');
    codes.add(`${chars.slice(0, 5)}-${chars.slice(5)}`);
  }
  return [...codes];
}

/** The canonical form of what an admin typed, or undefined when it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const text = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (text.length !== LENGTH || ![...text].every((c) => ALPHABET.includes(c))) return undefined;
  return text;
}

/** What the database holds for a code (`key` is the opened set key). */
export const hashRecoveryCode = (key: string, code: string): string =>
  hmac(Buffer.from(key, 'base64url'), `admin-recovery-code:${normalizeRecoveryCode(code) ?? ''}`);
