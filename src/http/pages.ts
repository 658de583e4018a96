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

/** A protocol error the SP cannot be told about (unknown SP or reply URL): a plain page, never a redirect. */
export function sendErrorPage(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head>` +
        `<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>This sign-in request cannot be completed</h1>` +
        `<p role="alert">${esc(message)}</p><p><small>Error code: <code>${esc(code)}</code></small></p><p><a href="/portal">Go to my portal</a></p></body></html>`,
    );
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
