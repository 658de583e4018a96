import { z } from 'zod';
import type { App } from '../../http/types.js';
import { errors, idParams, listOf } from '../../http/schemas.js';
import { clientCreate, clientDto, clientPatch, clientWithSecret, emptyBody, providerInfoAnswer, signingKeyDto } from './oidc-client.schemas.js';
import type { Config } from '../../config/config.js';
import type { OidcService } from './oidc.service.js';
import type { ApplicationIconService } from '../../applications/application-icon.service.js';
import type { ApplicationAccessService } from '../../applications/application-access.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcClientRoutesDeps = {
  config: Config;
  oidc: OidcService;
  applicationIcons: Pick<ApplicationIconService, 'forget'>;
  applicationAccess: Pick<ApplicationAccessService, 'forget'>;
};

/**
 * Admin API of the OIDC client registry: reads with scope read, changes with scope admin (a client
 * is a credential: whoever registers one can sign employees in to it). Secrets are answered once,
 * on creation and rotation; afterwards only `{"set": true}`.
 */
export async function oidcClientRoutes(app: App, services: OidcClientRoutesDeps) {
  const tags = ['OIDC clients'];
  const { clients } = services.oidc;

  app.get(
    '/oidc/clients',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List OIDC clients',
        description:
          'Every registered OpenID Connect application (web apps and Entra EAM applications) with its client id, redirect URIs, grant types, authentication method and whether it is managed by the configuration file. Secrets show only as `{"set": true}`.',
        tags,
        response: { 200: listOf(clientDto), ...errors },
      },
    },
    async () => ({
      items: await clients.list(),
    }),
  );

  app.get(
    '/oidc/clients/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get an OIDC client',
        description: 'One OIDC client with everything it is registered with. 404 `oidc.client_not_found`.',
        tags,
        params: idParams,
        response: { 200: clientDto, ...errors },
      },
    },
    async (request) => clients.get(request.params.id),
  );

  app.post(
    '/oidc/clients',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Register an OIDC client',
        tags,
        description:
          'Registers a relying party (or an Entra ID EAM application, kind "eam"). A secret is generated for client_secret_* methods and answered only here.',
        body: clientCreate,
        response: { 201: clientWithSecret, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await clients.create(request.ctx, request.body, { source: request.auth?.kind === 'api_key' ? 'api' : 'console' })),
  );

  app.patch(
    '/oidc/clients/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Update an OIDC client',
        description:
          "Changes any subset of the client's fields (name, redirect URIs, grant types, authentication method, claims, EAM tenant). 400 `oidc.client_invalid` for a combination that cannot work (for example authorization_code without a redirect URI), 409 `oidc.client_id_in_use`, 409 `oidc.client_managed_by_config` for a client from the configuration file, 404 `oidc.client_not_found`. Audited.",
        tags,
        params: idParams,
        body: clientPatch,
        response: { 200: clientWithSecret, ...errors },
      },
    },
    async (request) => clients.update(request.ctx, request.params.id, request.body),
  );

  app.post(
    '/oidc/clients/:id/secret',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Rotate an OIDC client secret',
        tags,
        description: 'Replaces the client secret; the old one stops working at once. The new one is answered only here.',
        params: idParams,
        body: emptyBody,
        response: { 200: clientWithSecret, ...errors },
      },
    },
    async (request) => clients.rotateSecret(request.ctx, request.params.id),
  );

  app.delete(
    '/oidc/clients/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Delete an OIDC client',
        description:
          'Deletes the client with its icon and access assignments; its tokens stop working. 409 `oidc.client_managed_by_config` for a client from the configuration file (remove it there), 404 `oidc.client_not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await clients.remove(request.ctx, request.params.id);
      // Its icon and its assignments go with it: the id is never reused, but no row should outlive its application.
      await services.applicationIcons.forget(request.params.id);
      await services.applicationAccess.forget(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/oidc/signing-keys',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List OIDC signing keys',
        tags,
        description: 'Signing keys of the provider (public facts only): the current ones and those kept for verification.',
        response: { 200: listOf(signingKeyDto), ...errors },
      },
    },
    async () => ({ items: await services.oidc.keys.list() }),
  );

  app.get(
    '/oidc/info',
    {
      config: { access: 'read' },
      schema: {
        summary: "Get the OIDC provider's endpoints",
        description:
          "The issuer, the discovery URL and each endpoint (authorization, token, userinfo, JWKS, end session, ...) to give an application's administrator.",
        tags,
        response: { 200: providerInfoAnswer, ...errors },
      },
    },
    async () => {
      const issuer = `${services.config.publicUrl}/oidc`;
      return {
        issuer,
        discoveryUrl: `${issuer}/.well-known/openid-configuration`,
        // oidc-provider's default routes (oidc.provider.ts sets none); a test pins them to discovery.
        endpoints: {
          authorization: `${issuer}/auth`,
          token: `${issuer}/token`,
          userinfo: `${issuer}/me`,
          jwks: `${issuer}/jwks`,
          endSession: `${issuer}/session/end`,
        },
        eamRedirectUri: 'https://login.microsoftonline.com/common/federation/externalauthprovider',
      };
    },
  );
}
