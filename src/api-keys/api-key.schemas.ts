import { z } from 'zod';

export const apiKeyScopes = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** An API key as the API answers it: never its secret. */
export const apiKeyDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  scope: z.enum(apiKeyScopes),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdBy: z.string().nullable(),
});
export type ApiKeyDto = z.infer<typeof apiKeyDto>;

export const createApiKeyBody = z
  .object({ name: z.string().trim().min(1).max(120), scope: z.enum(apiKeyScopes), expiresAt: z.iso.datetime({ offset: true }).nullable().optional() })
  .strict();

/** The answer to a creation: the key, and its secret this once. */
export const createdApiKey = z.object({ apiKey: apiKeyDto, secret: z.string() });
