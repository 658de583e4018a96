import type { App } from '../http/types.js';
import { AppError } from '../lib/errors.js';
import { errors, noContent } from '../http/schemas.js';
import { MAX_LOGO_BYTES } from './branding.service.js';
import { brandingAnswer, logoBody } from './branding.schemas.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { BrandingService } from './branding.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type BrandingRoutesDeps = { branding: BrandingService; settings: SettingsService };

export async function brandingRoutes(app: App, services: BrandingRoutesDeps) {
  // Public: the sign-in pages and e-mails show them before anyone is signed in.
  app.get(
    '/branding',
    {
      config: { access: 'public' },
      schema: {
        summary: "Get the sign-in pages' branding",
        description:
          "The organisation's name, colour and whether it has a logo, and whether password sign-in is offered: what the sign-in and enrolment pages need before anyone signs in.",
        tags: ['Branding'],
        security: [],
        response: { 200: brandingAnswer },
      },
    },
    async () => {
      const { authenticators } = await services.settings.get();
      return { ...(await services.branding.get()), allowPasswordSignIn: authenticators.allowPasswordSignIn, allowPlatform: authenticators.allowPlatform };
    },
  );

  app.get(
    '/branding/logo',
    {
      config: { access: 'public' },
      schema: {
        summary: "Get the organisation's logo",
        tags: ['Branding'],
        security: [],
        description: "The organisation's logo (PNG, JPEG or WebP, with its content type); 404 `request.not_found` when none is set.",
      },
    },
    async (_request, reply) => {
      const logo = await services.branding.getLogo();
      if (!logo) throw new AppError('request.not_found', 'No logo is set');
      return reply.type(logo.contentType).header('Cache-Control', 'public, max-age=300').header('X-Content-Type-Options', 'nosniff').send(logo.data);
    },
  );

  app.put(
    '/settings/logo',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Set the organisation's logo",
        tags: ['Settings'],
        description: `Sets the logo: PNG, JPEG or WebP, at most ${MAX_LOGO_BYTES / 1024} KB once decoded, whose bytes match the content type (400 \`settings.logo_invalid\`).`,
        body: logoBody,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await services.branding.setLogo(request.ctx, request.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/settings/logo',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Remove the organisation's logo",
        description: "The sign-in pages and e-mails show the organisation's name without a logo again. Audited.",
        tags: ['Settings'],
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await services.branding.removeLogo(request.ctx);
      return reply.code(204).send(null);
    },
  );
}
