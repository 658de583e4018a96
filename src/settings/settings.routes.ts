import type { App } from '../http/types.js';
import { errors } from '../http/schemas.js';
import type { Services } from '../http/services.js';
import { settingsPatch, settingsResponse } from './settings.schemas.js';

export async function settingsRoutes(app: App, services: Services) {
  const tags = ['Settings'];
  app.get('/settings', { config: { access: 'admin' }, schema: { tags, response: { 200: settingsResponse, ...errors } } },
    async () => services.settings.getResponse());
  app.patch('/settings', {
    config: { access: 'admin' },
    schema: { tags, body: settingsPatch, response: { 200: settingsResponse, ...errors }, description: 'Partial update. Secret fields are write-only: a string sets them, null clears them; answers show only `{"set": true|false}`.' },
  }, async (request) => services.settings.update(request.ctx, request.body));
}
