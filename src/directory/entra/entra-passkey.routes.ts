import { employeeContext, requireEmployee } from '../../authn/employee-session.js';
import type { App } from '../../http/types.js';
import { errors, listOf, noContent } from '../../http/schemas.js';
import {
  attestationBody,
  creationOptionsDto,
  domainParams,
  employeeParams,
  entraPasskeyDto,
  pairingDto,
  pairingsQuery,
  passkeyParams,
  refreshSummary,
} from './entra-passkey.schemas.js';
import type { EntraPasskeyService } from './entra-passkey.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type EntraPasskeyRoutesDeps = { entraPasskeys: EntraPasskeyService };

/**
 * Passkey provisioning into Entra ID. The enrolling authenticator (the `tessera entra enroll-key`
 * command, a future mobile app) calls options → authenticator → attestation with an API key of
 * scope write; see docs/entra-passkeys-api.md.
 */
export async function entraPasskeyRoutes(app: App, services: EntraPasskeyRoutesDeps) {
  const tags = ['Entra passkeys'];
  app.get(
    '/entra/:domain/pairings',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List Entra passkey pairings',
        tags,
        params: domainParams,
        querystring: pairingsQuery,
        response: { 200: listOf(pairingDto), ...errors },
        description: 'Employees of an Entra domain by pairing state, with the passkeys registered for them in Entra (name, AAGUID, model, created, last used).',
      },
    },
    async (request) => ({ items: await services.entraPasskeys.list(request.params.domain, request.query.state) }),
  );

  app.post(
    '/entra/:domain/pairings/refresh',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Refresh Entra passkey pairings',
        tags,
        params: domainParams,
        response: { 200: refreshSummary, ...errors },
        description:
          "Reads every eligible user's passkeys from Entra, flags users Entra no longer knows, updates pairing states and mirrors them into the three pairing groups (created when missing).",
      },
    },
    async (request) => services.entraPasskeys.refresh(request.ctx, request.params.domain),
  );

  app.post(
    '/entra/:domain/employees/:employee/passkeys/options',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Start provisioning an Entra passkey for an employee',
        tags,
        params: employeeParams,
        response: { 200: creationOptionsDto, ...errors },
        description:
          'WebAuthn creation options from Entra for the employee (the challenge is valid 5 minutes). Hand `publicKey` to the authenticator; the relying party is login.microsoft.com and the origin https://login.microsoft.com.',
      },
    },
    async (request) => services.entraPasskeys.beginRegistration(request.ctx, request.params.domain, request.params.employee),
  );

  app.post(
    '/entra/:domain/employees/:employee/passkeys',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Finish provisioning an Entra passkey for an employee',
        tags,
        params: employeeParams,
        body: attestationBody,
        response: { 201: entraPasskeyDto, ...errors },
        description:
          "Registers the authenticator's attestation in Entra. 400 entra.challenge_expired / entra.challenge_mismatch before Entra is asked; 400 entra.attestation_refused with Entra's reason.",
      },
    },
    async (request, reply) =>
      reply.code(201).send(await services.entraPasskeys.completeRegistration(request.ctx, request.params.domain, request.params.employee, request.body)),
  );

  // The same ceremony for the signed-in employee (portal session): an authenticator app on their
  // phone enrols for its owner only.
  const own = { tags: ['User portal'], params: domainParams };
  app.post(
    '/portal/entra/:domain/passkeys/options',
    {
      config: { access: 'employee' },
      schema: {
        summary: 'Start provisioning my Entra passkey',
        ...own,
        response: { 200: creationOptionsDto, ...errors },
        description:
          'Creation options from Entra for the signed-in employee, to provision a passkey into their Entra account from the portal. Same errors as the admin operation: 409 `entra.not_entra_domain`, `entra.passkeys_disabled`, `entra.not_eligible`; 502 `entra.graph_failed`.',
      },
    },
    async (request) => {
      const { employee } = requireEmployee(request);
      return services.entraPasskeys.beginRegistration(employeeContext(request, employee), request.params.domain, employee.id);
    },
  );
  app.post(
    '/portal/entra/:domain/passkeys',
    {
      config: { access: 'employee' },
      schema: {
        summary: 'Finish provisioning my Entra passkey',
        ...own,
        body: attestationBody,
        response: { 201: entraPasskeyDto, ...errors },
        description:
          "Registers the signed-in employee's attestation in Entra; their pairing state follows. 400 `entra.challenge_expired`, `entra.challenge_mismatch` or `entra.attestation_refused`; 502 `entra.graph_failed`. Audited.",
      },
    },
    async (request, reply) => {
      const { employee } = requireEmployee(request);
      return reply
        .code(201)
        .send(await services.entraPasskeys.completeRegistration(employeeContext(request, employee), request.params.domain, employee.id, request.body));
    },
  );

  app.delete(
    '/entra/:domain/employees/:employee/passkeys/:passkeyId',
    {
      config: { access: 'write' },
      schema: {
        summary: "Delete an employee's Entra passkey",
        tags,
        params: passkeyParams,
        response: { 204: noContent, ...errors },
        description: 'Deletes the passkey in Entra and here; the pairing state and group membership follow.',
      },
    },
    async (request, reply) => {
      await services.entraPasskeys.deletePasskey(request.ctx, request.params.domain, request.params.employee, request.params.passkeyId);
      return reply.code(204).send(null);
    },
  );
}
