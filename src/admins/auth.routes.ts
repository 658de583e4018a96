import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../http/types.js';
import { startAdminSession, type AdminSessionDeps } from './admin-session.js';
import { clearSessionCookie, csrfTokenFor, requireAdmin } from '../http/auth.js';
import { AppError } from '../lib/errors.js';
import { errors } from '../http/schemas.js';
import { passwordChangeBody, passwordSignInBody, totpCodeBody, totpSetupAnswer } from '../authn/authn.schemas.js';
import type { Session } from '../sessions/session.service.js';
import {
  adminAnswer,
  csrfAnswer,
  meAnswer,
  passwordBody,
  recoveryCodeBody,
  recoveryCodesAnswer,
  recoveryCodeStateAnswer,
  regenerateRecoveryCodesBody,
  setupBody,
  setupStateAnswer,
  signInAnswer,
  toAdminDto,
  totpConfirmAnswer,
} from './admin.schemas.js';
import type { AdminRow } from './admin.repository.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import type { SessionService } from '../sessions/session.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { AdminAuthService } from './admin-auth.service.js';
import type { AdminService } from './admin.service.js';
import type { RecoveryCodeService } from './recovery-code.service.js';
import type { CookieDeps } from '../http/auth.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type AuthRoutesDeps = {
  adminAuth: AdminAuthService;
  admins: AdminService;
  recoveryCodes: RecoveryCodeService;
  credentialLimiter: CredentialLimiter;
  sessions: SessionService;
  settings: SettingsService;
} & CookieDeps &
  AdminSessionDeps;

export async function authRoutes(app: App, services: AuthRoutesDeps, opts: { signInRateLimit: number }) {
  const rateLimit = { max: opts.signInRateLimit, timeWindow: '1 minute' };
  const tags = ['Console sign-in'];
  const startSession = (request: FastifyRequest, reply: FastifyReply, admin: AdminRow, stage: string) =>
    startAdminSession(services, request, reply, admin, stage);

  app.get('/auth/csrf', { config: { access: 'public' }, schema: { tags, response: { 200: csrfAnswer } } }, async (request, reply) => ({
    csrfToken: csrfTokenFor(request, reply, services),
  }));

  app.get('/setup', { config: { access: 'public' }, schema: { tags, response: { 200: setupStateAnswer } } }, async () => ({
    needsSetup: await services.adminAuth.needsSetup(),
  }));

  app.post(
    '/setup',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags,
        body: setupBody,
        response: { 200: signInAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const admin = await services.credentialLimiter.guard(request, reply, () => services.adminAuth.completeSetup(request.ctx, request.body));
      await startSession(request, reply, admin, 'full');
      return { status: 'ok' as const, admin: toAdminDto(admin) };
    },
  );

  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags,
        body: passwordSignInBody,
        response: { 200: signInAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const { admin, stage } = await services.credentialLimiter.guard(request, reply, () =>
        services.adminAuth.signInWithPassword(request.ctx, request.body.email, request.body.password),
      );
      await startSession(request, reply, admin, stage);
      if (stage === 'full') return { status: 'ok' as const, admin: toAdminDto(admin) };
      return { status: stage === 'totp' ? ('totp_required' as const) : ('totp_enrollment_required' as const) };
    },
  );

  app.post(
    '/auth/login/totp',
    {
      config: { access: 'partial', rateLimit },
      schema: { tags, body: totpCodeBody, response: { 200: signInAnswer, ...errors } },
    },
    async (request, reply) => {
      const { session } = requireAdmin(request);
      if (session.stage !== 'totp') throw new AppError('auth.stage_invalid', 'No authentication code is expected now');
      const admin = await services.credentialLimiter.guard(request, reply, () =>
        services.adminAuth.signInWithTotp(request.ctx, session.subjectId, request.body.code),
      );
      await startSession(request, reply, admin, 'full');
      return { status: 'ok' as const, admin: toAdminDto(admin) };
    },
  );

  app.post(
    '/auth/login/recovery-code',
    {
      config: { access: 'partial', rateLimit },
      schema: { tags, body: recoveryCodeBody, response: { 200: signInAnswer, ...errors } },
    },
    async (request, reply) => {
      const { session } = requireAdmin(request);
      if (session.stage !== 'totp') throw new AppError('auth.stage_invalid', 'No authentication code is expected now');
      const { admin, remaining } = await services.credentialLimiter.guard(request, reply, () =>
        services.adminAuth.signInWithRecoveryCode(request.ctx, session.subjectId, request.body.code),
      );
      await startSession(request, reply, admin, 'full');
      return { status: 'ok' as const, admin: toAdminDto(admin), recoveryCodesRemaining: remaining };
    },
  );

  app.post('/auth/logout', { config: { access: 'public' }, schema: { tags, response: { 204: z.null() } } }, async (request, reply) => {
    if (request.auth?.kind === 'admin') {
      await services.sessions.revoke(request.auth.session.id);
      await services.adminAuth.recordSignOut(request.ctx, request.auth.admin);
    }
    clearSessionCookie(reply, services);
    return reply.code(204).send(null);
  });

  app.get(
    '/auth/me',
    {
      config: { access: 'session' },
      schema: {
        tags,
        response: { 200: meAnswer, ...errors },
      },
    },
    async (request) => {
      const { admin } = requireAdmin(request);
      const s = await services.settings.get();
      const codes = await services.recoveryCodes.state(admin.id);
      return {
        admin: toAdminDto(admin),
        settings: { organisationName: s.organisationName, requireAdminTotp: s.requireAdminTotp },
        recoveryCodesRemaining: codes.totpEnabled ? codes.remaining : null,
      };
    },
  );

  /** TOTP enrolment: allowed in a full session, or in the 'totp_enroll' stage that policy forces. */
  const enrolling = (session: Session) => session.stage === 'full' || session.stage === 'totp_enroll';

  app.post(
    '/auth/totp/setup',
    {
      config: { access: 'partial' },
      schema: { tags, response: { 200: totpSetupAnswer, ...errors } },
    },
    async (request) => {
      const { session } = requireAdmin(request);
      if (!enrolling(session)) throw new AppError('auth.stage_invalid', 'Finish signing in first');
      return services.admins.beginTotp(session.subjectId);
    },
  );

  app.post(
    '/auth/totp/confirm',
    {
      config: { access: 'partial', rateLimit },
      schema: { tags, body: totpCodeBody, response: { 200: totpConfirmAnswer, ...errors } },
    },
    async (request, reply) => {
      const { session, admin } = requireAdmin(request);
      if (!enrolling(session)) throw new AppError('auth.stage_invalid', 'Finish signing in first');
      const ctx = { ...request.ctx, actor: { type: 'admin' as const, id: admin.id, label: admin.email } };
      const confirmed = await services.admins.confirmTotp(ctx, admin.id, request.body.code);
      if (session.stage === 'totp_enroll') {
        await services.adminAuth.recordSignIn(ctx, admin, 'password+totp-enrolment');
        await startSession(request, reply, admin, 'full');
      }
      return confirmed;
    },
  );

  app.post(
    '/auth/totp/disable',
    {
      config: { access: 'session' },
      schema: { tags, body: passwordBody, response: { 200: adminAnswer, ...errors } },
    },
    async (request, reply) => {
      const { admin } = requireAdmin(request);
      return {
        admin: await services.credentialLimiter.guard(request, reply, () => services.admins.disableOwnTotp(request.ctx, admin.id, request.body.password)),
      };
    },
  );

  app.get('/auth/recovery-codes', { config: { access: 'session' }, schema: { tags, response: { 200: recoveryCodeStateAnswer, ...errors } } }, async (request) =>
    services.recoveryCodes.state(requireAdmin(request).admin.id),
  );

  app.post(
    '/auth/recovery-codes',
    {
      config: { access: 'session', rateLimit },
      schema: { tags, body: regenerateRecoveryCodesBody, response: { 200: recoveryCodesAnswer, ...errors } },
    },
    async (request, reply) => {
      const { admin, session } = requireAdmin(request);
      const regenerate = () => services.recoveryCodes.regenerate(request.ctx, admin.id, { sessionCreatedAt: session.createdAt, totpCode: request.body.code });
      // A TOTP code is a credential check, inside the per-IP budget; a recent sign-in is not.
      return request.body.code === undefined ? regenerate() : services.credentialLimiter.guard(request, reply, regenerate);
    },
  );

  app.post(
    '/auth/password',
    {
      config: { access: 'session', rateLimit },
      schema: {
        tags,
        body: passwordChangeBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { admin, session } = requireAdmin(request);
      await services.credentialLimiter.guard(request, reply, () => services.admins.changeOwnPassword(request.ctx, admin.id, session.id, request.body));
      return reply.code(204).send(null);
    },
  );
}
