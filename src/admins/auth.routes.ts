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

  app.get(
    '/auth/csrf',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Get a CSRF token',
        description:
          'Sets the CSRF cookie (`tessera_csrf`, `__Host-tessera_csrf` over HTTPS) if it is missing and returns its value. A browser client sends it back as `X-CSRF-Token` on every POST, PUT, PATCH and DELETE made with a session cookie; API keys need none.',
        tags,
        response: { 200: csrfAnswer },
      },
    },
    async (request, reply) => ({
      csrfToken: csrfTokenFor(request, reply, services),
    }),
  );

  app.get(
    '/setup',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Check whether first-admin setup is needed',
        description:
          'Answers `needsSetup: true` while no admin exists: the console then shows the setup form for the one-time link that `tessera serve` prints.',
        tags,
        response: { 200: setupStateAnswer },
      },
    },
    async () => ({
      needsSetup: await services.adminAuth.needsSetup(),
    }),
  );

  app.post(
    '/setup',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Create the first admin',
        description:
          'Creates the first admin from the one-time setup token printed at start (or `tessera admin create`), and signs them in (sets the session cookie). Refused with 409 `setup.not_needed` once an admin exists, 401 `setup.invalid_token` for a wrong or expired token, 400 `admins.password_too_weak`. Rate-limited per address; audited.',
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
        summary: 'Sign in to the console with a password',
        description:
          'Checks e-mail and password and sets the session cookie. `status` says what comes next: `ok` (signed in), `totp_required` (send the code to `/api/auth/login/totp`) or `totp_enrollment_required` (the policy requires a second factor: set it up with `/api/auth/totp/setup`). A wrong e-mail or password gives 401 `auth.invalid_credentials` without saying which; repeated failures lock the account and spend the per-address credential budget (429). Every attempt is audited.',
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
      schema: {
        summary: 'Finish console sign-in with an authenticator code',
        description:
          'The second step after the password: a 6-digit TOTP code. 401 `auth.invalid_totp` for a wrong code (counted against the lockout), 403 `auth.stage_invalid` when no code is expected. On success the session becomes a full one. Audited.',
        tags,
        body: totpCodeBody,
        response: { 200: signInAnswer, ...errors },
      },
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
      schema: {
        summary: 'Finish console sign-in with a recovery code',
        description:
          "Instead of the TOTP code, one of the admin's single-use recovery codes; the answer says how many remain. 401 `auth.invalid_recovery_code` for a wrong or used code. The code is spent at once; audited.",
        tags,
        body: recoveryCodeBody,
        response: { 200: signInAnswer, ...errors },
      },
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

  app.post(
    '/auth/logout',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Sign out of the console',
        description: "Ends the admin's session (if any) and clears the session cookie. Always answers 204; audited when a session ended.",
        tags,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      if (request.auth?.kind === 'admin') {
        await services.sessions.revoke(request.auth.session.id);
        await services.adminAuth.recordSignOut(request.ctx, request.auth.admin);
      }
      clearSessionCookie(reply, services);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'session' },
      schema: {
        summary: 'Get the signed-in admin',
        description:
          'The admin behind the session, the organisation name, whether the policy requires TOTP for admins, and how many recovery codes remain (null without TOTP).',
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
      schema: {
        summary: 'Start authenticator app setup',
        description:
          'Creates a new TOTP secret for the signed-in admin (pending until confirmed) and returns it with its `otpauth://` URI and QR code. Allowed in a full session or while the policy forces enrolment; 403 `auth.stage_invalid` otherwise, 409 `admins.totp_already_enabled`.',
        tags,
        response: { 200: totpSetupAnswer, ...errors },
      },
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
      schema: {
        summary: 'Confirm authenticator app setup',
        description:
          'Confirms the pending TOTP secret with a code from the app, turns on the second factor and returns the recovery codes (shown once, stored hashed). During forced enrolment this completes the sign-in. 401 `auth.invalid_totp`, 409 `admins.totp_not_pending`. Audited.',
        tags,
        body: totpCodeBody,
        response: { 200: totpConfirmAnswer, ...errors },
      },
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
      schema: {
        summary: 'Turn off my authenticator app',
        description:
          "Removes the signed-in admin's TOTP after checking their password (401 `auth.invalid_credentials`); refused with 409 `admins.totp_required` when the policy requires it. Their recovery codes are deleted too. Audited.",
        tags,
        body: passwordBody,
        response: { 200: adminAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const { admin } = requireAdmin(request);
      return {
        admin: await services.credentialLimiter.guard(request, reply, () => services.admins.disableOwnTotp(request.ctx, admin.id, request.body.password)),
      };
    },
  );

  app.get(
    '/auth/recovery-codes',
    {
      config: { access: 'session' },
      schema: {
        summary: 'Get my recovery code status',
        description: 'How many unused recovery codes the signed-in admin has left and when they were made; never the codes themselves.',
        tags,
        response: { 200: recoveryCodeStateAnswer, ...errors },
      },
    },
    async (request) => services.recoveryCodes.state(requireAdmin(request).admin.id),
  );

  app.post(
    '/auth/recovery-codes',
    {
      config: { access: 'session', rateLimit },
      schema: {
        summary: 'Regenerate my recovery codes',
        description:
          "Replaces all of the signed-in admin's recovery codes with new ones, shown once in the answer. Needs a recent sign-in or a current TOTP `code` (403 `admins.reauthentication_required`); 409 `admins.totp_required` without TOTP. Audited.",
        tags,
        body: regenerateRecoveryCodesBody,
        response: { 200: recoveryCodesAnswer, ...errors },
      },
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
        summary: 'Change my console password',
        description:
          "Changes the signed-in admin's password after checking the current one (401 `auth.invalid_credentials`, 400 `admins.password_too_weak`). The admin's other sessions end. Audited.",
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
