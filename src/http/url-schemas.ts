import { z } from 'zod';

/**
 * URL fields, checked by their schema so that a bad value is a 400 naming the field
 * (`body.redirectUris.0: …`), never an exception later. The check never throws: zod 4 runs a
 * refinement even after an earlier check of the same string failed, so `new URL` must not
 * be called unguarded.
 *
 * The value is kept as written (redirect URIs are compared as exact strings: RFC 6749 §3.1.2.3,
 * OAuth 2.0 Security BCP RFC 9700 §4.1.3), so what the WHATWG parser would silently repair is
 * refused instead: spaces, tabs and newlines, control characters, backslashes.
 */
export interface WebUrlRules {
  /** http allowed for any host (SAML/WS-Fed endpoints inside a company network); default false. */
  allowHttp?: boolean;
  /** http allowed for loopback hosts (RFC 8252 §7.3) and localhost (development); default true. */
  allowLoopbackHttp?: boolean;
  /** Default 2000: what every browser and proxy carries. */
  maxLength?: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why `value` is not an acceptable URL under `rules`, or undefined. */
export function webUrlProblem(value: string, rules: WebUrlRules = {}): string | undefined {
  if (/[\s\u0000-\u001f\u007f\\]/.test(value)) return 'must not contain spaces, control characters or backslashes';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'must be an absolute URL, such as https://app.example.com/callback';
  }
  const isLoopback = LOOPBACK.has(u.hostname);
  if (u.protocol === 'http:') {
    if (!rules.allowHttp && !(isLoopback && rules.allowLoopbackHttp !== false)) return 'must be an https URL (http only for localhost, 127.0.0.1 or [::1])';
  } else if (u.protocol !== 'https:') {
    return `must be an https URL, not ${u.protocol}`;
  }
  if (!u.hostname) return 'must name a host';
  if (u.username || u.password) return 'must not contain a user name or password';
  // A fragment is never sent to the server, and a redirect URI must not have one (RFC 6749 §3.1.2).
  if (u.hash || value.includes('#')) return 'must not contain a fragment (#…)';
  return undefined;
}

/** An absolute https URL (see WebUrlRules), no fragment, no credentials, at most maxLength characters. */
export function webUrl(rules: WebUrlRules = {}) {
  const max = rules.maxLength ?? 2000;
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      if (value.length > max) return;
      const problem = webUrlProblem(value, rules);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
