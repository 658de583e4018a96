import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import type { OidcService } from '../sso/oidc/oidc.service.js';
import type { ServiceProviderService } from '../sso/saml/sp.service.js';
import { accessBody, accessDto, accessTargetDto, targetsQuery } from './application-access.schemas.js';
import type { AccessOwner, AccessProtocol, ApplicationAccessService } from './application-access.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type ApplicationAccessRoutesDeps = {
  applicationAccess: ApplicationAccessService;
  oidc: OidcService;
  serviceProviders: ServiceProviderService;
};

/**
 * Who may use each SSO application: read with scope read, changed with scope admin (like the
 * application's registration: whoever changes it decides who signs in to it), audited.
 */
export async function applicationAccessRoutes(app: App, services: ApplicationAccessRoutesDeps) {
  const access = services.applicationAccess;
  const tags = ['Applications'];
  // Each protocol's registry answers 404 in its own words for an application it does not have.
  const find = async (protocol: AccessProtocol, id: string): Promise<AccessOwner> => ({
    protocol,
    id,
    name: protocol === 'oidc' ? (await services.oidc.clients.get(id)).name : (await services.serviceProviders.get(protocol, id)).name,
  });

  app.get(
    '/applications/access-targets',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Search groups, departments and employees to assign',
        description: 'Groups, departments and employees whose name (or e-mail) contains `q`, to assign applications to (at most 20 of each).',
        querystring: targetsQuery,
        response: { 200: listOf(accessTargetDto), ...errors },
      },
    },
    async (request) => ({ items: await access.searchTargets(request.query.q) }),
  );

  // One address per protocol (every path parameter of the API is a UUID).
  const nouns = { oidc: 'an OIDC client', saml: 'a SAML service provider', wsfed: 'a WS-Fed relying party' } as const;
  for (const protocol of ['oidc', 'saml', 'wsfed'] as const) {
    app.get(
      `/applications/${protocol}/:id/access`,
      {
        config: { access: 'read' },
        schema: {
          tags,
          summary: `Get who may use ${nouns[protocol]}`,
          description:
            'Who may use the application (by its id): everyone (the default), or the groups, departments and employees assigned. Grants whose target was deleted are left out.',
          params: idParams,
          response: { 200: accessDto, ...errors },
        },
      },
      async (request) => {
        await find(protocol, request.params.id);
        return access.get(request.params.id);
      },
    );

    app.put(
      `/applications/${protocol}/:id/access`,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: `Set who may use ${nouns[protocol]}`,
          description:
            "Sets who may use the application. Mode 'assigned' with no one listed opens it to nobody. An id that names no group, department or employee: 400 `applications.access_target_unknown` with `details.field` and `details.unknown`. Audited as application.access_changed with before and after.",
          params: idParams,
          body: accessBody,
          response: { 200: accessDto, ...errors },
        },
      },
      async (request) => access.set(request.ctx, await find(protocol, request.params.id), request.body),
    );
  }
}
