import { z } from 'zod';

/** Shared route schemas. */
export const idParams = z.object({ id: z.string().uuid() }).strict();
export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
export const noContent = z.null().describe('No content');

export const paged = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export const listOf = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item) });

/** The standard error answers every API route can give, for the OpenAPI document. */
export const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
