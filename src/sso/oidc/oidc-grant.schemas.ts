import { z } from 'zod';

/** What an employee has granted to one OIDC application. */
export const grantDto = z.object({ grantId: z.string(), clientId: z.string(), createdAt: z.string(), expiresAt: z.string().nullable() });
export const grantParams = z.object({ grantId: z.string().regex(/^[A-Za-z0-9_-]{10,128}$/, 'an oidc-provider grant id') }).strict();
