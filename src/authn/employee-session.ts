import type { FastifyReply, FastifyRequest } from 'fastify';
import { setEmployeeSessionCookie } from '../http/auth.js';
import { AppError } from '../lib/errors.js';
import type { Session } from '../sessions/session.service.js';
import type { EmployeeRow } from './employee-auth.service.js';
import type { Clock } from '../lib/clock.js';
import type { SessionService } from '../sessions/session.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { CookieDeps } from '../http/auth.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type EmployeeSessionDeps = { clock: Clock; sessions: SessionService; settings: SettingsService } & CookieDeps;

/** A half-signed-in employee session (password checked, second factor owed) lives only this long. */
const PARTIAL_SESSION_SECONDS = 300;

/** Session stages: 'full', or 'second_factor' after a correct password. */
export type EmployeeStage = 'full' | 'second_factor';

/**
 * How a full session was signed in: what SSO protocols turn into OIDC `acr`/`amr` and SAML
 * `AuthnContextClassRef`. Kept in the session's data under `authentication`.
 */
export type SignInMethod = 'passkey' | 'security_key' | 'password+totp' | 'password+passkey';
export interface SessionAuthentication {
  method: SignInMethod /** Unix seconds of the sign-in. */;
  time: number;
}

/** The sign-in method and time of an employee session, or null for partial or older sessions. */
export function sessionAuthentication(session: Session): SessionAuthentication | null {
  const value = session.data.authentication as Partial<SessionAuthentication> | undefined;
  if (!value || typeof value.method !== 'string' || typeof value.time !== 'number') return null;
  return { method: value.method, time: value.time };
}

/**
 * Starts an employee session and sets its cookie, ending the one the request came with: a new
 * session id at every stage change prevents session fixation (OWASP ASVS 3.2.1). The timeouts
 * are the admins' (settings sessionIdleMinutes, sessionAbsoluteHours).
 */
export async function startEmployeeSession(
  request: FastifyRequest,
  reply: FastifyReply,
  services: EmployeeSessionDeps,
  employee: EmployeeRow,
  stage: EmployeeStage,
  data: Record<string, unknown> = {},
) {
  if (stage === 'full' && !data.authentication) throw new Error('a full employee session needs its authentication method');
  const s = await services.settings.get();
  const full = stage === 'full';
  const idleSeconds = full ? s.sessionIdleMinutes * 60 : PARTIAL_SESSION_SECONDS;
  const absoluteSeconds = full ? s.sessionAbsoluteHours * 3600 : PARTIAL_SESSION_SECONDS;
  if (request.auth?.kind === 'employee') await services.sessions.revoke(request.auth.session.id);
  const { token } = await services.sessions.create({
    subjectType: 'employee',
    subjectId: employee.id,
    stage,
    idleSeconds,
    absoluteSeconds,
    data,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  });
  setEmployeeSessionCookie(reply, services, token, absoluteSeconds);
}

/** Sign-out of the employee pages and the protocols' single logout. */
export { clearEmployeeSessionCookie } from '../http/auth.js';

/** The employee of a route with access 'employee' or 'employee_partial'. */
export function requireEmployee(request: FastifyRequest): { employee: EmployeeRow; session: Session } {
  if (request.auth?.kind !== 'employee') throw new AppError('auth.required', 'Sign in first');
  return request.auth;
}

/** The request context with the employee as actor (partial sessions are anonymous until complete). */
export const employeeContext = (request: FastifyRequest, employee: EmployeeRow) => ({
  ...request.ctx,
  actor: { type: 'employee' as const, id: employee.id, label: employee.email },
});

/** Session data of a full sign-in made just now with `method`. */
export const signedInWith = (services: EmployeeSessionDeps, method: SignInMethod) => ({
  authentication: { method, time: Math.floor(services.clock.now().getTime() / 1000) } satisfies SessionAuthentication,
});
