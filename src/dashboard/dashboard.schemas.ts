import { z } from 'zod';
import { auditEventDto } from '../audit/audit.schemas.js';
import { hardwareKeyStates } from '../vaults/hardware-key.states.js';

/** The console's first page: how many employees and admins, today's sign-ins, the latest events, hardware keys by state. */
export const dashboardDto = z.object({
  employees: z.object({ total: z.number().int(), active: z.number().int(), deactivated: z.number().int(), disabled: z.number().int() }),
  admins: z.number().int(),
  signInsToday: z.object({ success: z.number().int(), failure: z.number().int() }),
  recentEvents: z.array(auditEventDto),
  /** Hardware keys in each lifecycle state (hardware-key.states.ts), zero included. */
  hardwareKeys: z.object(Object.fromEntries(hardwareKeyStates.map((s) => [s, z.number().int()])) as Record<(typeof hardwareKeyStates)[number], z.ZodNumber>),
});
