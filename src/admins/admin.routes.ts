import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { adminDto, newAdminBody } from './admin.schemas.js';
import type { AdminService } from './admin.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type AdminRoutesDeps = { admins: AdminService };

export async function adminRoutes(app: App, services: AdminRoutesDeps) {
  const tags = ['Admins'];
  app.get('/admins', { config: { access: 'admin' }, schema: { tags, response: { 200: listOf(adminDto), ...errors } } }, async () => ({
    items: await services.admins.list(),
  }));

  app.post(
    '/admins',
    {
      config: { access: 'admin' },
      schema: { tags, body: newAdminBody, response: { 201: adminDto, ...errors } },
    },
    async (request, reply) => reply.code(201).send(await services.admins.create(request.ctx, request.body)),
  );

  app.delete(
    '/admins/:id',
    { config: { access: 'admin' }, schema: { tags, params: idParams, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await services.admins.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/admins/:id/reset-totp',
    { config: { access: 'admin' }, schema: { tags, params: idParams, response: { 200: adminDto, ...errors } } },
    async (request) => services.admins.resetTotp(request.ctx, request.params.id),
  );
}
