import crypto from 'node:crypto';
import { sha256 } from '../security/tokens.js';

/**
 * One-time activation codes for hardware keys. People type them from a screen or a letter, so they
 * use Crockford's base32 (no I, L, O, U; case and dashes ignored, O read as 0, I and L as 1), 16
 * characters in groups of four: 80 bits, which no one guesses online and which an offline attack on
 * the SHA-256 at rest cannot search either (2^80 hashes). Stored as SHA-256 only (DESIGN.md: enough
 * for high-entropy random tokens). Online guessing is bounded twice over: the per-IP credential
 * budget, and ACTIVATION_MAX_ATTEMPTS failures against one employee's pending code lock the key.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ACTIVATION_CODE_LENGTH = 16;
/** Failed tries of one pending code before the key locks (an admin unlocks it with a new code). */
export const ACTIVATION_MAX_ATTEMPTS = 5;
/** A code is good for three days: long enough for a key sent by post to arrive. */
export const ACTIVATION_CODE_HOURS = 72;

export function generateActivationCode(randomInt: (max: number) => number = crypto.randomInt): string {
  let raw = '';
  for (let i = 0; i < ACTIVATION_CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return raw.match(/.{4}/g)!.join('-');
}

/** The code as typed, in canonical form; undefined when it cannot be one. */
export function normalizeActivationCode(typed: string): string | undefined {
  const s = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== ACTIVATION_CODE_LENGTH || [...s].some((c) => !ALPHABET.includes(c))) return undefined;
  return s;
}

/** What is stored: the SHA-256 of the canonical code. */
export const hashActivationCode = (code: string): string => sha256(`hardware-key-activation:${normalizeActivationCode(code) ?? code}`);
