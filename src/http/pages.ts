import crypto from 'node:crypto';
import type { FastifyReply } from 'fastify';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text and attribute values of the pages below (HTML 5 §13.1.2.3). */
const esc = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * The pages the SAML and WS-Fed endpoints answer with. Helmet's CSP allows no inline script and
 * only same-origin form targets, so each page sets its own CSP: the auto-submit script is
 * allowed by a per-response nonce (saml-bindings §3.5.4: the POST binding is an auto-submitted
 * HTML form). `form-action` must also allow wherever the ACS redirects next (browsers check the
 * redirects of a form submission too; Google's ACS, for one, moves on to other hosts): the page
 * holds nothing but our own form, so `*` opens nothing.
 */
export function sendPostForm(reply: FastifyReply, action: string, fields: Record<string, string | undefined>, title = 'Signing you in…') {
  const { html, csp } = postFormPage(action, fields, title);
  return reply
    .code(200)
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .header('Content-Security-Policy', csp)
    .type('text/html; charset=utf-8')
    .send(html);
}

/** The auto-submitted form of sendPostForm and its CSP, for a server that is not Fastify (oidc-provider's Koa, oidc.logout.ts). */
export function postFormPage(action: string, fields: Record<string, string | undefined>, title: string): { html: string; csp: string } {
  const nonce = crypto.randomBytes(16).toString('base64');
  const inputs = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v!)}">`)
    .join('');
  return {
    csp: `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; form-action *; frame-ancestors 'none'; base-uri 'none'`,
    html:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
      `<body><form method="post" action="${esc(action)}">${inputs}<noscript><p>JavaScript is off: press Continue.</p></noscript><button type="submit">Continue</button></form>` +
      `<script nonce="${nonce}">document.forms[0].submit()</script></body></html>`,
  };
}

/** The organisation's name, colour and logo as the server-rendered pages show them (src/branding). */
export interface PageBranding {
  organisationName: string;
  primaryColor: string;
  hasLogo: boolean;
}

const FALLBACK_BRANDING: PageBranding = { organisationName: 'Tessera', primaryColor: '#1c7ed6', hasLogo: false };

/**
 * Error codes that mean "Tessera does not know this application" (or the address it wants the
 * answer sent to): the employee cannot fix that, only IT can, so the page says so in those words.
 */
const UNKNOWN_APPLICATION_CODES = new Set([
  'saml.sp_unknown',
  'saml.acs_unknown',
  'wsfed.rp_unknown',
  'wsfed.reply_unknown',
  'invalid_client',
  'invalid_redirect_uri',
]);
export const isUnknownApplicationCode = (code: string) => UNKNOWN_APPLICATION_CODES.has(code);

/**
 * A sign-in error page in the organisation's name, colour and logo (no script, so any CSP holds
 * it; the logo is same-origin). Plain words first, what to do next, the technical detail folded
 * away for IT, and the stable code small, for support.
 */
export function errorPageHtml(input: { branding?: PageBranding; code: string; detail?: string }): string {
  const b = input.branding ?? FALLBACK_BRANDING;
  const org = b.organisationName || FALLBACK_BRANDING.organisationName;
  const color = /^#[0-9a-fA-F]{6}$/.test(b.primaryColor) ? b.primaryColor : FALLBACK_BRANDING.primaryColor;
  const isUnknown = isUnknownApplicationCode(input.code);
  const title = isUnknown ? `This application isn\u2019t set up for sign-in with ${org}` : 'This sign-in could not be completed';
  const body = isUnknown
    ? `<p>The application that sent you here is not registered with ${esc(org)}, or it asked to send you back to an address that is not registered for it.</p>` +
      `<p><strong>Contact your IT team</strong> and tell them the application\u2019s address (the web address you started from) and the code below.</p>`
    : `<p>The application sent a sign-in request that ${esc(org)} cannot complete. Go back to the application and try again.</p>` +
      '<p>If it happens again, <strong>contact your IT team</strong> and tell them the application\u2019s address and the code below.</p>';
  const logo = b.hasLogo ? `<img src="/api/branding/logo" alt="${esc(org)}" style="max-height:48px;max-width:200px;display:block;margin-bottom:12px">` : '';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title>` +
    '<style>body{font-family:system-ui,sans-serif;background:#f8f9fa;color:#212529;margin:0;padding:16px;display:flex;min-height:100vh;box-sizing:border-box;align-items:center;justify-content:center}' +
    'main{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:24px;max-width:480px;width:100%;box-sizing:border-box;overflow-wrap:anywhere}' +
    `h1{font-size:1.3rem;margin:0 0 16px}p{line-height:1.5}.org{color:${color};font-weight:600;margin-bottom:8px}a{color:${color}}` +
    'details{margin-top:16px;font-size:.875rem;color:#495057}.code{font-size:.8rem;color:#495057}</style></head>' +
    `<body><main>${logo}<div class="org">${esc(org)}</div><h1>${esc(title)}</h1><div role="alert">${body}</div>` +
    (input.detail ? `<details><summary>Details for IT</summary><p>${esc(input.detail)}</p></details>` : '') +
    `<p class="code">Error code: <code>${esc(input.code)}</code></p><p><a href="/portal">Go to my portal</a></p></main></body></html>`
  );
}

/**
 * A protocol error the application cannot be told about (unknown SP or RP, a reply address that
 * is not registered): a branded page, never a redirect.
 */
export function sendErrorPage(reply: FastifyReply, status: number, code: string, message: string, branding?: PageBranding) {
  return reply
    .code(status)
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'")
    .type('text/html; charset=utf-8')
    .send(errorPageHtml({ branding, code, detail: message }));
}

/**
 * After a logout. `cleanup`: sign-out URLs of other relying parties, loaded as images (the
 * WS-Federation way: each RP ends its own session and answers with a small image); `back`: a
 * registered URL to continue to.
 */
export function sendSignedOutPage(reply: FastifyReply, opts: { cleanup?: string[]; back?: string } = {}) {
  const { html, csp } = signedOutPage(opts);
  return reply.code(200).header('Cache-Control', 'no-store').header('Content-Security-Policy', csp).type('text/html; charset=utf-8').send(html);
}

/** The page of sendSignedOutPage and its CSP (images from the cleanup URLs' origins only). */
export function signedOutPage(opts: { cleanup?: string[]; back?: string } = {}): { html: string; csp: string } {
  const cleanup = opts.cleanup ?? [];
  const origins = [...new Set(cleanup.map((u) => new URL(u).origin))].join(' ');
  return {
    csp: `default-src 'none'; style-src 'unsafe-inline'; img-src ${origins || "'none'"}; frame-ancestors 'none'`,
    html:
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>' +
      '<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>You are signed out</h1>' +
      cleanup.map((u) => `<img src="${esc(u)}" alt="" width="1" height="1">`).join('') +
      (opts.back ? `<p><a href="${esc(opts.back)}">Continue</a></p>` : '<p><a href="/signin">Sign in again</a></p>') +
      '</body></html>',
  };
}

/**
 * The list of applications a sign-out reaches, for the question before it (the OIDC logout
 * page, /saml/logout's): each by name, and those that are not told (no SLO endpoint, no
 * back-channel logout URI) say that their own session stays.
 */
export function loggedOutApplicationsHtml(apps: { name: string; isNotified: boolean }[]): string {
  if (!apps.length) return '';
  const item = (a: { name: string; isNotified: boolean }) =>
    `<li>${esc(a.name)}${a.isNotified ? '' : ' <em>(is not told: sign out there too, or its session stays until it expires)</em>'}</li>`;
  return `<p>Signing out ends your session in:</p><ul aria-label="Applications to sign out of">${apps.map(item).join('')}</ul>`;
}
