import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminRow } from '../admins/admin.repository.js';
import type { ApiKeyRow } from '../api-keys/api-key.repository.js';
import type { ApiKeyScope } from '../api-keys/api-key.service.js';
import type { EmployeeRow } from '../employees/employee.repository.js';
import type { RequestContext } from '../lib/context.js';
import type { Session } from '../sessions/session.service.js';
import { CSRF_COOKIE, CSRF_HEADER, isValidCsrf } from './csrf.js';
import { AppError } from './errors.js';
import type { Services } from './services.js';

/**
 * Who may call a route:
 * - public: anyone (sign-in, setup, health);
 * - partial: an admin who passed the password but still owes a second factor or its enrolment;
 * - session: a fully signed-in admin in the console (never an API key: own password, own TOTP);
 * - read / write / admin: a signed-in admin, or an API key of at least that scope;
 * - employee: a fully signed-in employee (portal); employee_partial: an employee who passed the
 *   password and owes the second factor (employee routes live under EMPLOYEE_PATHS).
 */
export type Access = 'public' | 'partial' | 'session' | 'read' | 'write' | 'admin' | 'employee' | 'employee_partial';

export type Auth =
  | { kind: 'admin'; admin: AdminRow; session: Session }
  | { kind: 'api_key'; key: ApiKeyRow }
  | { kind: 'employee'; employee: EmployeeRow; session: Session };

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Auth;
    sessionExpired?: boolean;
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

const SCOPE_RANK: Record<ApiKeyScope, number> = { read: 1, write: 2, admin: 3 };
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function sessionCookieName(isSecure: boolean): string {
  // The __Host- prefix pins the cookie to this origin over HTTPS (RFC 6265bis §4.1.3.2).
  return isSecure ? '__Host-tessera_session' : 'tessera_session';
}

/** Employees have their own session cookie, apart from the console's (docs/sign-in-api.md). */
export function employeeSessionCookieName(isSecure: boolean): string {
  return isSecure ? '__Host-tessera_employee_session' : 'tessera_employee_session';
}

/** Routes that read the employee session cookie instead of the admin one. */
const EMPLOYEE_PATHS = ['/api/signin/', '/api/enroll/', '/api/portal/'];
const isEmployeePath = (url: string) => EMPLOYEE_PATHS.some((p) => url.startsWith(p));

export function installAuth(app: FastifyInstance, services: Services) {
  const cookieName = sessionCookieName(services.config.isSecure);
  const employeeCookieName = employeeSessionCookieName(services.config.isSecure);

  app.decorateRequest('auth', undefined);
  app.decorateRequest('sessionExpired', undefined);
  app.decorateRequest('ctx', undefined as unknown as RequestContext);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    request.ctx = { actor: { type: 'anonymous', id: null, label: null }, ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
    if (!request.url.startsWith('/api/')) return;
    const authorization = request.headers.authorization;
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const key = match ? await services.apiKeys.authenticate(match[1]) : undefined;
      if (!key) {
        await services.audit.record(request.ctx, { action: 'api_key.auth_failed', outcome: 'failure', details: { path: request.routeOptions.url ?? request.url.split('?')[0] } });
        throw new AppError('auth.invalid_api_key', 'The API key is not valid, revoked or expired');
      }
      request.auth = { kind: 'api_key', key };
      request.ctx.actor = { type: 'api_key', id: key.id, label: key.name };
      return;
    }
    // Employee pages' API reads only the employee cookie; everything else only the admin cookie.
    if (isEmployeePath(request.url)) {
      const found = await sessionSubject(request, employeeCookieName, 'employee', (id) => services.employeeAuth.findActiveEmployee(id));
      if (found) request.auth = { kind: 'employee', employee: found.subject, session: found.session };
    } else {
      const found = await sessionSubject(request, cookieName, 'admin', (id) => services.admins.findById(id));
      if (found) request.auth = { kind: 'admin', admin: found.subject, session: found.session };
    }
  });

  /** The live session behind a cookie and the person it belongs to; a full session sets the actor. */
  async function sessionSubject<T extends { id: string; email: string }>(
    request: FastifyRequest, cookie: string, subjectType: 'admin' | 'employee', load: (id: string) => Promise<T | undefined>,
  ): Promise<{ subject: T; session: Session } | undefined> {
    const token = request.cookies[cookie];
    if (!token) return undefined;
    const { session, expired } = await services.sessions.resolve(token);
    request.sessionExpired = expired;
    if (!session || session.subjectType !== subjectType) return undefined;
    const subject = await load(session.subjectId);
    if (!subject) return undefined;
    if (session.stage === 'full') request.ctx.actor = { type: subjectType, id: subject.id, label: subject.email };
    return { subject, session };
  }

  app.addHook('preHandler', async (request: FastifyRequest) => {
    const access = request.routeOptions.config?.access;
    if (!access || !request.url.startsWith('/api/')) return;
    const auth = request.auth;
    if (UNSAFE.has(request.method) && auth?.kind !== 'api_key') {
      const header = request.headers[CSRF_HEADER];
      if (!isValidCsrf(services.csrfKey, request.cookies[CSRF_COOKIE], typeof header === 'string' ? header : undefined)) {
        throw new AppError('auth.csrf_invalid', 'Missing or invalid CSRF token: reload the page');
      }
    }
    if (access === 'public') return;
    if (!auth) {
      throw request.sessionExpired ? new AppError('auth.session_expired', 'Your session has expired: sign in again') : new AppError('auth.required', 'Sign in first');
    }
    if (access === 'employee' || access === 'employee_partial') {
      if (auth.kind !== 'employee') throw new AppError('auth.required', 'Sign in first');
      if (access === 'employee' && auth.session.stage !== 'full') throw new AppError('signin.stage_invalid', 'Finish signing in first');
      return;
    }
    if (auth.kind === 'employee') throw new AppError('auth.required', 'Sign in first');
    if (auth.kind === 'api_key') {
      if (access === 'partial' || access === 'session') throw new AppError('auth.forbidden', 'This action is only available in the console');
      if (SCOPE_RANK[auth.key.scope as ApiKeyScope] < SCOPE_RANK[access]) throw new AppError('auth.insufficient_scope', `This API key has scope "${auth.key.scope}"; this action needs "${access}"`);
      return;
    }
    if (access === 'partial') return;
    if (auth.session.stage !== 'full') throw new AppError('auth.stage_invalid', 'Finish signing in first');
  });
}

/** The signed-in admin of a console route (access 'session' or 'partial'). */
export function requireAdmin(request: FastifyRequest): { admin: AdminRow; session: Session } {
  if (request.auth?.kind !== 'admin') throw new AppError('auth.required', 'Sign in first');
  return request.auth;
}

export function setSessionCookie(reply: FastifyReply, services: Services, token: string, maxAgeSeconds: number) {
  reply.setCookie(sessionCookieName(services.config.isSecure), token, {
    path: '/', httpOnly: true, sameSite: 'lax', secure: services.config.isSecure, maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, services: Services) {
  reply.clearCookie(sessionCookieName(services.config.isSecure), { path: '/', httpOnly: true, sameSite: 'lax', secure: services.config.isSecure });
}
