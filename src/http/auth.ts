import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { RequestContext } from '../lib/context.js';
import { AppError } from '../lib/errors.js';
import { CSRF_HEADER, csrfCookieName, isValidCsrf, renewCsrfCookie, requestSessions, type CsrfCookieNames } from './csrf.js';

/**
 * Who may call a route. Every route declares one (`config: { access }`); a route without a
 * declaration stops the server at start-up, naming the route (default deny).
 * - public: anyone (sign-in, setup, health, the protocol endpoints, which check their own
 *   credentials: OIDC, SAML, WS-Fed);
 * - partial: an admin who passed the password but still owes a second factor or its enrolment;
 * - session: a fully signed-in admin in the console (never an API key: own password, own TOTP);
 * - read / write / admin: a signed-in admin, or an API key of at least that scope;
 * - employee: a fully signed-in employee (portal); employee_partial: an employee who passed the
 *   password and owes the second factor;
 * - agent: an approved workstation's agent, by a signed assertion (docs/agent-protocol.md);
 *   agent_pending: any enrolled workstation's agent, approved or not (status, heartbeat, channel).
 */
export const ACCESS_KINDS = ['public', 'partial', 'session', 'read', 'write', 'admin', 'employee', 'employee_partial', 'agent', 'agent_pending'] as const;
export type Access = (typeof ACCESS_KINDS)[number];

/** What the guard needs of a session: whose it is and how far its sign-in got. */
export interface GuardSession {
  id: string;
  subjectType: string;
  subjectId: string;
  stage: string;
}

/**
 * The people and keys the guard authenticates. This infrastructure knows them only by these
 * shapes; the composition root (src/app/auth-subjects.ts) names the features' row types here, so
 * that route handlers get the full rows without http/ importing any feature.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging
export interface AuthSubjects {}
type SubjectOf<K extends string, Fallback> = AuthSubjects extends { [P in K]: infer T } ? T : Fallback;
export type AdminSubject = SubjectOf<'admin', { id: string; email: string }>;
export type EmployeeSubject = SubjectOf<'employee', { id: string; email: string }>;
export type ApiKeySubject = SubjectOf<'apiKey', { id: string; name: string; scope: string }>;
export type SessionSubject = SubjectOf<'session', GuardSession>;
export type AgentSubject = SubjectOf<'workstation', { id: string; name: string; status: string }>;

export type Auth =
  | { kind: 'admin'; admin: AdminSubject; session: SessionSubject }
  | { kind: 'api_key'; key: ApiKeySubject }
  | { kind: 'employee'; employee: EmployeeSubject; session: SessionSubject }
  | { kind: 'agent'; workstation: AgentSubject };

/** What the guard asks of the features, wired by the composition root. */
export interface GuardDeps {
  config: { isSecure: boolean };
  csrfKey: Buffer;
  authenticateApiKey(secret: string): Promise<ApiKeySubject | undefined>;
  resolveSession(token: string): Promise<{ session?: SessionSubject | null; expired: boolean }>;
  findAdmin(id: string): Promise<AdminSubject | undefined>;
  /** The enrolled workstation a signed agent assertion proves (also spends the address's failure budget). */
  authenticateAgent(assertion: string, ip: string): Promise<AgentSubject | undefined>;
  /** Only an active employee: a disabled one's sessions end, and stay ended. */
  findActiveEmployee(id: string): Promise<EmployeeSubject | undefined>;
  /** Counted per source and minute (src/audit/anonymous-failures.ts), never one row per request. */
  recordAnonymousFailure(
    ctx: RequestContext,
    entry: { action: 'api_key.auth_failed' | 'api.csrf_refused' | 'agent.auth_failed'; details?: Record<string, unknown> },
  ): void;
}

/** What setting a session cookie needs: whether cookies are Secure, and the CSRF key. */
export interface CookieDeps {
  config: { isSecure: boolean };
  csrfKey: Buffer;
}

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

const SCOPE_RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The decoration by which a plugin scope gives its routes an access (static files, API docs). */
const DEFAULT_ACCESS = 'tesseraDefaultAccess';

export function sessionCookieName(isSecure: boolean): string {
  // The __Host- prefix pins the cookie to this origin over HTTPS (RFC 6265bis §4.1.3.2).
  return isSecure ? '__Host-tessera_session' : 'tessera_session';
}

/** Employees have their own session cookie, apart from the console's (docs/sign-in-api.md). */
export function employeeSessionCookieName(isSecure: boolean): string {
  return isSecure ? '__Host-tessera_employee_session' : 'tessera_employee_session';
}

const cookieNames = (isSecure: boolean): CsrfCookieNames => ({
  csrf: csrfCookieName(isSecure),
  admin: sessionCookieName(isSecure),
  employee: employeeSessionCookieName(isSecure),
});

/**
 * Which session a public API route reads, by the route that matched (never the raw URL): the
 * employee pages' API reads only the employee cookie; everything else only the admin cookie.
 */
const EMPLOYEE_ROUTES = ['/api/signin/', '/api/enroll/', '/api/portal/'];
const isEmployeeRoute = (routeUrl: string) => EMPLOYEE_ROUTES.some((p) => routeUrl.startsWith(p));

/** A registered route and who may call it: what the guard enforces, as the tests enumerate it. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/** Every route of an app built by buildApp() with its declared access, in registration order. */
export function routeAccessList(app: FastifyInstance): readonly RouteAccess[] {
  return (app as unknown as Record<string, RouteAccess[]>)[ROUTE_LIST];
}
const ROUTE_LIST = 'tesseraRouteAccess';

/** Routes registered inside `scope` (by a plugin that cannot declare access itself) get `access`. */
export function declareScopeAccess(scope: FastifyInstance, access: Access) {
  scope.decorate(DEFAULT_ACCESS, access);
}

/**
 * The guard. It is attached to each route as the route is registered, from the route's own
 * declaration, so what decides access is the route the router matched: a percent-encoded,
 * case-changed or dot-segmented URL either matches a route, and meets that route's guard, or
 * matches none and gets 404. It runs in onRequest, before the body is parsed or validated, so
 * anonymous input never reaches validators or the database; after the per-IP rate limit.
 */
export function installAuth(app: FastifyInstance, services: GuardDeps) {
  const names = cookieNames(services.config.isSecure);

  const routes: RouteAccess[] = [];
  app.decorate(ROUTE_LIST, routes);
  app.decorateRequest('auth', undefined);
  app.decorateRequest('sessionExpired', undefined);
  app.decorateRequest('ctx', undefined as unknown as RequestContext);

  // Every request has a context, a 404 too (the error handler and the audit log read it).
  app.addHook('onRequest', async (request: FastifyRequest) => {
    request.ctx = { actor: { type: 'anonymous', id: null, label: null }, ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
  });

  app.addHook('onRoute', function attachGuard(this: FastifyInstance, route: RouteOptions) {
    const scopeDefault = (this as unknown as Record<string, Access | undefined>)[DEFAULT_ACCESS];
    const access = route.config?.access ?? scopeDefault;
    const name = `${Array.isArray(route.method) ? route.method.join(',') : route.method} ${route.url}`;
    if (!access) throw new Error(`Route ${name} declares no access: add config: { access: 'public' | 'read' | … } (src/http/auth.ts)`);
    if (!ACCESS_KINDS.includes(access)) throw new Error(`Route ${name} declares an unknown access "${String(access)}"`);
    const isApi = route.url.startsWith('/api/');
    // Outside /api only pages and protocol endpoints live; they check their own credentials.
    if (!isApi && access !== 'public') throw new Error(`Route ${name} is outside /api: only access 'public' is possible there`);
    route.config = { ...route.config, access };
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method, url: route.url, access });
    if (!isApi) return;
    // The agents' API (docs/agent-protocol.md) reads no cookies: enrolment checks its own token.
    if (route.url.startsWith('/api/agent/') && access === 'public') return;
    if (access === 'agent' || access === 'agent_pending') {
      // Agents prove who they are by a signature, never by cookies or API keys: no CSRF to check.
      const agentGuard = async (request: FastifyRequest) => {
        await authenticateAgent(request);
        if (access === 'agent' && request.auth?.kind === 'agent' && request.auth.workstation.status !== 'approved')
          throw new AppError('agent.not_approved', 'This workstation is waiting for approval by an administrator');
      };
      const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
      route.onRequest = [...existing, agentGuard];
      return;
    }
    const audience = access === 'employee' || access === 'employee_partial' || (access === 'public' && isEmployeeRoute(route.url)) ? 'employee' : 'admin';
    const guard = async (request: FastifyRequest) => {
      await authenticate(request, audience);
      checkCsrf(request);
      authorize(request, access);
    };
    const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
    route.onRequest = [...existing, guard];
  });

  /** A workstation agent: `Authorization: Bearer <assertion signed with the workstation's key>`. */
  async function authenticateAgent(request: FastifyRequest) {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const workstation = match ? await services.authenticateAgent(match[1], request.ip) : undefined;
    if (!workstation) {
      services.recordAnonymousFailure(request.ctx, { action: 'agent.auth_failed', details: { path: request.routeOptions.url } });
      throw new AppError('agent.assertion_invalid', 'The agent assertion is missing or not valid');
    }
    request.auth = { kind: 'agent', workstation };
    request.ctx.actor = { type: 'workstation', id: workstation.id, label: workstation.name };
  }

  /** Who is calling: an API key (Authorization: Bearer), or the audience's session cookie. */
  async function authenticate(request: FastifyRequest, audience: 'admin' | 'employee') {
    const authorization = request.headers.authorization;
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const key = match ? await services.authenticateApiKey(match[1]) : undefined;
      if (!key) {
        // Counted per source and minute: a stranger cannot grow the audit log at request speed.
        services.recordAnonymousFailure(request.ctx, { action: 'api_key.auth_failed', details: { path: request.routeOptions.url } });
        throw new AppError('auth.invalid_api_key', 'The API key is not valid, revoked or expired');
      }
      request.auth = { kind: 'api_key', key };
      request.ctx.actor = { type: 'api_key', id: key.id, label: key.name };
      return;
    }
    if (audience === 'employee') {
      const found = await sessionSubject(request, names.employee, 'employee', (id) => services.findActiveEmployee(id));
      if (found) request.auth = { kind: 'employee', employee: found.subject, session: found.session };
    } else {
      const found = await sessionSubject(request, names.admin, 'admin', (id) => services.findAdmin(id));
      if (found) request.auth = { kind: 'admin', admin: found.subject, session: found.session };
    }
  }

  /** The live session behind a cookie and the person it belongs to; a full session sets the actor. */
  async function sessionSubject<T extends { id: string; email: string }>(
    request: FastifyRequest,
    cookie: string,
    subjectType: 'admin' | 'employee',
    load: (id: string) => Promise<T | undefined>,
  ): Promise<{ subject: T; session: SessionSubject } | undefined> {
    const token = request.cookies[cookie];
    if (!token) return undefined;
    const { session, expired } = await services.resolveSession(token);
    request.sessionExpired = expired;
    if (!session || session.subjectType !== subjectType) return undefined;
    const subject = await load(session.subjectId);
    if (!subject) return undefined;
    if (session.stage === 'full') request.ctx.actor = { type: subjectType, id: subject.id, label: subject.email };
    return { subject, session };
  }

  /** A state-changing request made with cookies must carry the CSRF token of those cookies. */
  function checkCsrf(request: FastifyRequest) {
    if (!UNSAFE.has(request.method) || request.auth?.kind === 'api_key') return;
    const header = request.headers[CSRF_HEADER];
    if (!isValidCsrf(services.csrfKey, requestSessions(request, names), request.cookies[names.csrf], typeof header === 'string' ? header : undefined)) {
      // A signed-in admin's refusal is audited by the error handler; a stranger's is only counted.
      if (request.ctx.actor.type === 'anonymous')
        services.recordAnonymousFailure(request.ctx, { action: 'api.csrf_refused', details: { route: `${request.method} ${request.routeOptions.url}` } });
      throw new AppError('auth.csrf_invalid', 'Missing or invalid CSRF token: reload the page');
    }
  }
}

/** Whether the caller may use a route of `access`; throws the answer otherwise. */
function authorize(request: FastifyRequest, access: Access) {
  if (access === 'public') return;
  const auth = request.auth;
  if (!auth) {
    throw request.sessionExpired
      ? new AppError('auth.session_expired', 'Your session has expired: sign in again')
      : new AppError('auth.required', 'Sign in first');
  }
  if (access === 'employee' || access === 'employee_partial') {
    if (auth.kind !== 'employee') throw new AppError('auth.required', 'Sign in first');
    if (access === 'employee' && auth.session.stage !== 'full') throw new AppError('signin.stage_invalid', 'Finish signing in first');
    return;
  }
  if (auth.kind === 'employee' || auth.kind === 'agent') throw new AppError('auth.required', 'Sign in first');
  if (auth.kind === 'api_key') {
    if (access === 'partial' || access === 'session') throw new AppError('auth.forbidden', 'This action is only available in the console');
    if ((SCOPE_RANK[auth.key.scope] ?? 0) < SCOPE_RANK[access])
      throw new AppError('auth.insufficient_scope', `This API key has scope "${auth.key.scope}"; this action needs "${access}"`);
    return;
  }
  if (access === 'partial') return;
  if (auth.session.stage !== 'full') throw new AppError('auth.stage_invalid', 'Finish signing in first');
}

/** The signed-in admin of a console route (access 'session' or 'partial'). */
export function requireAdmin(request: FastifyRequest): { admin: AdminSubject; session: SessionSubject } {
  if (request.auth?.kind !== 'admin') throw new AppError('auth.required', 'Sign in first');
  return request.auth;
}

const sessionCookieOptions = (isSecure: boolean) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure: isSecure });

/**
 * Session cookies are set and cleared only here, each time with a new CSRF token bound to the
 * sessions the browser holds next: a token from before a sign-in or sign-out is worthless after it.
 */
export function setSessionCookie(reply: FastifyReply, services: CookieDeps, token: string, maxAgeSeconds: number) {
  const { isSecure } = services.config;
  reply.setCookie(sessionCookieName(isSecure), token, { ...sessionCookieOptions(isSecure), maxAge: maxAgeSeconds });
  renewCsrfCookie(reply, services.csrfKey, cookieNames(isSecure), isSecure, { admin: token });
}

export function clearSessionCookie(reply: FastifyReply, services: CookieDeps) {
  const { isSecure } = services.config;
  reply.clearCookie(sessionCookieName(isSecure), sessionCookieOptions(isSecure));
  renewCsrfCookie(reply, services.csrfKey, cookieNames(isSecure), isSecure, { admin: null });
}

export function setEmployeeSessionCookie(reply: FastifyReply, services: CookieDeps, token: string, maxAgeSeconds: number) {
  const { isSecure } = services.config;
  reply.setCookie(employeeSessionCookieName(isSecure), token, { ...sessionCookieOptions(isSecure), maxAge: maxAgeSeconds });
  renewCsrfCookie(reply, services.csrfKey, cookieNames(isSecure), isSecure, { employee: token });
}

export function clearEmployeeSessionCookie(reply: FastifyReply, services: CookieDeps) {
  const { isSecure } = services.config;
  reply.clearCookie(employeeSessionCookieName(isSecure), sessionCookieOptions(isSecure));
  renewCsrfCookie(reply, services.csrfKey, cookieNames(isSecure), isSecure, { employee: null });
}

/** The CSRF token for the sessions this request carries: the current one when still valid. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply, services: CookieDeps): string {
  const { isSecure } = services.config;
  const names = cookieNames(isSecure);
  const existing = request.cookies[names.csrf];
  // Keep a valid token (other tabs use it); replace a stale or forged one.
  if (existing && isValidCsrf(services.csrfKey, requestSessions(request, names), existing, existing)) return existing;
  return renewCsrfCookie(reply, services.csrfKey, names, isSecure, {});
}
