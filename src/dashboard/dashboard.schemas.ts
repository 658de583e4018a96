import { z } from 'zod';
import { auditEventDto } from '../audit/audit.schemas.js';

/** The console's first page: how many employees and admins, today's sign-ins, the latest events. */
export const dashboardDto = z.object({
  employees: z.object({ total: z.number().int(), active: z.number().int(), deactivated: z.number().int(), disabled: z.number().int() }),
  admins: z.number().int(),
  signInsToday: z.object({ success: z.number().int(), failure: z.number().int() }),
  recentEvents: z.array(auditEventDto),
});
