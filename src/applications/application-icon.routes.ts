import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireEmployee } from '../authn/employee-session.js';
import type { App } from '../http/types.js';
import { errors, idParams } from '../http/schemas.js';
import { AppError } from '../lib/errors.js';
import type { OidcService } from '../sso/oidc/oidc.service.js';
import type { ServiceProviderService } from '../sso/saml/sp.service.js';
import type { PortalService } from '../portal/portal.service.js';
import { iconBody } from './application-icon.schemas.js';
import { type ApplicationIconService, type IconOwner, type IconProtocol, MAX_ICON_BYTES } from './application-icon.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type ApplicationIconRoutesDeps = {
  applicationIcons: ApplicationIconService;
  oidc: OidcService;
  portal: PortalService;
  serviceProviders: ServiceProviderService;
};

/**
 * Icons of SSO applications: the console sets and removes them on each application (scope admin:
 * they are part of the registration), reads them to preview (scope read); the portal serves an
 * employee the icons of the applications it lists them, and no other.
 */
export async function applicationIconRoutes(app: App, services: ApplicationIconRoutesDeps) {
  const icons = services.applicationIcons;
  // Each protocol's registry answers 404 in its own words for an application it does not have.
  const owners: Record<IconProtocol, { base: string; tag: string; noun: string; find: (id: string) => Promise<IconOwner> }> = {
    oidc: {
      base: '/oidc/clients',
      tag: 'OIDC clients',
      noun: 'an OIDC client',
      find: async (id) => ({ protocol: 'oidc', id, name: (await services.oidc.clients.get(id)).name }),
    },
    saml: {
      base: '/saml/service-providers',
      tag: 'SAML',
      noun: 'a SAML service provider',
      find: async (id) => ({ protocol: 'saml', id, name: (await services.serviceProviders.get('saml', id)).name }),
    },
    wsfed: {
      base: '/wsfed/relying-parties',
      tag: 'WS-Federation',
      noun: 'a WS-Fed relying party',
      find: async (id) => ({ protocol: 'wsfed', id, name: (await services.serviceProviders.get('wsfed', id)).name }),
    },
  };

  const sendIcon = async (reply: FastifyReply, applicationId: string, cache: string) => {
    const icon = await icons.get(applicationId);
    if (!icon) throw new AppError('request.not_found', 'This application has no icon');
    return reply.type(icon.contentType).header('Cache-Control', cache).header('X-Content-Type-Options', 'nosniff').send(icon.data);
  };

  for (const { base, tag, noun, find } of Object.values(owners)) {
    const tags = [tag];
    app.get(
      `${base}/:id/icon`,
      {
        config: { access: 'read' },
        schema: {
          tags,
          params: idParams,
          summary: `Get the icon of ${noun}`,
          description: `The icon of ${noun} (PNG, JPEG or WebP, with its content type); 404 \`request.not_found\` when none is set or the application does not exist.`,
        },
      },
      async (request, reply) => {
        await find(request.params.id);
        return sendIcon(reply, request.params.id, 'private, no-cache');
      },
    );
    app.put(
      `${base}/:id/icon`,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          params: idParams,
          summary: `Set the icon of ${noun}`,
          description: `Sets the icon the portal shows for ${noun}: PNG, JPEG or WebP, at most ${MAX_ICON_BYTES / 1024} KB once decoded, whose bytes match the content type (400 \`applications.icon_invalid\`). Audited.`,
          body: iconBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await icons.set(request.ctx, await find(request.params.id), request.body);
        return reply.code(204).send(null);
      },
    );
    app.delete(
      `${base}/:id/icon`,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          params: idParams,
          response: { 204: z.null(), ...errors },
          summary: `Remove the icon of ${noun}`,
          description: `Removes the icon the portal shows for ${noun}. Audited.`,
        },
      },
      async (request, reply) => {
        await icons.remove(request.ctx, await find(request.params.id));
        return reply.code(204).send(null);
      },
    );
  }

  app.get(
    '/portal/applications/:id/icon',
    {
      config: { access: 'employee' },
      schema: {
        tags: ['User portal'],
        params: idParams,
        summary: 'Get the icon of one of my applications',
        description: 'The icon of an application the portal lists the employee; 404 for any other.',
      },
    },
    async (request, reply) => {
      const { employee } = requireEmployee(request);
      const listed = await services.portal.applications(employee.id);
      // Only what the employee may open: an icon would otherwise confirm that an application exists.
      if (!listed.some((a) => a.id === request.params.id)) throw new AppError('request.not_found', 'No such application in your portal');
      return sendIcon(reply, request.params.id, 'private, max-age=300');
    },
  );
}
