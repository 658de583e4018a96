import crypto from 'node:crypto';
import { hmac, randomToken, safeEqual } from '../security/tokens.js';

/**
 * Signed double-submit CSRF tokens (OWASP CSRF cheat sheet): the console reads the token from a
 * cookie and echoes it in a header on every state-changing request. A cross-site page can make
 * the browser send the cookie but cannot read it, so it cannot produce the header. The HMAC keeps
 * a cookie planted by a sibling subdomain from being accepted.
 */
export const CSRF_COOKIE = 'tessera_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function deriveCsrfKey(masterKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tessera csrf v1', 32));
}

export function issueCsrfToken(key: Buffer): string {
  const nonce = randomToken(18);
  return `${nonce}.${hmac(key, nonce)}`;
}

export function isValidCsrf(key: Buffer, cookie: string | undefined, header: string | undefined): boolean {
  if (!cookie || !header || !safeEqual(cookie, header)) return false;
  const [nonce, mac] = cookie.split('.');
  return Boolean(nonce && mac && safeEqual(mac, hmac(key, nonce)));
}
