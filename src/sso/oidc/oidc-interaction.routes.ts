import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { sessionAuthentication, clearEmployeeSessionCookie } from '../../authn/employee-session.js';
import type { AccountService } from '../../directory/account.service.js';
import type { EmployeeLookup } from '../../employees/employee.service.js';
import { employeeSessionCookieName } from '../../http/auth.js';
import { errorPageHtml } from '../../http/pages.js';
import { hmac, safeEqual } from '../../security/tokens.js';
import type { App } from '../../http/types.js';
import { AMR_BY_METHOD, acrFor, ENTRA_AMR_BY_METHOD, entraAcrFor, essentialAcrs } from './oidc.claims.js';
import { EAM_HINT_PARAM, EamHintError, type EamEmployee, type EamSettings } from './oidc.eam.js';
import { clientExtras } from './oidc.provider.js';
import { esc, page } from './oidc.views.js';
import { signInRedirect } from '../sso-session.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Clock } from '../../lib/clock.js';
import type { OidcService } from './oidc.service.js';
import type { CookieDeps } from '../../http/auth.js';
import type { Config } from '../../config/config.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { OidcViewsDeps } from './oidc.views.js';
import type { AppAccess } from '../app-access.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcInteractionRoutesDeps = {
  sessions: SessionService;
  config: Config;
  audit: AuditService;
  clock: Clock;
  csrfKey: Buffer;
  oidc: OidcService;
  employees: EmployeeLookup;
  directoryAccounts: Pick<AccountService, 'entraObjectIdsIn'>;
  appAccess: Pick<AppAccess, 'decideAppAccess'>;
} & CookieDeps &
  OidcViewsDeps;

/**
 * The login and consent steps of an authorization request (oidc-provider "interactions"):
 * 1. no full employee session, or one older than the request allows (`prompt=login` wants a
 *    sign-in made after the request started; `max_age` one within that many seconds, OIDC Core
 *    §3.1.2.1; EAM always wants a fresh one): the session is ended and the employee goes to
 *    `/signin?return_to=/oidc/interaction/<uid>`, which comes back here;
 * 2. EAM: Entra's id_token_hint must verify and name the signed-in employee (oidc.eam.ts);
 * 3. login is finished with `acr`/`amr` from how the employee signed in (oidc.claims.ts);
 * 4. consent: skipped for first-party clients (loadExistingGrant), otherwise asked here.
 * `prompt=none` never reaches this: oidc-provider answers `login_required`/`consent_required`.
 */
/** Marks, per interaction, that it sent the employee to sign in (and ended any older session). */
const REAUTH_COOKIE = 'tessera_oidc_reauth';

export async function oidcInteractionRoutes(app: App, services: OidcInteractionRoutesDeps, getProvider: () => Provider) {
  const path = (uid: string) => `/oidc/interaction/${uid}`;

  async function employeeSession(request: FastifyRequest) {
    const token = request.cookies[employeeSessionCookieName(services.config.isSecure)];
    if (!token) return undefined;
    const { session } = await services.sessions.resolve(token);
    if (session?.subjectType !== 'employee' || session.stage !== 'full') return undefined;
    const employee = await services.employees.findById(session.subjectId);
    if (employee?.status !== 'active') return undefined;
    return { session, employee, auth: sessionAuthentication(session) };
  }

  /**
   * The employee as an EAM hint must name them: their e-mail, and the object ids of the Entra
   * accounts directory sync linked to them in the EAM's tenant (or the tenant the hint names).
   */
  async function eamEmployee(employee: { id: string; email: string }, eam: EamSettings, hint: { tid?: string }): Promise<EamEmployee> {
    const tenants = new Set([eam.tenantId.toLowerCase(), ...(hint.tid ? [hint.tid.toLowerCase()] : [])]);
    return { email: employee.email, entraObjectIds: await services.directoryAccounts.entraObjectIdsIn(employee.id, tenants) };
  }

  /**
   * The consent form's CSRF token: an HMAC of the interaction uid under the CSRF key, so only a page
   * Tessera rendered for this interaction can post Allow or Deny (the provider's interaction cookie
   * is SameSite=Lax; this also holds against a sibling subdomain, which counts as same-site).
   */
  const consentToken = (uid: string) => hmac(services.csrfKey, `oidc-consent:${uid}`);
  const isValidConsentToken = (request: FastifyRequest, uid: string) => {
    const sent = (request.body as Record<string, unknown> | undefined)?.csrf;
    return typeof sent === 'string' && safeEqual(sent, consentToken(uid));
  };
  const csrfRefused = async (reply: FastifyReply) =>
    reply
      .code(403)
      .type('text/html')
      .send(await page(services, 'Sign-in could not continue', '<p>This form did not come from Tessera. Go back to the application and start again.</p>'));

  const finish = async (request: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>) => {
    const returnTo = await getProvider().interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.code(303).header('Cache-Control', 'no-store').redirect(returnTo);
  };

  app.get('/oidc/interaction/:uid', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const provider = getProvider();
    const details = await detailsOr400(request, reply);
    if (!details) return reply;
    const { prompt, params, uid } = details;
    const client = await provider.Client.find(String(params.client_id));
    if (!client)
      return reply
        .code(400)
        .type('text/html')
        .send(
          errorPageHtml({
            branding: await services.branding.get().catch(() => undefined),
            code: 'invalid_client',
            detail: 'The client of this sign-in is no longer registered',
          }),
        );
    const extras = clientExtras(client as never);

    if (prompt.name === 'login') {
      const current = await employeeSession(request);
      const startedAt = Number(details.iat ?? details.exp - 3600);
      const maxAge = params.max_age !== undefined ? Number(params.max_age) : undefined;
      const now = Math.floor(services.clock.now().getTime() / 1000);
      const needsFresh = prompt.reasons.includes('login_prompt') || !!extras.tessera_eam;
      const auth = current?.auth;
      // Back from the sign-in page this interaction sent the employee to: whatever session there is
      // now was made after that (an older one was ended on the way), so it is fresh by definition.
      // The mark is an HMAC of the uid: a cookie planted by a sibling subdomain cannot fake it.
      const reauthMark = hmac(services.csrfKey, `oidc-reauth:${uid}`);
      const sentMark = request.cookies[REAUTH_COOKIE];
      const isBackFromSignIn = typeof sentMark === 'string' && safeEqual(sentMark, reauthMark);
      // Otherwise: a sign-in in a later second than the request counts; without prompt=login (or
      // EAM), so does one within max_age.
      const isFresh =
        auth && (isBackFromSignIn || auth.time > startedAt || (!needsFresh && (maxAge === undefined || Number.isNaN(maxAge) || now - auth.time <= maxAge)));
      // An essential acr (claims request) the session's sign-in does not give: one more sign-in
      // (say, with a passkey instead of password + TOTP); after that, the OIDC error for it.
      const required = essentialAcrs(params.claims);
      const acrOf = (method: NonNullable<typeof auth>['method']) => (extras.tessera_eam ? entraAcrFor(params.claims) : acrFor(method));
      const isAcrUnmet = !!auth && !!required && !required.includes(acrOf(auth.method));
      if (isAcrUnmet && isBackFromSignIn) {
        reply.clearCookie(REAUTH_COOKIE, { path: path(uid), httpOnly: true, sameSite: 'lax', secure: services.config.isSecure });
        return finish(request, reply, {
          error: 'unmet_authentication_requirements',
          error_description: `the sign-in did not meet the requested acr (${required!.join(', ')})`,
        });
      }
      if (!current || !auth || !isFresh || isAcrUnmet) {
        // The sign-in page goes straight on for a signed-in employee: end the session to sign in anew.
        if (current) {
          await services.sessions.revoke(current.session.id);
          clearEmployeeSessionCookie(reply, services);
        }
        reply.setCookie(REAUTH_COOKIE, reauthMark, { path: path(uid), httpOnly: true, sameSite: 'lax', secure: services.config.isSecure, maxAge: 3600 });
        return reply.redirect(signInRedirect(path(uid)), 303);
      }
      reply.clearCookie(REAUTH_COOKIE, { path: path(uid), httpOnly: true, sameSite: 'lax', secure: services.config.isSecure });
      const ctx = { ...request.ctx, actor: { type: 'employee' as const, id: current.employee.id, label: current.employee.email } };
      const target = { type: 'oidc_client', id: null, label: client.clientId };
      // May this employee sign in to applications at all (src/sso/app-access.ts)? A refusal goes
      // back to the client's redirect URI as access_denied (RFC 6749 §4.1.2.1).
      const access = await services.appAccess.decideAppAccess(current.employee, { protocol: 'oidc', clientId: client.clientId });
      if (!access.allowed) {
        await services.audit.record(ctx, { action: 'oidc.sign_in_refused', outcome: 'failure', target, details: { reason: access.code } });
        return finish(request, reply, { error: 'access_denied', error_description: access.message });
      }
      let eam: { sub: string; accountId: string } | undefined;
      // Entra's correlation id for the request (EAM reference: "A provider can log this value").
      const clientRequestId = typeof params['client-request-id'] === 'string' ? params['client-request-id'].slice(0, 100) : null;
      if (extras.tessera_eam) {
        try {
          const subject = await services.oidc.eam.verifyEamHint(params[EAM_HINT_PARAM] as string | undefined, extras.tessera_eam, (hint) =>
            eamEmployee(current.employee, extras.tessera_eam!, hint),
          );
          eam = { sub: subject.sub, accountId: current.employee.id };
        } catch (err) {
          if (!(err instanceof EamHintError)) throw err;
          await services.audit.record(ctx, {
            action: 'oidc.sign_in_refused',
            outcome: 'failure',
            target,
            details: { reason: err.message, profile: 'entra_eam', clientRequestId },
          });
          return finish(request, reply, { error: err.error, error_description: `Tessera refused the request: ${err.message}` });
        }
      }
      const amr = extras.tessera_eam ? ENTRA_AMR_BY_METHOD[auth.method] : AMR_BY_METHOD[auth.method];
      const acr = acrOf(auth.method);
      await services.audit.record(ctx, {
        action: 'oidc.sign_in',
        target,
        details: { method: auth.method, acr, amr, ...(eam ? { profile: 'entra_eam', clientRequestId } : {}) },
      });
      return finish(request, reply, { login: { accountId: current.employee.id, acr, amr, ts: auth.time }, ...(eam ? { eam } : {}) });
    }

    if (prompt.name === 'consent') {
      if (extras.tessera_first_party) return finish(request, reply, { consent: { grantId: await grantAll(provider, details) } });
      const scopes = String(params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      // Browsers check the redirects that follow a form post against form-action (CSP3 §6.4.1):
      // Allow and Deny end at the client's redirect URI, so its origins join 'self'.
      const origins = [...new Set((client.redirectUris ?? []).map((u: string) => new URL(u).origin))];
      reply
        .type('text/html')
        .header('Cache-Control', 'no-store')
        .header(
          'Content-Security-Policy',
          `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self' ${origins.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
        );
      return page(
        services,
        `Allow ${client.clientName ?? client.clientId}?`,
        `<p><strong>${esc(client.clientName ?? client.clientId)}</strong> asks to sign you in and to see:</p>
<ul>${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<form method="post" action="${path(uid)}/confirm"><input type="hidden" name="csrf" value="${consentToken(uid)}"><button class="primary" type="submit">Allow</button></form>
<form method="post" action="${path(uid)}/abort"><input type="hidden" name="csrf" value="${consentToken(uid)}"><button class="secondary" type="submit">Deny</button></form>`,
      );
    }
    return reply
      .code(400)
      .type('text/html')
      .send(await page(services, 'Sign-in could not continue', `<p>Unexpected step ${esc(prompt.name)}.</p>`));
  });

  /** The interaction behind the request's cookie, or an answer saying it is gone (expired, or another browser). */
  async function detailsOr400(request: FastifyRequest, reply: FastifyReply) {
    try {
      return await getProvider().interactionDetails(request.raw, reply.raw);
    } catch {
      reply
        .code(400)
        .type('text/html')
        .send(await page(services, 'This sign-in link has expired', '<p>Go back to the application and start again.</p>'));
      return undefined;
    }
  }

  app.post('/oidc/interaction/:uid/confirm', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const provider = getProvider();
    const details = await detailsOr400(request, reply);
    if (!details) return reply;
    if (!isValidConsentToken(request, details.uid)) return csrfRefused(reply);
    if (details.prompt.name !== 'consent' || !details.session?.accountId)
      return reply
        .code(400)
        .type('text/html')
        .send(await page(services, 'Nothing to confirm', ''));
    const grantId = await grantAll(provider, details);
    await services.audit.record(
      { ...request.ctx, actor: { type: 'employee', id: details.session.accountId, label: null } },
      {
        action: 'oidc.consent_given',
        target: { type: 'oidc_client', id: null, label: String(details.params.client_id) },
        details: { scope: details.params.scope },
      },
    );
    return finish(request, reply, { consent: { grantId } });
  });

  app.post('/oidc/interaction/:uid/abort', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const details = await detailsOr400(request, reply);
    if (!details) return reply;
    if (!isValidConsentToken(request, details.uid)) return csrfRefused(reply);
    return finish(request, reply, { error: 'access_denied', error_description: 'The employee did not allow the request' });
  });
}

/** A grant for everything still missing in the consent prompt (oidc-provider's details.missing*). */
async function grantAll(provider: Provider, details: Awaited<ReturnType<Provider['interactionDetails']>>): Promise<string> {
  const {
    prompt: { details: missing },
    params,
    session,
    grantId,
  } = details;
  const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
  if (!grant) throw new Error('grant of the interaction is gone');
  if (missing.missingOIDCScope) grant.addOIDCScope((missing.missingOIDCScope as string[]).join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims as string[]);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes as Record<string, string[]>))
      grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}
