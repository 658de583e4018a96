import { z } from 'zod';
import { errors } from '../http/schemas.js';
import type { App } from '../http/types.js';
import { LOST_KEY_REPORTS_PER_HOUR, type LostKeyService } from './lost-key.service.js';
import type {} from './portal.codes.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type LostKeyRoutesDeps = { lostKey: LostKeyService };

const lostKeyBody = z.object({ email: z.string().trim().email().max(254) }).strict();
const lostKeyAnswer = z.object({ status: z.enum(['received']) });

/** `POST /api/signin/lost-key`: the sign-in page's "Lost your key?" report (lost-key.service.ts). */
export async function lostKeyRoutes(app: App, services: LostKeyRoutesDeps) {
  app.post(
    '/signin/lost-key',
    {
      // Per IP, like every anonymous action; tighter than sign-in, since each report mails every
      // admin. Counted after validation (preHandler): a malformed request gets its 400 and spends
      // nothing, a well-formed one spends the budget whether its address is known or not.
      config: { access: 'public', rateLimit: { max: LOST_KEY_REPORTS_PER_HOUR, timeWindow: '1 hour', hook: 'preHandler' } },
      schema: {
        tags: ['Employee sign-in'],
        summary: 'Report a lost security key or passkey device',
        body: lostKeyBody,
        response: { 202: lostKeyAnswer, ...errors },
        description: `Tells the administrators (by mail, and in the audit log as \`employee.key_lost_reported\`) that the employee with this e-mail address lost a key. Always 202 with the same body, whether the address is an employee's or not; nothing is suspended (an admin acts). ${LOST_KEY_REPORTS_PER_HOUR} reports an hour per IP (IPv6: per /64), then 429 \`rate_limit.exceeded\`. The admins are mailed about one employee at most once an hour; later reports are only audited.`,
      },
    },
    async (request, reply) => {
      await services.lostKey.report(request.ctx, request.body.email);
      return reply.code(202).send({ status: 'received' as const });
    },
  );
}
