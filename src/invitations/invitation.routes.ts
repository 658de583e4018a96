import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { invitationBatchBody, invitationDto } from './invitation.schemas.js';
import type { InvitationService } from './invitation.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type InvitationRoutesDeps = { invitations: InvitationService };

/** Admin: invitations by e-mail (console, or an API key of scope write). The link is only ever in the mail. */
export async function invitationRoutes(app: App, services: InvitationRoutesDeps) {
  const tags = ['Invitations'];

  app.get(
    '/employees/:id/invitations',
    {
      config: { access: 'read' },
      schema: {
        summary: "List an employee's invitations",
        description:
          'Every invitation sent to the employee with its state (open, used, expired, revoked), when it was sent and when it expires. The link itself is only ever in the e-mail. 404 `employees.not_found`.',
        tags,
        params: idParams,
        response: { 200: listOf(invitationDto), ...errors },
      },
    },
    async (request) => ({ items: await services.invitations.listForEmployee(request.params.id) }),
  );

  app.post(
    '/employees/:id/invitations',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Invite an employee',
        tags,
        params: idParams,
        response: { 201: invitationDto, ...errors },
        description:
          'Sends the employee a new invitation e-mail; older open invitations stop working. 409 invitations.employee_inactive for a disabled or deactivated employee.',
      },
    },
    async (request, reply) => reply.code(201).send((await services.invitations.create(request.ctx, request.params.id)).invitation),
  );

  app.post(
    '/invitations',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Invite several employees',
        tags,
        body: invitationBatchBody,
        response: { 200: listOf(invitationDto), ...errors },
        description: 'Invites several employees: all of them, or none (the error names the employee that cannot be invited).',
      },
    },
    async (request) => ({ items: await services.invitations.createMany(request.ctx, request.body.employeeIds) }),
  );

  app.delete(
    '/invitations/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Revoke an invitation',
        description: 'The link in the e-mail stops working at once (the employee then sees `invitations.revoked`). 404 `invitations.not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await services.invitations.revoke(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
