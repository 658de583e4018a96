import { z } from 'zod';
import { domainCreate } from './directory.schemas.js';

/**
 * `directory.domains` in the declarative configuration file: the same fields as the API's create
 * body (any kind), with the service-account secret given by reference ({env} or {file}).
 */
export function directoryConfigSchema<R extends z.ZodTypeAny>(secretRef: R) {
  return z
    .object({
      domains: z.array(
        z.union(domainCreate.options.map((o) => o.extend({ secret: secretRef.optional() })) as unknown as [z.ZodTypeAny, z.ZodTypeAny, ...z.ZodTypeAny[]]),
      ),
    })
    .strict();
}
