import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import {
  credentialDto,
  credentialKindBody,
  credentialRegistrationBody,
  passkeyVerifyBody,
  creationOptionsAnswer,
  optionsAnswer,
  requestOptionsAnswer,
  toCredentialDto,
} from '../authn/authn.schemas.js';
import type { App } from '../http/types.js';
import { requireAdmin } from '../http/auth.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { signInAnswer, toAdminDto } from './admin.schemas.js';
import { startAdminSession, type AdminSessionDeps } from './admin-session.js';
import type { AdminPasskeyService } from './admin-passkey.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type PasskeyRoutesDeps = { adminPasskeys: AdminPasskeyService } & AdminSessionDeps;

/** Console sign-in with a passkey, and the admin's own passkeys in the profile (docs/sign-in-api.md "Admin passkeys"). */
export async function adminPasskeyRoutes(app: App, services: PasskeyRoutesDeps, opts: { signInRateLimit: number }) {
  const rateLimit = { max: opts.signInRateLimit, timeWindow: '1 minute' };
  const tags = ['Console sign-in'];

  app.post(
    '/auth/passkey/options',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Start console sign-in with a passkey',
        tags,
        response: { 200: requestOptionsAnswer, ...errors },
        description: "Username-less: the authenticator offers the admin's discoverable credentials. User verification is required.",
      },
    },
    async () => optionsAnswer(await services.adminPasskeys.signInOptions()),
  );

  app.post(
    '/auth/passkey/verify',
    {
      config: { access: 'public', rateLimit },
      schema: {
        summary: 'Finish console sign-in with a passkey',
        description:
          "Verifies the authenticator's assertion for the ceremony that `/api/auth/passkey/options` started and signs the admin in with a full session (a passkey with user verification is both factors). 400 `webauthn.challenge_expired` / `webauthn.challenge_invalid` for a stale or reused ceremony, 401 `webauthn.credential_unknown` for a key that is no admin's, 401 `webauthn.sign_count_regressed` for a cloned key. Rate-limited; audited.",
        tags,
        body: passkeyVerifyBody,
        response: { 200: signInAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const admin = await services.adminPasskeys.signIn(request.ctx, request.body.ceremonyId, request.body.response as AuthenticationResponseJSON);
      await startAdminSession(services, request, reply, admin, 'full');
      return { status: 'ok' as const, admin: toAdminDto(admin) };
    },
  );

  app.get(
    '/auth/passkeys',
    {
      config: { access: 'session' },
      schema: {
        summary: 'List my passkeys',
        description: "The signed-in admin's own passkeys and security keys for console sign-in: name, kind, authenticator model, created and last used.",
        tags,
        response: { 200: listOf(credentialDto), ...errors },
      },
    },
    async (request) => ({
      items: (await services.adminPasskeys.list(requireAdmin(request).admin)).map(toCredentialDto),
    }),
  );

  app.post(
    '/auth/passkeys/options',
    {
      config: { access: 'session' },
      schema: {
        summary: 'Start adding a passkey to my account',
        description:
          "Creation options for a new console passkey (`kind`: passkey on this device, or security key). Pass them to `navigator.credentials.create()` and the result to `/api/auth/passkeys/verify`. The admin's existing credentials are excluded.",
        tags,
        body: credentialKindBody,
        response: { 200: creationOptionsAnswer, ...errors },
      },
    },
    async (request) => optionsAnswer(await services.adminPasskeys.registrationOptions(requireAdmin(request).admin, request.body.kind)),
  );

  app.post(
    '/auth/passkeys/verify',
    {
      config: { access: 'session' },
      schema: {
        summary: 'Finish adding a passkey to my account',
        description:
          'Verifies the registration and stores the credential under the given name. 400 `webauthn.verification_failed` or `webauthn.challenge_expired`, 403 `webauthn.authenticator_not_allowed` when the policy refuses the model, 409 `webauthn.too_many_credentials`. Audited.',
        tags,
        body: credentialRegistrationBody,
        response: { 200: credentialDto, ...errors },
      },
    },
    async (request) => {
      const { admin } = requireAdmin(request);
      const row = await services.adminPasskeys.register(request.ctx, admin, {
        ceremonyId: request.body.ceremonyId,
        response: request.body.response as RegistrationResponseJSON,
        name: request.body.name,
      });
      return toCredentialDto(row);
    },
  );

  app.delete(
    '/auth/passkeys/:id',
    {
      config: { access: 'session' },
      schema: {
        summary: 'Remove one of my passkeys',
        description:
          "Deletes one of the signed-in admin's console passkeys (404 `webauthn.credential_not_found` for another's). The password still signs in. Audited.",
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await services.adminPasskeys.remove(request.ctx, requireAdmin(request).admin, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
