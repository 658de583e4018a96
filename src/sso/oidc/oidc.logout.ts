import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { EmployeeLookup } from '../../employees/employee.service.js';
import { employeeSessionCookieName } from '../../http/auth.js';
import { loggedOutApplicationsHtml, postFormPage, signedOutPage } from '../../http/pages.js';
import type { LoggedOutApplication, SamlLogoutService, LogoutStep } from '../saml/slo.service.js';
import { esc, page, renderError } from './oidc.views.js';
import type { Config } from '../../config/config.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { OidcViewsDeps } from './oidc.views.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcLogoutDeps = { sessions: SessionService; config: Config; employees: EmployeeLookup } & OidcViewsDeps;
/** The single-logout walk of the SAML side (src/sso/saml/slo.service.ts), which an OIDC logout runs too. */
export type OidcSingleLogoutDeps = { samlLogout: Pick<SamlLogoutService, 'fromIdp' | 'applicationsOf' | 'addParticipant'> };

/** Set on the Koa state of a confirmed logout whose Tessera session the walk below ends (oidc.routes.ts leaves it alone then). */
export const WALK_STATE = 'tesseraSingleLogout';

/**
 * An id_token_hint names the session to end (RP-Initiated Logout 1.0 §2); oidc-provider checks
 * only its signature and audience, so any valid hint would do: another employee's, or one kept
 * from a session that has ended. The hint must carry the `sid` of the provider session of this
 * very browser for its client (OIDC Back-Channel Logout 1.0 §2.1 defines `sid`; every ID token
 * carries it, see includeSidInEveryIdToken). A hint without one, or of another session, is
 * refused in the logout endpoint's error form, before anything ends.
 */
export function idTokenHintProblem(ctx: KoaContextWithOIDC): string | undefined {
  const hint = (ctx.oidc.entities as { IdTokenHint?: { payload: { sid?: unknown } } }).IdTokenHint;
  if (!hint) return undefined;
  const session = ctx.oidc.session;
  const client = ctx.oidc.client;
  const sid = hint.payload.sid;
  if (!session?.accountId || !client || typeof sid !== 'string' || sid !== session.sidFor(client.clientId))
    return 'id_token_hint was not issued in the session of this browser';
  return undefined;
}

/**
 * oidc-provider puts `sid` in ID tokens only for clients that registered back-channel logout with
 * sid (Client#includeSid). Every ID token carries it here, so that a logout's id_token_hint names
 * its session (idTokenHintProblem); `sid` is a registered claim that a client may ignore.
 */
export function includeSidInEveryIdToken(provider: Provider): void {
  (provider.Client.prototype as { includeSid(): boolean }).includeSid = () => true;
}

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
export const confirmLogoutWithoutSession = (services: OidcLogoutDeps & OidcSingleLogoutDeps) => {
  const render = logoutSource(services);
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    const csp = ctx.response.get('content-security-policy');
    await next();
    const oidc = ctx.oidc as KoaContextWithOIDC | undefined;
    if (oidc?.route !== 'end_session' || ctx.status !== 200 || oidc.session?.accountId) return;
    const secret = oidc.session?.state?.secret;
    if (csp) ctx.set('content-security-policy', csp);
    const problem = idTokenHintProblem(ctx);
    if (problem) {
      ctx.status = 400;
      await renderError(services)(ctx, { error: 'invalid_request', error_description: problem });
      return;
    }
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
export const logoutSource = (services: OidcLogoutDeps & OidcSingleLogoutDeps) => async (ctx: KoaContextWithOIDC, form: string) => {
  const problem = idTokenHintProblem(ctx);
  if (problem) throw new errors.InvalidRequest(problem);
  const client = ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  const who = await signedInEmployee(services, ctx).catch(() => undefined);
  const session = who
    ? `<p>You are signed in as <strong>${esc(who.name)}</strong> (${esc(who.email)}).</p>`
    : '<p>No one is signed in with a company account in this browser.</p>';
  const apps = await applicationsOfBrowser(services, ctx, who?.sessionId).catch(() => []);
  const list = loggedOutApplicationsHtml(apps);
  ctx.type = 'html';
  ctx.body = await page(
    services,
    'Sign out?',
    `${form}${session}<p>Do you want to sign out${client ? ` of ${esc(client)} and` : ''} of every application you opened with your company account?</p>${list}
<button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
};

/**
 * Who is signed in on this browser, for the question "sign out?": the provider session's account,
 * else the Tessera employee session (which the logout ends too).
 */
async function signedInEmployee(services: OidcLogoutDeps, ctx: KoaContextWithOIDC): Promise<{ name: string; email: string; sessionId?: string } | undefined> {
  let id: string | undefined = ctx.oidc.session?.accountId;
  const token = ctx.cookies.get(employeeSessionCookieName(services.config.isSecure));
  const { session } = token ? await services.sessions.resolve(token) : { session: undefined };
  const tessera = session?.subjectType === 'employee' && (!id || session.subjectId === id) ? session : undefined;
  if (!id) id = tessera?.subjectId;
  const employee = id ? await services.employees.findById(id) : undefined;
  return employee ? { name: `${employee.firstName} ${employee.lastName}`.trim(), email: employee.email, sessionId: tessera?.id } : undefined;
}

/**
 * What "Yes" signs out of, by name: the OIDC clients of this provider session (told by
 * back-channel logout, or the asking one by its own request), and the applications of the
 * Tessera session that the walk below reaches (slo.service.ts applicationsOf: SAML, WS-Fed, and
 * OIDC clients of other provider sessions on it).
 */
async function applicationsOfBrowser(services: OidcSingleLogoutDeps, ctx: KoaContextWithOIDC, sessionId: string | undefined): Promise<LoggedOutApplication[]> {
  const apps = new Map<string, LoggedOutApplication>();
  const add = (app: LoggedOutApplication) => apps.set(app.name, { name: app.name, isNotified: app.isNotified || Boolean(apps.get(app.name)?.isNotified) });
  for (const clientId of Object.keys(ctx.oidc.session?.authorizations ?? {})) {
    const client = await ctx.oidc.provider.Client.find(clientId);
    if (client) add({ name: client.clientName ?? client.clientId, isNotified: Boolean(client.backchannelLogoutUri) || clientId === ctx.oidc.client?.clientId });
  }
  if (sessionId) for (const app of await services.samlLogout.applicationsOf(sessionId)) add(app);
  return [...apps.values()];
}

/**
 * Single logout from an OIDC application (RP-Initiated Logout 1.0 §3, "Yes, sign me out"): after
 * oidc-provider has ended the provider session (and sent back-channel logout to the clients that
 * registered a backchannel_logout_uri), the Tessera session behind the browser ends with the same
 * walk as the portal's Sign out: a LogoutRequest to each SAML SP of the session through the
 * browser, then the WS-Fed cleanup URLs, and finally where oidc-provider was going to send the
 * browser, the post_logout_redirect_uri it validated against the client's registration (or its
 * "signed out" page).
 */
export const singleLogoutWalk = (services: OidcLogoutDeps & OidcSingleLogoutDeps) => async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
  let sessionId: string | undefined;
  let employeeId: string | undefined;
  if (ctx.method === 'POST' && ctx.path === '/session/end/confirm') {
    const token = ctx.cookies.get(employeeSessionCookieName(services.config.isSecure));
    const { session } = token ? await services.sessions.resolve(token) : { session: undefined };
    if (session?.subjectType === 'employee') {
      sessionId = session.id;
      employeeId = session.subjectId;
      ctx.state[WALK_STATE] = true;
    }
  }
  await next();
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  // oidc-provider answers a confirmed logout with a 303 right after its end_session.success event.
  if (!sessionId || oidc?.route !== 'end_session_confirm' || ctx.status !== 303 || !oidc.params?.logout) return;
  const back = ctx.response.get('location') || undefined;
  const step = await services.samlLogout.fromIdp(
    { actor: { type: 'employee', id: employeeId ?? null, label: null }, ip: ctx.ip, userAgent: ctx.get('user-agent') || null },
    sessionId,
    { back },
  );
  writeStep(ctx, step);
};

/** One step of the walk, in Koa: the same answers as sendLogoutStep (src/sso/saml/slo.routes.ts). */
function writeStep(ctx: KoaContextWithOIDC, step: LogoutStep) {
  ctx.set('cache-control', 'no-store');
  const redirect = (url: string) => {
    ctx.redirect(url);
    ctx.status = 303;
  };
  if (step.kind === 'redirect') return redirect(step.url);
  if (step.kind === 'done' && step.back && !step.cleanup?.length) return redirect(step.back);
  const { html, csp } = step.kind === 'post' ? postFormPage(step.action, step.fields, 'Signing you out…') : signedOutPage(step);
  ctx.status = 200;
  ctx.set('content-security-policy', csp);
  ctx.type = 'html';
  ctx.body = html;
}
