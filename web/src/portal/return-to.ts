/** Pages of this bundle are reached with the router; any other path (a protocol endpoint) loads anew. */
export const isPortalPage = (path: string) => /^\/(portal|signin|enroll)(?=$|[/?#])/.test(path);

/** `/signin?return_to=/portal`: slashes are allowed in a query and easier to read there (RFC 3986 §3.4). */
export const signInPath = (returnTo: string) => `/signin?return_to=${encodeURIComponent(returnTo).replace(/%2F/gi, '/')}`;
