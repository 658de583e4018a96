import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/types.js';
import { clearEmployeeSessionCookie } from '../../authn/employee-session.js';
import type { BrandingService } from '../../branding/branding.service.js';
import { sendErrorPage, sendPostForm, sendSignedOutPage } from '../../http/pages.js';
import { currentEmployee, protocolRouteConfig } from '../sso-session.js';
import type { LogoutStep } from './slo.service.js';
import { logoutQuery, sloMessage, type SloMessage } from './saml.schemas.js';
import { SsoFailure } from './sso.service.js';
import type { EmployeeAuthService } from '../../authn/employee-auth.service.js';
import type { CookieDeps } from '../../http/auth.js';
import type { SsoSessionDeps } from '../sso-session.js';
import type { SamlLogoutService } from './slo.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SloRoutesDeps = { samlLogout: SamlLogoutService; employeeAuth: EmployeeAuthService; branding: BrandingService } & CookieDeps & SsoSessionDeps;

/** One step of a logout (SAML SLO, the portal's Sign out, WS-Fed sign-out): the employee cookie goes, the browser moves on. */
export function sendLogoutStep(reply: FastifyReply, services: SloRoutesDeps, step: LogoutStep, opts: { isBrowserSignedOut?: boolean } = {}) {
  if (opts.isBrowserSignedOut !== false) clearEmployeeSessionCookie(reply, services);
  if (step.kind === 'redirect') return reply.header('Cache-Control', 'no-store').redirect(step.url, 303);
  if (step.kind === 'post') return sendPostForm(reply, step.action, step.fields, 'Signing you out…');
  // Nothing left to load (no WS-Fed cleanup): straight on to where the logout should end.
  if (step.back && !step.cleanup?.length) return reply.header('Cache-Control', 'no-store').redirect(step.back, 303);
  return sendSignedOutPage(reply, { cleanup: step.cleanup, back: step.back });
}

/** Single logout endpoints: /saml/slo for SPs (both bindings), /saml/logout for the employee. */
export async function samlLogoutRoutes(app: App, services: SloRoutesDeps) {
  const limits = protocolRouteConfig(services);
  const slo = services.samlLogout;
  const send = (reply: FastifyReply, step: LogoutStep, opts?: { isBrowserSignedOut?: boolean }) => sendLogoutStep(reply, services, step, opts);

  async function handle(request: FastifyRequest, reply: FastifyReply, binding: 'redirect' | 'post', m: SloMessage) {
    try {
      const relayState = m.RelayState ?? null;
      if (m.SAMLRequest) {
        const who = await currentEmployee(request, services);
        const rawQuery = request.url.slice(request.url.indexOf('?') + 1);
        const step = await slo.fromSp(request.ctx, { binding, message: m.SAMLRequest, relayState, rawQuery }, who?.session.id);
        // A request that named another employee's session (or another browser's) leaves this
        // browser signed in: its cookie goes only when its own session was among those that ended.
        const isBrowserSignedOut = !who || !(await currentEmployee(request, services));
        return send(reply, step, { isBrowserSignedOut });
      }
      if (m.SAMLResponse) return send(reply, await slo.responseFromSp({ binding, message: m.SAMLResponse, relayState }));
      throw new SsoFailure('saml.request_missing', 'No SAMLRequest or SAMLResponse');
    } catch (err) {
      if (!(err instanceof SsoFailure)) throw err;
      return sendErrorPage(reply, 400, err.code, err.message, await services.branding.get().catch(() => undefined));
    }
  }

  app.get('/saml/slo', { config: limits, schema: { hide: true, querystring: sloMessage } }, (request, reply) =>
    handle(request, reply, 'redirect', request.query),
  );
  app.post('/saml/slo', { config: limits, schema: { hide: true, body: sloMessage } }, (request, reply) => handle(request, reply, 'post', request.body ?? {}));

  /**
   * "Sign out everywhere": ends the Tessera session and walks every SP it signed in to. The
   * portal's "Sign out" comes here with `from=portal` and ends on the sign-in page. A top-level
   * GET (not a form post): the portal's CSP limits form-action to 'self', and browsers apply it
   * to the redirects towards each SP's SLO endpoint.
   */
  app.get('/saml/logout', { config: limits, schema: { hide: true, querystring: logoutQuery } }, async (request, reply) => {
    // The sign-in page says "You are signed out" for this mark (it changes nothing else there).
    const back = request.query.from === 'portal' ? '/signin?signed_out=1' : undefined;
    const who = await currentEmployee(request, services);
    if (!who) return send(reply, { kind: 'done', back });
    const ctx = { ...request.ctx, actor: { type: 'employee' as const, id: who.employee.id, label: who.employee.email } };
    await services.employeeAuth.recordSignOut(ctx, who.employee);
    return send(reply, await slo.fromIdp(ctx, who.session.id, { back }));
  });
}
