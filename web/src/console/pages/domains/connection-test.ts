/** What each Test connection outcome means, in plain words (the message adds what the directory said). */
export const OUTCOME_TEXT: Record<string, string> = {
  ok: 'Connection, sign-in and groups are fine.',
  unreachable: 'No domain controller answered: check the URLs, the port and the firewall.',
  tls_failure: 'TLS failed: check the CA certificate and the certificate name, or the transport.',
  bad_credentials: 'The bind user or password was refused.',
  credentials_missing: 'No password or secret to sign in with.',
  group_not_found: 'A group was not found: check the group names.',
  insecure_transport: 'The domain controller requires TLS: use LDAPS or StartTLS.',
  insufficient_rights: 'The app registration lacks a permission: add it in Entra ID and grant admin consent.',
  incomplete_listing: 'The member listing stopped before its end: try again, or check the page size and the timeout.',
};

/** Short names of the outcomes for a result's title. */
export const OUTCOME_TITLE: Record<string, string> = {
  ok: 'Connection OK',
  unreachable: 'Not reachable',
  tls_failure: 'TLS failed',
  bad_credentials: 'Sign-in refused',
  credentials_missing: 'No credentials',
  group_not_found: 'Group not found',
  insecure_transport: 'TLS required',
  insufficient_rights: 'Missing permission',
  incomplete_listing: 'Listing incomplete',
};
