import type { FastifyReply, FastifyRequest } from 'fastify';
import { setSessionCookie, type CookieDeps } from '../http/auth.js';
import type { SessionService } from '../sessions/session.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { AdminRow } from './admin.repository.js';

/** What starting an admin session needs: the timeouts in settings, the sessions, the cookie. */
export type AdminSessionDeps = { settings: SettingsService; sessions: SessionService } & CookieDeps;

/** A half-signed-in session (password checked, second factor owed) lives only this long. */
const PARTIAL_SESSION_SECONDS = 300;

/** Starts an admin session at `stage` and sets its cookie (also used by the passkey sign-in). */
export async function startAdminSession(services: AdminSessionDeps, request: FastifyRequest, reply: FastifyReply, admin: AdminRow, stage: string) {
  const s = await services.settings.get();
  const full = stage === 'full';
  const idleSeconds = full ? s.sessionIdleMinutes * 60 : PARTIAL_SESSION_SECONDS;
  const absoluteSeconds = full ? s.sessionAbsoluteHours * 3600 : PARTIAL_SESSION_SECONDS;
  // A new session id at every stage change prevents session fixation (OWASP ASVS 3.2.1).
  if (request.auth?.kind === 'admin') await services.sessions.revoke(request.auth.session.id);
  const { token } = await services.sessions.create({
    subjectType: 'admin',
    subjectId: admin.id,
    stage,
    idleSeconds,
    absoluteSeconds,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  });
  setSessionCookie(reply, services, token, absoluteSeconds);
}
