import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearEmployeeSessionCookie, sessionAuthentication, type SessionAuthentication } from '../authn/employee-session.js';
import type { EmployeeRow } from '../authn/employee-auth.service.js';
import { employeeSessionCookieName } from '../http/auth.js';
import { checkReturnPath } from '../lib/return-to.js';
import type { Session } from '../sessions/session.service.js';
import type { Config } from '../config/config.js';
import type { SessionService } from '../sessions/session.service.js';
import type { CookieDeps } from '../http/auth.js';
import type { EmployeeAuthService } from '../authn/employee-auth.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SsoSessionDeps = { employeeAuth: EmployeeAuthService; config: Config; sessions: SessionService } & CookieDeps;

export interface SignedInEmployee {
  employee: EmployeeRow;
  session: Session;
  authentication: SessionAuthentication;
}

/**
 * The fully signed-in employee behind the request's employee cookie, for protocol endpoints
 * outside /api (which the auth hook does not resolve). Partial sessions do not count.
 */
export async function currentEmployee(request: FastifyRequest, services: SsoSessionDeps): Promise<SignedInEmployee | undefined> {
  const token = request.cookies[employeeSessionCookieName(services.config.isSecure)];
  if (!token) return undefined;
  const { session } = await services.sessions.resolve(token);
  if (session?.subjectType !== 'employee' || session.stage !== 'full') return undefined;
  const authentication = sessionAuthentication(session);
  if (!authentication) return undefined;
  const employee = await services.employeeAuth.findActiveEmployee(session.subjectId);
  return employee ? { employee, session, authentication } : undefined;
}

/** Ends the employee's Tessera session (SLO, WS-Fed sign-out, ForceAuthn) and its cookie. */
export async function endEmployeeSession(reply: FastifyReply, services: SsoSessionDeps, session: Session): Promise<void> {
  await services.sessions.revoke(session.id);
  clearEmployeeSessionCookie(reply, services);
}

/**
 * The sign-in page, told to send the employee back to a path of ours that resumes the request.
 * The path passes the same check as any return address (src/lib/return-to.ts); slashes stay
 * readable, as a query allows them (RFC 3986 §3.4).
 */
export const signInRedirect = (resumePath: string) => `/signin?return_to=${encodeURIComponent(checkReturnPath(resumePath)).replace(/%2F/gi, '/')}`;

/**
 * Per-IP rate limit of the SAML and WS-Fed endpoints, as many a minute as the API's
 * (TESSERA_API_RATE_LIMIT; the API's own limit covers /api only): each request may write a
 * seen-request or pending row and costs two RSA signatures, so an unauthenticated flood is capped.
 */
export const protocolRouteConfig = (services: SsoSessionDeps) => ({
  access: 'public' as const,
  rateLimit: { max: services.config.apiRateLimit, timeWindow: '1 minute', allowList: () => false },
});
