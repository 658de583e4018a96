import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import {
  credentialType,
  credentialKindBody,
  credentialRegistrationBody,
  creationOptionsAnswer,
  optionsAnswer,
  toBrandingDto,
  toCredentialDto,
  toPolicyDto,
  totpSetupAnswer,
} from '../authn/authn.schemas.js';
import { signedInWith, startEmployeeSession } from '../authn/employee-session.js';
import type { App } from '../http/types.js';
import { errors } from '../http/schemas.js';
import {
  enrolCredentialAnswer,
  enrolDoneAnswer,
  enrolmentDto,
  enrolPasswordBody,
  enrolStepParams,
  enrolTokenParams,
  keyActivationBody,
  keyActivationOptionsAnswer,
  keyActivationVerifyBody,
} from './invitation.schemas.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { EnrolmentService } from './enrolment.service.js';
import type { EmployeeSessionDeps } from '../authn/employee-session.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type EnrollRoutesDeps = { enrolment: EnrolmentService; settings: SettingsService } & EmployeeSessionDeps;

const linkErrors = { ...errors, 410: errors[404] };

/** The enrolment page's API (docs/sign-in-api.md "Invitations and enrolment"), authorised by the link's token. */
export async function enrollRoutes(app: App, services: EnrollRoutesDeps, opts: { signInRateLimit: number }) {
  const tags = ['Enrolment'];
  const config = { access: 'public' as const, rateLimit: { max: opts.signInRateLimit, timeWindow: '1 minute' } };

  app.get(
    '/enroll/:token',
    {
      config,
      schema: {
        summary: 'Open an invitation',
        tags,
        params: enrolTokenParams,
        response: { 200: enrolmentDto, ...linkErrors },
        description: '404 invitations.not_found; 410 invitations.used / expired / revoked; 409 invitations.employee_inactive.',
      },
    },
    async (request) => {
      const { invitation, employee } = await services.enrolment.open(request.params.token);
      const settings = await services.settings.getResponse();
      return {
        employee: { firstName: employee.firstName, lastName: employee.lastName, email: employee.email },
        branding: toBrandingDto(settings),
        policy: toPolicyDto(settings),
        expiresAt: invitation.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/enroll/:token/webauthn/options',
    {
      config,
      schema: {
        summary: 'Start enrolling a passkey from an invitation',
        description:
          "Creation options for the invited employee's first passkey or security key (`kind`), following the sign-in policy (user verification, allowed attachment, AAGUID list). Same invitation errors as `GET /api/enroll/{token}`.",
        tags,
        params: enrolStepParams,
        body: credentialKindBody,
        response: { 200: creationOptionsAnswer, ...linkErrors },
      },
    },
    async (request) => optionsAnswer(await services.enrolment.webauthnOptions(request.params.token, request.body.kind)),
  );

  app.post(
    '/enroll/:token/webauthn/verify',
    {
      config,
      schema: {
        summary: 'Finish enrolling a passkey from an invitation',
        tags,
        params: enrolStepParams,
        body: credentialRegistrationBody,
        response: { 200: enrolCredentialAnswer, ...linkErrors },
        description: 'Registers the credential, uses the invitation up and signs the employee in (sets the employee session cookie).',
      },
    },
    async (request, reply) => {
      const { employee, credential } = await services.enrolment.webauthnVerify(request.ctx, request.params.token, {
        ceremonyId: request.body.ceremonyId,
        response: request.body.response as RegistrationResponseJSON,
        name: request.body.name,
      });
      await startEmployeeSession(request, reply, services, employee, 'full', signedInWith(services, credentialType(credential)));
      return { credential: toCredentialDto(credential) };
    },
  );

  app.post(
    '/enroll/:token/totp/options',
    {
      config,
      schema: {
        summary: 'Start authenticator setup from an invitation',
        description:
          'A new TOTP secret with its `otpauth://` URI and QR code, for enrolling password + TOTP where the policy allows passwords. 403 `signin.method_not_allowed` otherwise; same invitation errors as `GET /api/enroll/{token}`.',
        tags,
        params: enrolStepParams,
        response: { 200: totpSetupAnswer, ...linkErrors },
      },
    },
    async (request) => services.enrolment.totpOptions(request.params.token),
  );

  app.post(
    '/enroll/:token/password',
    {
      config,
      schema: {
        summary: 'Enrol with a password and authenticator code',
        tags,
        params: enrolStepParams,
        body: enrolPasswordBody,
        response: { 200: enrolDoneAnswer, ...linkErrors },
        description: 'Sets password and TOTP together (only when policy allows passwords with TOTP), uses the invitation up and signs the employee in.',
      },
    },
    async (request, reply) => {
      const employee = await services.enrolment.setPassword(request.ctx, request.params.token, request.body);
      await startEmployeeSession(request, reply, services, employee, 'full', signedInWith(services, 'password+totp'));
      return { status: 'ok' as const };
    },
  );

  app.post(
    '/enroll/activation/options',
    {
      config,
      schema: {
        summary: 'Start activating a hardware key',
        tags,
        body: keyActivationBody,
        response: { 200: keyActivationOptionsAnswer, ...errors },
        description:
          "Starts enrolling a reserved hardware key with its activation code. The options follow the key's access profile: user verification `required` when the profile requires it, the `minPinLength` extension when it sets a minimum. 401 hardware_keys.activation_invalid for a wrong, used or expired code or an unknown address (5 failures lock the key).",
      },
    },
    async (request) => {
      const r = await services.enrolment.keyOptions(request.ctx, request.body.email, request.body.code);
      return { ...optionsAnswer(r), key: r.key };
    },
  );

  app.post(
    '/enroll/activation/verify',
    {
      config,
      schema: {
        summary: 'Finish activating a hardware key',
        tags,
        body: keyActivationVerifyBody,
        response: { 200: enrolCredentialAnswer, ...errors },
        description:
          "Registers the key's credential, binds it to the key (now Active) and signs the employee in. 403 hardware_keys.model_mismatch when the AAGUID is not the reserved model's; by the key's access profile, 403 access_profiles.user_verification_required without the UV flag, access_profiles.aaguid_not_allowed for a model it does not allow, access_profiles.pin_too_short when the key reports a shorter minimum PIN length (a key that does not report it is activated, recorded as not verifiable).",
      },
    },
    async (request, reply) => {
      const { employee, credential } = await services.enrolment.keyVerify(request.ctx, {
        email: request.body.email,
        code: request.body.code,
        ceremonyId: request.body.ceremonyId,
        response: request.body.response as RegistrationResponseJSON,
        name: request.body.name,
      });
      await startEmployeeSession(request, reply, services, employee, 'full', signedInWith(services, credentialType(credential)));
      return { credential: toCredentialDto(credential) };
    },
  );
}
