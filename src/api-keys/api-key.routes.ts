import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { apiKeyDto, createApiKeyBody, createdApiKey } from './api-key.schemas.js';
import type { ApiKeyService } from './api-key.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type ApiKeyRoutesDeps = { apiKeys: ApiKeyService };

export async function apiKeyRoutes(app: App, services: ApiKeyRoutesDeps) {
  const tags = ['API keys'];
  app.get(
    '/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List API keys',
        description:
          'Every key with its name, scope, the first characters of its secret (to recognise it), who created it, when it was last used, and its expiry or revocation. Never the secret.',
        tags,
        response: { 200: listOf(apiKeyDto), ...errors },
      },
    },
    async () => ({
      items: await services.apiKeys.list(),
    }),
  );

  app.post(
    '/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create an API key',
        tags,
        description: 'Creates a key. The secret is in this answer only: it is stored as a hash and cannot be shown again.',
        body: createApiKeyBody,
        response: { 201: createdApiKey, ...errors },
      },
    },
    async (request, reply) => {
      const { name, scope, expiresAt } = request.body;
      return reply.code(201).send(await services.apiKeys.create(request.ctx, { name, scope, expiresAt: expiresAt ? new Date(expiresAt) : null }));
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Revoke an API key',
        description: 'The key stops working at once; it stays listed as revoked. 404 `api_keys.not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await services.apiKeys.revoke(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
