import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's first recommended setting (19 MiB, 2 iterations, 1 lane):
 * https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
 */
const ARGON2_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when the account does not exist, so that
 * "no such admin" and "wrong password" take the same time.
 */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$CxS7B+AMs7SYSYn/4FYNJQ$VB1MUTguSPdx5KjrjHkQu21A1CjGFfV6SuaIMYyrwJk';

const COMMON = new Set([
  'password',
  'passw0rd',
  'password1',
  'password123',
  '123456789012',
  'qwertyuiopas',
  'letmein12345',
  'administrator',
  'welcome12345',
  'changeme1234',
]);

/** NIST SP 800-63B: length over composition rules, and no well-known passwords. Returns the problem, if any. */
export function passwordProblem(password: string, context: string[] = []): string | undefined {
  if (password.length < 12) return 'Password must be at least 12 characters long';
  if (password.length > 256) return 'Password must be at most 256 characters long';
  if (/^(.)\1+$/.test(password)) return 'Password must not repeat one character';
  if (COMMON.has(password.toLowerCase())) return 'Password is too common';
  const lower = password.toLowerCase();
  for (const c of context) {
    if (c && c.length >= 4 && lower.includes(c.toLowerCase())) return 'Password must not contain your e-mail address or name';
  }
  return undefined;
}
