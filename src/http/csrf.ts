import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hmac, randomToken, safeEqual, sha256 } from '../security/tokens.js';

/**
 * Signed double-submit CSRF tokens bound to the session (OWASP CSRF cheat sheet, "Signed
 * Double-Submit Cookie"): the page reads the token from a cookie and echoes it in a header on
 * every state-changing request. A cross-site page can make the browser send the cookie but cannot
 * read it, so it cannot produce the header. The HMAC covers the nonce and the sessions the
 * browser holds (admin and employee cookies), so a token planted by a sibling subdomain, or one
 * taken from before a sign-in, is refused: every session change issues a new token.
 */
export const CSRF_HEADER = 'x-csrf-token';

/** The __Host- prefix pins the cookie to this origin over HTTPS (RFC 6265bis §4.1.3.2). */
export const csrfCookieName = (isSecure: boolean) => (isSecure ? '__Host-tessera_csrf' : 'tessera_csrf');

export function deriveCsrfKey(masterKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tessera csrf v1', 32));
}

/** The session cookies a token is bound to (absent ones count as empty). */
export interface CsrfSessions {
  admin?: string;
  employee?: string;
}

const binding = (sessions: CsrfSessions) => sha256(`${sessions.admin ?? ''}\n${sessions.employee ?? ''}`);

export function issueCsrfToken(key: Buffer, sessions: CsrfSessions): string {
  const nonce = randomToken(18);
  return `${nonce}.${hmac(key, `${binding(sessions)}.${nonce}`)}`;
}

/** A token is valid when cookie and header agree and its HMAC matches the sessions sent with it. */
export function isValidCsrf(key: Buffer, sessions: CsrfSessions, cookie: string | undefined, header: string | undefined): boolean {
  if (!cookie || !header || !safeEqual(cookie, header)) return false;
  const [nonce, mac, extra] = cookie.split('.');
  return Boolean(nonce && mac && extra === undefined && safeEqual(mac, hmac(key, `${binding(sessions)}.${nonce}`)));
}

export interface CsrfCookieNames {
  csrf: string;
  admin: string;
  employee: string;
}

/** The sessions a request carries, as its cookies say. */
export function requestSessions(request: FastifyRequest, names: CsrfCookieNames): CsrfSessions {
  return { admin: request.cookies[names.admin], employee: request.cookies[names.employee] };
}

/**
 * Sets a fresh CSRF cookie bound to the sessions the browser will hold after this response:
 * `next` names the session cookies this response sets (a value) or clears (null).
 */
export function renewCsrfCookie(
  reply: FastifyReply,
  key: Buffer,
  names: CsrfCookieNames,
  isSecure: boolean,
  next: { admin?: string | null; employee?: string | null },
) {
  const current = requestSessions(reply.request, names);
  const pick = (changed: string | null | undefined, was: string | undefined) => (changed === undefined ? was : (changed ?? undefined));
  const token = issueCsrfToken(key, { admin: pick(next.admin, current.admin), employee: pick(next.employee, current.employee) });
  setCsrfCookie(reply, names.csrf, token, isSecure);
  return token;
}

/** Readable by the page's script (that is the point); SameSite=Strict, never sent cross-site. */
export const csrfCookieOptions = (isSecure: boolean) => ({ path: '/', httpOnly: false, sameSite: 'strict' as const, secure: isSecure });

export function setCsrfCookie(reply: FastifyReply, name: string, token: string, isSecure: boolean) {
  reply.setCookie(name, token, csrfCookieOptions(isSecure));
}
