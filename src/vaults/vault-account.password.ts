import crypto from 'node:crypto';

/** What a generated password is made of. */
export interface PasswordPolicy {
  length: number;
  upper: boolean;
  lower: boolean;
  digits: boolean;
  symbols: boolean;
  /** Leaves out characters people confuse when reading or typing them (I l 1 O 0 o, quotes, brackets). */
  excludeAmbiguous: boolean;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { length: 20, upper: true, lower: true, digits: true, symbols: true, excludeAmbiguous: true };

const SETS = {
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  symbols: '!#$%&*+-=?@^_~.,:;()[]{}<>/\\|\'"`',
} as const;
const AMBIGUOUS = new Set('Il1O0o|`\'",.;:()[]{}<>/\\');

export class PasswordPolicyError extends Error {}

/**
 * A random password with at least one character of each chosen class, drawn with a CSPRNG
 * (crypto.randomInt, uniform: no modulo bias), then shuffled (Fisher–Yates).
 */
export function generatePassword(policy: PasswordPolicy, randomInt: (max: number) => number = crypto.randomInt): string {
  const sets = (Object.keys(SETS) as (keyof typeof SETS)[])
    .filter((k) => policy[k])
    .map((k) => [...SETS[k]].filter((c) => !policy.excludeAmbiguous || !AMBIGUOUS.has(c)).join(''));
  if (sets.length === 0) throw new PasswordPolicyError('Choose at least one kind of character');
  if (policy.length < sets.length) throw new PasswordPolicyError(`A password with ${sets.length} kinds of character needs at least ${sets.length} characters`);
  const all = sets.join('');
  const chars = sets.map((set) => set[randomInt(set.length)]);
  while (chars.length < policy.length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
