import type { KoaContextWithOIDC } from 'oidc-provider';
import type { BrandingService } from '../../branding/branding.service.js';
import { errorPageHtml } from '../../http/pages.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcViewsDeps = { branding: BrandingService };

/**
 * The few pages the provider itself renders (errors, "signed out", consent; the logout question is oidc.logout.ts),
 * server-side in the organisation's colours. No script: the CSP of /oidc allows none of our own
 * (oidc-provider adds the hash of its form_post auto-submit script itself).
 */
export const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export async function page(services: OidcViewsDeps, title: string, body: string): Promise<string> {
  const b = await services.branding.get().catch(() => ({ organisationName: 'Tessera', primaryColor: '#1c7ed6', hasLogo: false }));
  const color = /^#[0-9a-fA-F]{6}$/.test(b.primaryColor) ? b.primaryColor : '#1c7ed6';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(b.organisationName)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f8f9fa;color:#212529;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:32px;max-width:420px;width:100%}
h1{font-size:1.4rem;margin:0 0 16px}p{line-height:1.5}.org{color:${color};font-weight:600;margin-bottom:8px}
button{font:inherit;padding:10px 16px;border-radius:6px;border:1px solid ${color};cursor:pointer;margin:4px 8px 0 0}
button.primary{background:${color};color:#fff}button.secondary{background:#fff;color:${color}}ul{padding-left:20px}</style>
</head><body><main><div class="org">${esc(b.organisationName)}</div><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

export const postLogoutSuccessSource = (services: OidcViewsDeps) => async (ctx: KoaContextWithOIDC) => {
  ctx.type = 'html';
  ctx.body = await page(services, 'Signed out', '<p>You are signed out. You can close this window.</p>');
};

/**
 * oidc-provider renders an error itself only when it cannot send it to the client: an unknown
 * client, a redirect_uri that is not registered (RFC 6749 §4.1.2.1: then the error must not go
 * to it), or a request broken before either is known. Errors that may go to a registered
 * redirect_uri go there, in the protocol's form, and never reach this page.
 */
export const renderError = (services: OidcViewsDeps) => async (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
  ctx.type = 'html';
  const branding = await services.branding.get().catch(() => undefined);
  ctx.body = errorPageHtml({ branding, code: out.error, detail: out.error_description });
};
