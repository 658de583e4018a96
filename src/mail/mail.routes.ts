import { z } from 'zod';
import type { App } from '../http/types.js';
import { errorBody, errors, idParams, noContent, paged } from '../http/schemas.js';
import { mailDto, mailStatuses } from './mail.service.js';
import type { MailService } from './mail.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type MailRoutesDeps = { mail: MailService };

export async function mailRoutes(app: App, services: MailRoutesDeps) {
  app.post(
    '/settings/smtp/test',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['Settings'],
        description:
          "Sends a test e-mail at once with the saved SMTP settings. 409 `mail.not_configured` without a host or a from address; 502 `mail.send_failed` with the SMTP server's answer.",
        body: z.object({ to: z.string().trim().email().max(254) }).strict(),
        response: { 204: noContent, ...errors, 502: errorBody },
      },
    },
    async (request, reply) => {
      await services.mail.sendTest(request.ctx, request.body.to);
      return reply.code(204).send(null);
    },
  );

  const tags = ['Mail'];
  app.get(
    '/mail',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        description: 'Outgoing mail, newest first: pending (waiting for its next attempt), sent, or failed after every retry.',
        querystring: z
          .object({
            status: z.enum(mailStatuses).optional(),
            page: z.coerce.number().int().min(1).max(1_000_000).default(1),
            pageSize: z.coerce.number().int().min(1).max(200).default(20),
          })
          .strict(),
        response: { 200: paged(mailDto), ...errors },
      },
    },
    async (request) => services.mail.list(request.query),
  );

  app.post(
    '/mail/:id/retry',
    {
      config: { access: 'admin' },
      schema: { tags, description: 'Sends a failed mail again, with a fresh set of attempts.', params: idParams, response: { 204: noContent, ...errors } },
    },
    async (request, reply) => {
      await services.mail.retry(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
