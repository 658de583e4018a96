import { z } from 'zod';

/** The passive requestor's query (WS-Federation 1.2 §13.2): wa=wsignin1.0 or wsignout1.0, and the rest. */
export const wsfedQuery = z
  .object({
    wa: z.string().max(64).optional(),
    wtrealm: z.string().max(2048).optional(),
    wreply: z.string().max(2048).optional(),
    wctx: z.string().max(4096).optional(),
    whr: z.string().max(2048).optional(),
  })
  .passthrough();
/** A pending sign-in, resumed after the employee signed in. */
export const continueParams = z.object({ id: z.string().max(100) });
