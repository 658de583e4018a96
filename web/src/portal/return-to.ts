/**
 * Where to go after signing in: `return_to` when it stays on this site (a path like
 * `/oidc/authorize?...`, or an absolute URL of this very origin), else the portal. Anything else
 * would make the sign-in page an open redirect.
 */
export function safeReturnTo(value: string | null): string {
  if (!value) return '/portal';
  // "//evil.example" and "/\evil.example" are protocol-relative to browsers.
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return value;
  try {
    const url = new URL(value);
    if (url.origin === window.location.origin) return url.pathname + url.search + url.hash;
  } catch {
    // Not a URL at all.
  }
  return '/portal';
}

/** Pages of this bundle are reached with the router; any other path (a protocol endpoint) loads anew. */
export const isPortalPage = (path: string) => /^\/(portal|signin|enroll)(?=$|[/?#])/.test(path);

/** `/signin?return_to=/portal`: slashes are allowed in a query and easier to read there (RFC 3986 §3.4). */
export const signInPath = (returnTo: string) => `/signin?return_to=${encodeURIComponent(returnTo).replace(/%2F/gi, '/')}`;
