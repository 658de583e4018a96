import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { adminDto, newAdminBody } from './admin.schemas.js';
import type { AdminService } from './admin.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type AdminRoutesDeps = { admins: AdminService };

export async function adminRoutes(app: App, services: AdminRoutesDeps) {
  const tags = ['Admins'];
  app.get(
    '/admins',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List admins',
        description: 'Every administrator of the console, with whether they have an authenticator app and when they last signed in.',
        tags,
        response: { 200: listOf(adminDto), ...errors },
      },
    },
    async () => ({
      items: await services.admins.list(),
    }),
  );

  app.post(
    '/admins',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Add an admin',
        description:
          'Creates an administrator with an e-mail, a name and an initial password they should change. 409 `admins.email_in_use`, 400 `admins.password_too_weak`. Audited.',
        tags,
        body: newAdminBody,
        response: { 201: adminDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await services.admins.create(request.ctx, request.body)),
  );

  app.delete(
    '/admins/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Remove an admin',
        description:
          'Deletes an administrator and ends their sessions. Refused with 409 `admins.cannot_delete_self` for yourself and 409 `admins.last_admin` for the last one; 404 `admins.not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await services.admins.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/admins/:id/reset-totp',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Reset an admin's authenticator app",
        description:
          "For a lost phone: removes another admin's TOTP secret and recovery codes and ends their sessions; they sign in with the password and, when the policy requires it, set up a new app. 404 `admins.not_found`. Audited.",
        tags,
        params: idParams,
        response: { 200: adminDto, ...errors },
      },
    },
    async (request) => services.admins.resetTotp(request.ctx, request.params.id),
  );
}
