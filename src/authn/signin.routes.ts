import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { App } from '../http/types.js';
import { AppError } from '../lib/errors.js';
import { errors } from '../http/schemas.js';
import { checkReturnTo, PORTAL_HOME } from '../lib/return-to.js';
import {
  continueQuery,
  employeeAnswer,
  optionsAnswer,
  passkeyVerifyBody,
  passwordSignInBody,
  redirectAnswer,
  requestOptionsAnswer,
  secondFactorAnswer,
  signedInAnswer,
  signInOptionsBody,
  toEmployeeSummary,
  totpCodeBody,
} from './authn.schemas.js';
import { clearEmployeeSessionCookie, employeeContext, requireEmployee, signedInWith, startEmployeeSession } from './employee-session.js';
import type { Config } from '../config/config.js';
import type { SessionService } from '../sessions/session.service.js';
import type { EmployeeAuthService } from './employee-auth.service.js';
import type { EmployeeSessionDeps } from './employee-session.js';
import type { CookieDeps } from '../http/auth.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SigninRoutesDeps = {
  credentialLimiter: CredentialLimiter;
  config: Config;
  employeeAuth: EmployeeAuthService;
  sessions: SessionService;
} & EmployeeSessionDeps &
  CookieDeps;

const signInErrors = { ...errors, 429: errors[401] };

/** The employee sign-in page's API (docs/sign-in-api.md "Sign-in"), used by every protocol's login. */
export async function signInRoutes(app: App, services: SigninRoutesDeps, opts: { signInRateLimit: number }) {
  const rateLimit = { max: opts.signInRateLimit, timeWindow: '1 minute' };
  const tags = ['Employee sign-in'];

  app.post(
    '/signin/webauthn/options',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Start employee sign-in with a passkey',
        tags,
        body: signInOptionsBody,
        response: { 200: requestOptionsAnswer, ...errors },
        description:
          "Without email: username-less sign-in (also for conditional mediation). With email: that employee's credentials; an unknown address gets options that look the same.",
      },
    },
    async (request) => optionsAnswer(await services.employeeAuth.signInOptions(request.body.email)),
  );

  app.post(
    '/signin/webauthn/verify',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Finish employee sign-in with a passkey',
        description:
          'Verifies the assertion for the ceremony from `/api/signin/webauthn/options` and starts a full employee session (sets the employee session cookie). 400 `webauthn.challenge_expired` / `webauthn.challenge_invalid`, 401 `webauthn.credential_unknown` (a key not registered here), 403 `signin.account_disabled`, 403 `signin.hardware_key_not_active` for a suspended key, 403 `webauthn.second_factor_only` for a key that only serves after the password. Rate-limited per address; every attempt is audited.',
        tags,
        body: passkeyVerifyBody,
        response: { 200: signedInAnswer, ...signInErrors },
      },
    },
    async (request, reply) => {
      const { employee, method } = await services.employeeAuth.signInWithPasskey(
        request.ctx,
        request.body.ceremonyId,
        request.body.response as AuthenticationResponseJSON,
      );
      await startEmployeeSession(request, reply, services, employee, 'full', signedInWith(services, method));
      return { status: 'ok' as const, employee: toEmployeeSummary(employee) };
    },
  );

  app.post(
    '/signin/password',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Start employee sign-in with a password',
        tags,
        body: passwordSignInBody,
        response: { 200: secondFactorAnswer, ...signInErrors },
        description:
          'First step of a password sign-in (only when policy allows it). Sets a partial session cookie; finish with /signin/totp or /signin/second-factor/webauthn/*.',
      },
    },
    async (request, reply) => {
      const { employee, methods } = await services.credentialLimiter.guard(request, reply, () =>
        services.employeeAuth.signInWithPassword(request.ctx, request.body.email, request.body.password),
      );
      await startEmployeeSession(request, reply, services, employee, 'second_factor', { methods });
      return { status: 'second_factor_required' as const, methods };
    },
  );

  /** The partial session of a password sign-in, whose second factor is now due. */
  const secondFactorSession = (request: Parameters<typeof requireEmployee>[0]) => {
    const auth = requireEmployee(request);
    if (auth.session.stage !== 'second_factor')
      throw new AppError('signin.stage_invalid', 'No second factor is expected now: sign in with your password first');
    return auth;
  };

  app.post(
    '/signin/totp',
    {
      config: { access: 'employee_partial', rateLimit },
      schema: {
        summary: 'Finish employee sign-in with an authenticator code',
        description:
          'The second step after `/api/signin/password`: a TOTP code. 401 `signin.invalid_totp` (counted against the lockout), 403 `signin.stage_invalid` when no code is expected. On success the session becomes full. Audited.',
        tags,
        body: totpCodeBody,
        response: { 200: signedInAnswer, ...signInErrors },
      },
    },
    async (request, reply) => {
      const { employee } = secondFactorSession(request);
      const done = await services.credentialLimiter.guard(request, reply, () =>
        services.employeeAuth.signInWithTotp(request.ctx, employee.id, request.body.code),
      );
      await startEmployeeSession(request, reply, services, done, 'full', signedInWith(services, 'password+totp'));
      return { status: 'ok' as const, employee: toEmployeeSummary(done) };
    },
  );

  app.post(
    '/signin/second-factor/webauthn/options',
    {
      config: { access: 'employee_partial', rateLimit },
      schema: {
        summary: 'Start the security-key second factor',
        description:
          "Request options for the employee's second-factor security keys, after `/api/signin/password`. 403 `signin.stage_invalid` when no second factor is expected.",
        tags,
        response: { 200: requestOptionsAnswer, ...errors },
      },
    },
    async (request) => optionsAnswer(await services.employeeAuth.secondFactorOptions(secondFactorSession(request).employee.id)),
  );

  app.post(
    '/signin/second-factor/webauthn/verify',
    {
      config: { access: 'employee_partial', rateLimit },
      schema: {
        summary: 'Finish sign-in with a security key as second factor',
        description:
          "Verifies the second-factor key's assertion and makes the session full. 400 `webauthn.challenge_expired`, 401 `webauthn.credential_unknown`. Rate-limited; audited.",
        tags,
        body: passkeyVerifyBody,
        response: { 200: signedInAnswer, ...signInErrors },
      },
    },
    async (request, reply) => {
      const { employee } = secondFactorSession(request);
      const done = await services.credentialLimiter.guard(request, reply, () =>
        services.employeeAuth.signInWithSecondFactorPasskey(
          request.ctx,
          employee.id,
          request.body.ceremonyId,
          request.body.response as AuthenticationResponseJSON,
        ),
      );
      await startEmployeeSession(request, reply, services, done, 'full', signedInWith(services, 'password+passkey'));
      return { status: 'ok' as const, employee: toEmployeeSummary(done) };
    },
  );

  app.get(
    '/signin/session',
    {
      config: { access: 'employee' },
      schema: {
        summary: 'Get the signed-in employee',
        description:
          'Who the employee session belongs to (name, e-mail), for the sign-in pages to say "signed in as". 401 `auth.required` without a full employee session.',
        tags,
        response: { 200: employeeAnswer, ...errors },
      },
    },
    async (request) => ({ employee: toEmployeeSummary(requireEmployee(request).employee) }),
  );

  app.get(
    '/signin/return-to',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Resolve where to go after sign-in',
        tags,
        querystring: continueQuery,
        response: { 200: redirectAnswer, ...errors },
        description:
          "Where a sign-in page goes once signed in: `return_to` (the console's `next`) when it is a path of this site, checked against PUBLIC_URL (src/lib/return-to.ts); otherwise /portal, or / for the console. The pages navigate to this answer, never to the raw parameter.",
      },
    },
    async (request) => ({
      redirectTo: checkReturnTo(request.query.return_to, {
        publicUrl: services.config.publicUrl,
        fallback: request.query.for === 'console' ? '/' : PORTAL_HOME,
      }),
    }),
  );

  app.post(
    '/signin/logout',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Sign the employee out',
        description: 'Ends the employee session (if any) and clears its cookie. Always 204; audited when a signed-in employee signed out.',
        tags,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      if (request.auth?.kind === 'employee') {
        await services.sessions.revoke(request.auth.session.id);
        if (request.auth.session.stage === 'full')
          await services.employeeAuth.recordSignOut(employeeContext(request, request.auth.employee), request.auth.employee);
      }
      clearEmployeeSessionCookie(reply, services);
      return reply.code(204).send(null);
    },
  );
}
