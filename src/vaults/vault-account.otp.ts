import crypto from 'node:crypto';

/**
 * One-time codes of vault accounts: TOTP (RFC 6238) over HOTP (RFC 4226). The secret comes as
 * base32 (RFC 4648 §6) or as an `otpauth://totp/...` URI, the de facto format of authenticator
 * QR codes (Google Authenticator "Key Uri Format"): secret, algorithm, digits and period.
 */
export interface OtpParams {
  secret: string;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: 6 | 7 | 8;
  period: number;
}

export class OtpInputError extends Error {}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(input: string): Buffer {
  const clean = input.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (clean.length === 0 || !/^[A-Z2-7]+$/.test(clean)) throw new OtpInputError('The OTP secret is not base32 (letters A–Z and digits 2–7)');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    value = (value << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** Reads a base32 secret or an otpauth URI; throws OtpInputError with what is wrong. */
export function parseOtpInput(input: string): OtpParams {
  const text = input.trim();
  if (!/^otpauth:/i.test(text)) return checked({ secret: text, algorithm: 'SHA1', digits: 6, period: 30 });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OtpInputError('The otpauth URI cannot be read');
  }
  if (url.host.toLowerCase() !== 'totp') throw new OtpInputError(`Only time-based codes (otpauth://totp/…) are supported, not ${url.host || 'this kind'}`);
  const secret = url.searchParams.get('secret');
  if (!secret) throw new OtpInputError('The otpauth URI has no secret');
  const algorithm = (url.searchParams.get('algorithm') ?? 'SHA1').toUpperCase();
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256' && algorithm !== 'SHA512') throw new OtpInputError(`Unsupported OTP algorithm ${algorithm.slice(0, 20)}`);
  const digits = Number(url.searchParams.get('digits') ?? 6);
  if (digits !== 6 && digits !== 7 && digits !== 8) throw new OtpInputError('An OTP code has 6, 7 or 8 digits');
  const period = Number(url.searchParams.get('period') ?? 30);
  if (!Number.isInteger(period) || period < 10 || period > 300) throw new OtpInputError('The OTP period must be 10 to 300 seconds');
  return checked({ secret, algorithm, digits, period });
}

function checked(p: OtpParams): OtpParams {
  const key = base32Decode(p.secret);
  // RFC 4226 §4 R6: at least 128 bits are required; 80-bit secrets are common in practice, less is not.
  if (key.length < 10) throw new OtpInputError('The OTP secret is too short (at least 16 base32 characters)');
  if (key.length > 128) throw new OtpInputError('The OTP secret is too long');
  return { ...p, secret: p.secret.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase() };
}

/**
 * Why a value is not OTP parameters as the vault stores them (toOtpJson: what parseOtpInput made),
 * or undefined when it is. For values that arrive in stored form (a backup's records).
 */
export function storedOtpProblem(json: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return 'is not the JSON of OTP parameters';
  }
  const p = v as Partial<Record<keyof OtpParams, unknown>> | null;
  if (typeof p !== 'object' || p === null || Array.isArray(p) || typeof p.secret !== 'string') return 'has no OTP secret';
  if (p.algorithm !== 'SHA1' && p.algorithm !== 'SHA256' && p.algorithm !== 'SHA512') return 'has an unsupported OTP algorithm';
  if (p.digits !== 6 && p.digits !== 7 && p.digits !== 8) return 'must have 6, 7 or 8 digits';
  if (typeof p.period !== 'number' || !Number.isInteger(p.period) || p.period < 10 || p.period > 300) return 'must have a period of 10 to 300 seconds';
  if (Object.keys(p).length !== 4) return 'has fields OTP parameters do not have';
  try {
    const canonical = checked(p as OtpParams);
    if (canonical.secret !== p.secret) return 'has an OTP secret that is not in canonical base32';
  } catch (err) {
    if (err instanceof OtpInputError) return err.message;
    throw err;
  }
  return undefined;
}

/** The HOTP value of one counter (RFC 4226 §5.3, dynamic truncation). */
export function hotp(p: Pick<OtpParams, 'secret' | 'algorithm' | 'digits'>, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac(p.algorithm.toLowerCase(), base32Decode(p.secret)).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 10 ** p.digits).padStart(p.digits, '0');
}

/** The code of the current step and of the next one, with when each ends (the portal counts down). */
export function totpCodes(p: OtpParams, nowMs: number): { code: string; validUntil: Date; next: { code: string; validUntil: Date }; period: number } {
  const step = Math.floor(nowMs / 1000 / p.period);
  return {
    code: hotp(p, step),
    validUntil: new Date((step + 1) * p.period * 1000),
    next: { code: hotp(p, step + 1), validUntil: new Date((step + 2) * p.period * 1000) },
    period: p.period,
  };
}
