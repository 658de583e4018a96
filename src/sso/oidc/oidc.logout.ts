import type { KoaContextWithOIDC } from 'oidc-provider';
import type { EmployeeLookup } from '../../employees/employee.service.js';
import { employeeSessionCookieName } from '../../http/auth.js';
import { esc, page } from './oidc.views.js';
import type { Config } from '../../config/config.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { OidcViewsDeps } from './oidc.views.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcLogoutDeps = { sessions: SessionService; config: Config; employees: EmployeeLookup } & OidcViewsDeps;

/**
 * RP-initiated logout always asks (OpenID Connect RP-Initiated Logout 1.0 §2 and §6: the OP should
 * confirm with the End-User when the request is not known to come from the RP of this session).
 *
 * oidc-provider shows `logoutSource` (our page with its two buttons) when the request finds a
 * provider session with an account; without one it answers a page whose script submits
 * `logout=yes` on load (lib/actions/end_session.js, renderLogout). That confirmation also ends the
 * Tessera employee session (oidc.routes.ts, end_session.success), so any site could sign an
 * employee out with a link. This step replaces that page with the same question as the other
 * case: a form, a button, no script; the CSP goes back to the one of the mount, without the hash
 * oidc-provider added for its script.
 */
export const confirmLogoutWithoutSession = (services: OidcLogoutDeps) => {
  const render = logoutSource(services);
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    const csp = ctx.response.get('content-security-policy');
    await next();
    const oidc = ctx.oidc as KoaContextWithOIDC | undefined;
    if (oidc?.route !== 'end_session' || ctx.status !== 200 || oidc.session?.accountId) return;
    const secret = oidc.session?.state?.secret;
    if (csp) ctx.set('content-security-policy', csp);
    if (typeof secret !== 'string') {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = 'The sign-out could not be prepared: open the link again.';
      return;
    }
    const action = oidc.urlFor('end_session_confirm');
    await render(ctx, `<form id="op.logoutForm" method="post" action="${esc(action)}"><input type="hidden" name="xsrf" value="${esc(secret)}"/></form>`);
  };
};

/**
 * The question "sign out?" (oidc-provider's `logoutSource`): which session ends, which
 * application asked, and two buttons of the form oidc-provider gives (`logout=yes` ends the whole
 * session; without it, only the asking application's part).
 */
export const logoutSource = (services: OidcLogoutDeps) => async (ctx: KoaContextWithOIDC, form: string) => {
  const client = ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  const who = await signedInEmployee(services, ctx).catch(() => undefined);
  const session = who
    ? `<p>You are signed in as <strong>${esc(who.name)}</strong> (${esc(who.email)}).</p>`
    : '<p>No one is signed in with a company account in this browser.</p>';
  ctx.type = 'html';
  ctx.body = await page(
    services,
    'Sign out?',
    `${form}${session}<p>Do you want to sign out${client ? ` of ${esc(client)} and` : ''} of every application you opened with your company account?</p>
<button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
};

/**
 * Who is signed in on this browser, for the question "sign out?": the provider session's account,
 * else the Tessera employee session (which the logout ends too).
 */
async function signedInEmployee(services: OidcLogoutDeps, ctx: KoaContextWithOIDC): Promise<{ name: string; email: string } | undefined> {
  let id: string | undefined = ctx.oidc.session?.accountId;
  if (!id) {
    const token = ctx.cookies.get(employeeSessionCookieName(services.config.isSecure));
    const { session } = token ? await services.sessions.resolve(token) : { session: undefined };
    if (session?.subjectType === 'employee') id = session.subjectId;
  }
  const employee = id ? await services.employees.findById(id) : undefined;
  return employee ? { name: `${employee.firstName} ${employee.lastName}`.trim(), email: employee.email } : undefined;
}
