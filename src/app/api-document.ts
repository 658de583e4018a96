/**
 * What the OpenAPI document says about the API as a whole (GET /api/openapi.json, browsable at
 * /api/docs): how to authenticate, the error form, where the access of each operation is written,
 * and one tag a feature, in the order the reference shows them. Every operation names one of these
 * tags (test/openapi-docs.test.ts).
 */
export const API_DESCRIPTION = `The REST API of the Tessera identity server: everything the admin console and the employee portal do, for scripts and integrations.

## Authenticate

- **API key** (scripts, integrations): \`Authorization: Bearer tsk_…\`. An admin creates keys in the console under *API keys* (\`POST /api/api-keys\`); the secret is shown once. A key has one scope: \`read\` (every GET an admin may make), \`write\` (also changes employees and what is theirs: credentials, invitations, hardware keys, Entra passkeys, groups, organisation, workstations, vault) or \`admin\` (everything, including admins, keys, settings, directories and SSO applications). A key never reaches the console-only operations (\`session\`, \`partial\`) nor the employee ones. Requests with a key need no CSRF token.
- **Console session** (the admin console): \`POST /api/auth/login\` (then \`/api/auth/login/totp\` when the admin has a second factor) sets an HttpOnly session cookie. Every POST, PUT, PATCH and DELETE made with the cookie must send the header \`X-CSRF-Token\` with the value of the \`tessera_csrf\` cookie (\`__Host-tessera_csrf\` over HTTPS), which \`GET /api/auth/csrf\` sets.
- **Employee session** (sign-in pages and portal): \`/api/signin/…\` sets a separate cookie that only \`/api/signin\`, \`/api/enroll\` and \`/api/portal\` read; the same CSRF rule applies.
- **Workstation agent**: \`Authorization: Bearer <assertion>\`, an ES256 JWS signed with the workstation's own key, one per request ([agent protocol](/docs/agent-protocol)).

## Who may call what

Each operation states its access in its description and as \`x-tessera-access\`: \`public\`, \`partial\` (an admin who still owes the second factor), \`session\` (a signed-in admin in the console, never an API key), \`read\` / \`write\` / \`admin\` (a signed-in admin or an API key of at least that scope), \`employee\`, \`employee_partial\`, \`agent\`, \`agent_pending\`. The same table is in the README's *API* section, checked by the test suite against this document. A request without the needed credentials is refused before its body is read: 401 \`auth.required\`, 403 \`auth.insufficient_scope\` or \`auth.csrf_invalid\`.

## Errors

Every error has a 4xx or 5xx status and the body \`{"error": {"code": "area.reason", "message": "…", "details": …}}\`: \`code\` is stable (script against it), \`message\` is for a person, \`details\` (only on some errors, for example the field issues of \`request.validation_failed\`) lists what was wrong. Bad input never causes a 5xx. Saved secrets are never returned: they read \`{"set": true}\`. The API allows 1,200 requests a minute per client address (429 \`rate_limit.exceeded\`).

## More

Protocol contracts and setup guides (employee sign-in, Entra EAM and passkeys, agent protocol, vault backup format) are served by this server at [/docs](/docs). The protocol endpoints themselves (OpenID Connect at \`/oidc\`, SAML at \`/saml\`, WS-Federation at \`/wsfed\`) follow their standards and are not listed here; their discovery documents and metadata say what they offer.`;

/** One tag a feature, with what its operations are for, in the order the reference lists them. */
export const API_TAGS: { name: string; description: string }[] = [
  {
    name: 'Console sign-in',
    description: 'First-admin setup, the console session (password, TOTP, recovery codes, passkeys) and the signed-in admin’s own profile.',
  },
  { name: 'Admins', description: 'The administrators of the console: list, add, remove, reset their second factor.' },
  {
    name: 'Dashboard',
    description: 'The figures of the console’s first page: employees, enrolment progress, today’s sign-ins, hardware keys by state, the latest events.',
  },
  { name: 'Employees', description: 'The people who sign in with Tessera: create, find, change, disable, sign out, and their sign-in credentials.' },
  { name: 'Organisation', description: 'Companies, their departments, and positions: the structure employees are filed under.' },
  { name: 'Groups', description: 'Local groups and groups imported from a directory, and their members; groups decide application access.' },
  { name: 'Invitations', description: 'Enrolment invitations sent to employees by e-mail, one by one or in bulk.' },
  { name: 'Employee sign-in', description: 'The API of the sign-in page: passkey, password and second-factor ceremonies that start an employee session.' },
  { name: 'Enrolment', description: 'The API of the invitation page and of activation codes: an employee registers their first credential.' },
  {
    name: 'User portal',
    description: 'What a signed-in employee does for themselves: their credentials, sign-ins, applications, directory passwords and Entra passkeys.',
  },
  { name: 'User portal: vault', description: 'An employee’s own vault: personal and shared accounts, templates, revealing a secret after a passkey check.' },
  { name: 'Applications', description: 'Which employees and groups may use each SSO application (OIDC, SAML, WS-Federation).' },
  {
    name: 'OIDC clients',
    description: 'OpenID Connect applications (web apps and Entra EAM), their secrets, icons, signing keys and the grants employees gave them.',
  },
  { name: 'SAML', description: 'SAML 2.0 service providers, their metadata and icons, the IdP’s own metadata and signing keys.' },
  { name: 'WS-Federation', description: 'WS-Federation relying parties (for example Exchange OWA/ECP) and their icons.' },
  {
    name: 'Directory',
    description: 'Active Directory and Entra ID domains: connection, sync runs and their confirmation, password rotation and directory accounts.',
  },
  { name: 'Entra passkeys', description: 'Passkeys provisioned into Microsoft Entra ID for employees, and their pairing state.' },
  { name: 'Hardware keys', description: 'The inventory of hardware security keys, their lifecycle, assignment to employees, and access profiles.' },
  {
    name: 'Workstations',
    description: 'Enrolled computers: approval, remote lock and log-off, commands, sessions, events, profiles, enrolment tokens, emergency block.',
  },
  {
    name: 'Workstation agent',
    description: 'The endpoints the workstation agent calls, each request signed by the workstation’s key (see the [agent protocol](/docs/agent-protocol)).',
  },
  {
    name: 'Vault',
    description: 'Shared vault accounts and their assignment, templates, the password generator, and an employee’s accounts as an admin sees them.',
  },
  { name: 'Vault backup', description: 'Encrypted backup and restore of the vault (the [file format](/docs/vault-backup-format)).' },
  { name: 'API keys', description: 'Keys for scripts and integrations, each with one scope (read, write or admin).' },
  { name: 'Audit log', description: 'Every admin action, sign-in and refusal, searchable and exportable.' },
  { name: 'Settings', description: 'Server-wide settings: sign-in policy, SMTP and its test, branding logo.' },
  { name: 'Branding', description: 'The organisation’s name, colour and logo as the sign-in pages show them (public).' },
  { name: 'Mail', description: 'The outgoing mail queue: what was sent, what failed, retries.' },
];
