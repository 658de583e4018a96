/**
 * Where a browser may be sent after signing in (`/signin?return_to=`, the console's `/login?next=`,
 * the resume paths of SAML, WS-Fed and OIDC). The server decides; the pages follow its answer.
 *
 * Rules, each closing a way to turn the sign-in page into an open redirect:
 * - The value is parsed with the WHATWG URL parser (what browsers use) against PUBLIC_URL, and
 *   only a URL of PUBLIC_URL's origin passes: `https://evil`, `//evil` (scheme-relative) and
 *   `javascript:` (opaque origin) resolve elsewhere.
 * - It must be a path (`/…`) or an absolute URL of our origin: a relative `portal` would depend on
 *   where the page happens to be.
 * - Tab, newline and the other C0 controls, DEL and backslash are refused anywhere in the raw value:
 *   the URL parser silently drops tab and newline and reads `\` as `/` (URL Standard §4.4), so
 *   `/\evil` and `/<TAB>/evil` are `//evil` to a browser.
 * - The path, percent-decoded (up to three times, for double encodings), must still be a plain
 *   path at every step, its dot segments resolved as a URL parser would: `/%2f%2fevil`,
 *   `/%5cevil`, `/%09/evil`, `/%0a/evil` and `/a/..%2f..%2f/evil` (`/a/../..//evil`, which
 *   resolves to `//evil`) become hosts the moment anything downstream (a proxy, a framework, a
 *   page) decodes them once.
 * - Anything else, and anything that does not parse, gives the fallback.
 * The answer is the URL's serialized path, query and fragment (dot segments resolved), never the
 * raw input.
 */

/** Where an employee goes when there is no (acceptable) return address. */
export const PORTAL_HOME = '/portal';

/** C0 controls (tab, newline, NUL…), DEL and backslash. */
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;
const MAX_LENGTH = 4096;
const MAX_DECODES = 3;

export interface ReturnToOptions {
  /** The server's PUBLIC_URL: its origin is the only one a return address may have. */
  publicUrl: string;
  /** The answer for a missing or refused value; PORTAL_HOME by default. */
  fallback?: string;
}

/** The same-origin path that `value` names, or the fallback when it names anything else. */
export function checkReturnTo(value: string | null | undefined, opts: ReturnToOptions): string {
  const fallback = opts.fallback ?? PORTAL_HOME;
  return sameOriginPath(value, new URL(opts.publicUrl).origin) ?? fallback;
}

/**
 * The same rules for a path only (no absolute URL), which do not depend on the origin: for the
 * resume paths the server builds itself before sending the browser to the sign-in page.
 */
export const checkReturnPath = (value: string, fallback = PORTAL_HOME): string =>
  (value.startsWith('/') ? sameOriginPath(value, PATH_ONLY_ORIGIN) : undefined) ?? fallback;

/** A base for resolving paths; never seen outside this file (`.invalid` is reserved, RFC 2606). */
const PATH_ONLY_ORIGIN = 'http://return-to.invalid';

function sameOriginPath(value: string | null | undefined, origin: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return undefined;
  if (FORBIDDEN.test(value)) return undefined;
  if (!value.startsWith('/') && !value.startsWith(`${origin}/`)) return undefined;
  let url: URL;
  try {
    url = new URL(value, `${origin}/`);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || url.username || url.password) return undefined;
  // `/.//evil` parses to the path `//evil`: what is handed back must not start a host either.
  const decodings = decodeRepeatedly(url.pathname);
  if (decodings === undefined || decodings.some((path) => FORBIDDEN.test(path) || startsHost(path))) return undefined;
  return url.pathname + url.search + url.hash;
}

/** Whether a path begins a host (`//…`) as it is, or once its dot segments are resolved. */
function startsHost(path: string): boolean {
  if (path.startsWith('//')) return true;
  try {
    return new URL(path, PATH_ONLY_ORIGIN).pathname.startsWith('//');
  } catch {
    return true;
  }
}

/**
 * The value and each of its percent-decodings until it no longer changes; undefined when
 * malformed or still encoded after MAX_DECODES.
 */
function decodeRepeatedly(value: string): string[] | undefined {
  const steps = [value];
  for (let i = 0; i < MAX_DECODES; i++) {
    const current = steps[steps.length - 1];
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return steps;
    steps.push(next);
  }
  return /%[0-9a-f]{2}/i.test(steps[steps.length - 1]) ? undefined : steps;
}
