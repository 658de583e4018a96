import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import {
  credentialDto,
  credentialKindBody,
  credentialRegistrationBody,
  creationOptionsAnswer,
  optionsAnswer,
  passwordChangeBody,
  toBrandingDto,
  toCredentialDto,
  toEmployeeSummary,
  toPolicyDto,
  totpCodeBody,
  totpSetupAnswer,
} from '../authn/authn.schemas.js';
import { employeeContext, requireEmployee } from '../authn/employee-session.js';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import type { CredentialService } from '../authn/credential.service.js';
import type { EmployeeFactorService } from '../authn/employee-factors.service.js';
import type { WebAuthnService } from '../authn/webauthn.service.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import type { SettingsService } from '../settings/settings.service.js';
import { applicationDto, credentialRenameBody, portalMeAnswer, signInDto } from './portal.schemas.js';
import type { PortalService } from './portal.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type PortalRoutesDeps = {
  credentialLimiter: CredentialLimiter;
  credentials: CredentialService;
  employeeFactors: EmployeeFactorService;
  portal: PortalService;
  settings: SettingsService;
  webauthn: WebAuthnService;
};

/** The user portal's API (docs/sign-in-api.md "Portal"): a signed-in employee's own sign-in methods. */
export async function portalRoutes(app: App, services: PortalRoutesDeps, opts: { signInRateLimit: number }) {
  const tags = ['User portal'];
  const access = 'employee' as const;
  const rateLimit = { max: opts.signInRateLimit, timeWindow: '1 minute' };
  const me = (request: Parameters<typeof requireEmployee>[0]) => {
    const { employee, session } = requireEmployee(request);
    return { employee, session, ctx: employeeContext(request, employee), owner: { type: 'employee' as const, id: employee.id, label: employee.email } };
  };

  app.get(
    '/portal/me',
    {
      config: { access },
      schema: {
        summary: 'Get my portal profile',
        description:
          "The signed-in employee, the organisation's branding, the sign-in policy that applies to them, and which factors they have (passkeys, security keys, password, TOTP).",
        tags,
        response: {
          200: portalMeAnswer,
          ...errors,
        },
      },
    },
    async (request) => {
      const { employee } = me(request);
      const [settings, factors] = await Promise.all([services.settings.getResponse(), services.employeeFactors.status(employee.id)]);
      return { employee: toEmployeeSummary(employee), branding: toBrandingDto(settings), policy: toPolicyDto(settings), ...factors };
    },
  );

  app.get(
    '/portal/credentials',
    {
      config: { access },
      schema: {
        summary: 'List my passkeys and security keys',
        description: "The signed-in employee's own credentials: name, kind, authenticator model, created and last used.",
        tags,
        response: { 200: listOf(credentialDto), ...errors },
      },
    },
    async (request) => ({
      items: (await services.credentials.list(me(request).owner)).map(toCredentialDto),
    }),
  );

  app.post(
    '/portal/credentials/options',
    {
      config: { access },
      schema: {
        summary: 'Start adding a passkey or security key',
        tags,
        body: credentialKindBody,
        response: { 200: creationOptionsAnswer, ...errors },
        description:
          'kind second_factor_key: a non-discoverable security key (U2F-era keys serve) used only after the password; needs a password and a policy that allows password + key (policy.allowSecondFactorKeys).',
      },
    },
    async (request) => {
      const { employee } = me(request);
      if (request.body.kind === 'second_factor_key') await services.employeeFactors.assertCanAddSecondFactorKey(employee);
      return optionsAnswer(
        await services.webauthn.startRegistration(
          { type: 'employee', id: employee.id, name: employee.email, displayName: `${employee.firstName} ${employee.lastName}`.trim() },
          request.body.kind,
        ),
      );
    },
  );

  app.post(
    '/portal/credentials/verify',
    {
      config: { access },
      schema: {
        summary: 'Finish adding a passkey or security key',
        description:
          'Verifies the registration and stores the credential under its name. 400 `webauthn.verification_failed` / `webauthn.challenge_expired`, 403 `webauthn.authenticator_not_allowed` when the policy refuses the model, 409 `webauthn.too_many_credentials`. Audited.',
        tags,
        body: credentialRegistrationBody,
        response: { 200: credentialDto, ...errors },
      },
    },
    async (request) => {
      const { employee, ctx } = me(request);
      const row = await services.webauthn.finishRegistration(ctx, {
        subject: { type: 'employee', id: employee.id, name: employee.email, displayName: `${employee.firstName} ${employee.lastName}`.trim() },
        ceremonyId: request.body.ceremonyId,
        response: request.body.response as RegistrationResponseJSON,
        name: request.body.name,
      });
      return toCredentialDto(row);
    },
  );

  app.patch(
    '/portal/credentials/:id',
    {
      config: { access },
      schema: {
        summary: 'Rename one of my credentials',
        description:
          'Changes the name the employee gave a passkey or security key. 404 `webauthn.credential_not_found` for a credential that is not theirs. Audited.',
        tags,
        params: idParams,
        body: credentialRenameBody,
        response: { 200: credentialDto, ...errors },
      },
    },
    async (request) => {
      const { ctx, owner } = me(request);
      return toCredentialDto(await services.credentials.rename(ctx, owner, request.params.id, request.body.name));
    },
  );

  app.delete(
    '/portal/credentials/:id',
    {
      config: { access },
      schema: {
        summary: 'Remove one of my credentials',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
        description: '409 portal.last_method when it is the only way left to sign in.',
      },
    },
    async (request, reply) => {
      const { employee, ctx } = me(request);
      await services.employeeFactors.removeOwnCredential(ctx, employee, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/portal/totp/options',
    {
      config: { access },
      schema: {
        summary: 'Start setting up my authenticator app',
        description:
          'A new pending TOTP secret with its `otpauth://` URI and QR code; confirm with `/api/portal/totp/confirm`. 403 `signin.method_not_allowed` when the policy allows no TOTP.',
        tags,
        response: { 200: totpSetupAnswer, ...errors },
      },
    },
    async (request) => services.employeeFactors.beginTotp(me(request).employee),
  );

  app.post(
    '/portal/totp/confirm',
    {
      config: { access, rateLimit },
      schema: {
        summary: 'Confirm my authenticator app',
        description: 'Turns on the pending TOTP secret after checking a code from the app. 401 `signin.invalid_totp`, 409 `portal.totp_not_pending`. Audited.',
        tags,
        body: totpCodeBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { employee, ctx } = me(request);
      await services.employeeFactors.confirmTotp(ctx, employee, request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/portal/password',
    {
      config: { access, rateLimit },
      schema: {
        summary: 'Change my password',
        description:
          "Changes the signed-in employee's password after checking the current one; the same lockout as at sign-in applies. 403 `signin.method_not_allowed` when they have no password or the policy allows none, 401 `signin.invalid_credentials`, 400 `signin.password_too_weak`. Their other sessions end. Audited.",
        tags,
        body: passwordChangeBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { employee, session, ctx } = me(request);
      await services.credentialLimiter.guard(request, reply, () => services.employeeFactors.changePassword(ctx, employee, session.id, request.body));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/portal/sign-ins',
    {
      config: { access },
      schema: {
        summary: 'List my recent sign-ins',
        description: "The employee's latest sign-ins from the audit log: when, how (method), outcome and address, so they can spot one that was not theirs.",
        tags,
        response: { 200: listOf(signInDto), ...errors },
      },
    },
    async (request) => ({
      items: await services.portal.recentSignIns(me(request).employee.id),
    }),
  );

  app.get(
    '/portal/applications',
    {
      config: { access },
      schema: {
        summary: 'List my applications',
        description: "The SSO applications the employee may use (by assignment), with their sign-in links and icons, for the portal's *My applications*.",
        tags,
        response: { 200: listOf(applicationDto), ...errors },
      },
    },
    async (request) => ({
      items: await services.portal.applications(me(request).employee.id),
    }),
  );
}
