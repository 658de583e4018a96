import type { App } from '../http/types.js';
import { errors } from '../http/schemas.js';
import { settingsPatch, settingsResponse } from './settings.schemas.js';
import type { SettingsService } from './settings.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SettingsRoutesDeps = { settings: SettingsService };

export async function settingsRoutes(app: App, services: SettingsRoutesDeps) {
  const tags = ['Settings'];
  app.get(
    '/settings',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Get server settings',
        description:
          'The server-wide settings: organisation name and branding, sign-in policy (allowed authenticators, user verification, attestation, AAGUID allow-list, passwords and second factors), admin TOTP requirement, session idle and absolute lengths, lockout, invitation validity and SMTP. Secrets show only as `{"set": true|false}`.',
        tags,
        response: { 200: settingsResponse, ...errors },
      },
    },
    async () => services.settings.getResponse(),
  );
  app.patch(
    '/settings',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Update server settings',
        tags,
        body: settingsPatch,
        response: { 200: settingsResponse, ...errors },
        description: 'Partial update. Secret fields are write-only: a string sets them, null clears them; answers show only `{"set": true|false}`.',
      },
    },
    async (request) => services.settings.update(request.ctx, request.body),
  );
}
