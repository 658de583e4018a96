import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { hardwareKeyBody, hardwareKeyDto, hardwareKeyParams } from './hardware-key.schemas.js';
import type { HardwareKeyService } from './hardware-key.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type HardwareKeyRoutesDeps = { hardwareKeys: HardwareKeyService };

export async function hardwareKeyRoutes(app: App, services: HardwareKeyRoutesDeps) {
  const tags = ['Hardware keys'];
  app.get(
    '/employees/:id/hardware-keys',
    { config: { access: 'read' }, schema: { tags, params: idParams, response: { 200: listOf(hardwareKeyDto), ...errors } } },
    async (request) => ({ items: await services.hardwareKeys.listForEmployee(request.params.id) }),
  );

  app.post(
    '/employees/:id/hardware-keys',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        description: 'Registers a hardware key held by the employee (by serial number). An active key makes the employee eligible for password rotation.',
        body: hardwareKeyBody,
        response: { 201: hardwareKeyDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await services.hardwareKeys.add(request.ctx, request.params.id, request.body.serial)),
  );

  app.delete(
    '/employees/:id/hardware-keys/:keyId',
    {
      config: { access: 'write' },
      schema: { tags, params: hardwareKeyParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await services.hardwareKeys.remove(request.ctx, request.params.id, request.params.keyId);
      return reply.code(204).send(null);
    },
  );
}
