import type { App } from '../http/types.js';
import { errorBody, errors, idParams, noContent, paged } from '../http/schemas.js';
import { mailDto, mailListQuery, testMailBody } from './mail.schemas.js';
import type { MailService } from './mail.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type MailRoutesDeps = { mail: MailService };

export async function mailRoutes(app: App, services: MailRoutesDeps) {
  app.post(
    '/settings/smtp/test',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Send a test e-mail',
        tags: ['Settings'],
        description:
          "Sends a test e-mail at once with the saved SMTP settings, or with the form's unsaved ones in `smtp` (nothing is saved; a password left out is the saved one, used only with the saved host, port and user and without dropping TLS: otherwise 400 `mail.password_required` on `smtp.password`, type it again). Audited, never with the password. 409 `mail.not_configured` without a host or a from address; 502 `mail.send_failed` with the SMTP server's answer.",
        body: testMailBody,
        response: { 204: noContent, ...errors, 502: errorBody },
      },
    },
    async (request, reply) => {
      await services.mail.sendTest(request.ctx, request.body.to, request.body.smtp);
      return reply.code(204).send(null);
    },
  );

  const tags = ['Mail'];
  app.get(
    '/mail',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List outgoing mail',
        tags,
        description: 'Outgoing mail, newest first: pending (waiting for its next attempt), sent, or failed after every retry.',
        querystring: mailListQuery,
        response: { 200: paged(mailDto), ...errors },
      },
    },
    async (request) => services.mail.list(request.query),
  );

  app.post(
    '/mail/:id/retry',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Retry a failed e-mail',
        tags,
        description: 'Sends a failed mail again, with a fresh set of attempts.',
        params: idParams,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await services.mail.retry(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
