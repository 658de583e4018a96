import { generateSecret, generateURI, verifySync, generateSync } from 'otplib';

/** RFC 6238 TOTP with SHA-1, 6 digits, 30-second steps: what every authenticator app supports. */
export const TOTP_PERIOD = 30;

export const newTotpSecret = (): string => generateSecret({ length: 20 });

export const totpUri = (issuer: string, label: string, secret: string): string => generateURI({ issuer, label, secret });

/**
 * Verifies a code, accepting one step of clock skew either way (RFC 6238 §5.2), and refusing any
 * step at or before `lastStep` so that a code can never be used twice. Returns the step used.
 */
export function verifyTotp(opts: { secret: string; code: string; nowMs: number; lastStep?: number | null }): { ok: true; step: number } | { ok: false } {
  if (!/^\d{6}$/.test(opts.code)) return { ok: false };
  const result = verifySync({
    secret: opts.secret,
    token: opts.code,
    epoch: Math.floor(opts.nowMs / 1000),
    epochTolerance: TOTP_PERIOD,
    ...(opts.lastStep != null ? { afterTimeStep: opts.lastStep } : {}),
  });
  if (!result.valid) return { ok: false };
  return { ok: true, step: Math.floor(Math.floor(opts.nowMs / 1000) / TOTP_PERIOD) + result.delta };
}

/** The current code for a secret (tests and the CLI's self-check). */
export const totpCode = (secret: string, nowMs: number): string => generateSync({ secret, epoch: Math.floor(nowMs / 1000) });
