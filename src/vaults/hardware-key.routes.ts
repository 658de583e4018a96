import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf, paged } from '../http/schemas.js';
import {
  bulkAnswer,
  bulkReserveBody,
  bulkSuspendBody,
  hardwareKeyBody,
  hardwareKeyDetailDto,
  hardwareKeyDto,
  hardwareKeyParams,
  hardwareKeyQuery,
  importAnswer,
  importBody,
  transitionAnswer,
  transitionBody,
} from './hardware-key.schemas.js';
import type { HardwareKeyService } from './hardware-key.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type HardwareKeyRoutesDeps = { hardwareKeys: HardwareKeyService };

export async function hardwareKeyRoutes(app: App, services: HardwareKeyRoutesDeps) {
  const tags = ['Hardware keys'];
  const keys = services.hardwareKeys;

  app.get(
    '/hardware-keys',
    { config: { access: 'read' }, schema: { tags, querystring: hardwareKeyQuery, response: { 200: paged(hardwareKeyDto), ...errors } } },
    async (request) => keys.list(request.query),
  );

  app.get(
    '/hardware-keys/:id',
    {
      config: { access: 'read' },
      schema: {
        tags,
        params: idParams,
        description: 'The key with its history, bound credentials, the transitions an admin may make now and, when deactivated, the reset steps.',
        response: { 200: hardwareKeyDetailDto, ...errors },
      },
    },
    async (request) => keys.detail(request.params.id),
  );

  app.post(
    '/hardware-keys/import',
    {
      config: { access: 'write' },
      schema: {
        tags,
        body: importBody,
        description:
          'CSV `serial,model,aaguid[,badge[,batch]]` (optional header line). Each row on its own: created (Ready), duplicate or invalid with the reason; the created rows are written in one transaction. At most 10,000 rows of at most 1,000 characters, within the body limit (BODY_LIMIT, 1 MiB by default: about 10,000 typical rows).',
        response: { 200: importAnswer, ...errors },
      },
    },
    async (request) => keys.importCsv(request.ctx, request.body.csv),
  );

  app.post(
    '/hardware-keys/:id/transitions',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        body: transitionBody,
        description:
          'Moves the key to another state (hardware-key.states.ts). 409 hardware_keys.transition_not_allowed lists the allowed ones in error.details.allowed. Reserve and unlock answer the activation code, this once.',
        response: { 200: transitionAnswer, ...errors },
      },
    },
    async (request) => keys.transition(request.ctx, request.params.id, request.body),
  );

  app.post(
    '/hardware-keys/:id/reset-confirmation',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        body: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
        description: 'The admin confirms a deactivated key was reset (the resetSteps): it goes back to Ready, and the history records who confirmed.',
        response: { 200: transitionAnswer, ...errors },
      },
    },
    async (request) => keys.transition(request.ctx, request.params.id, { to: 'ready', reason: request.body.reason, resetConfirmed: true }),
  );

  app.post(
    '/hardware-keys/bulk/reserve',
    {
      config: { access: 'write' },
      schema: { tags, body: bulkReserveBody, description: 'Reserves each key for its employee, each on its own.', response: { 200: bulkAnswer, ...errors } },
    },
    async (request) =>
      keys.bulk(
        request.ctx,
        request.body.items.map((i) => ({ keyId: i.keyId, body: { to: 'reserved' as const, reason: request.body.reason, employeeId: i.employeeId } })),
      ),
  );

  app.post(
    '/hardware-keys/bulk/suspend',
    {
      config: { access: 'write' },
      schema: { tags, body: bulkSuspendBody, description: 'Suspends each key, each on its own.', response: { 200: bulkAnswer, ...errors } },
    },
    async (request) =>
      keys.bulk(
        request.ctx,
        request.body.keyIds.map((keyId) => ({ keyId, body: { to: 'suspended' as const, reason: request.body.reason } })),
      ),
  );

  app.get(
    '/employees/:id/hardware-keys',
    { config: { access: 'read' }, schema: { tags, params: idParams, response: { 200: listOf(hardwareKeyDto), ...errors } } },
    async (request) => ({ items: await keys.listForEmployee(request.params.id) }),
  );

  app.post(
    '/employees/:id/hardware-keys',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        description:
          'Registers a hardware key the employee already holds (by serial number), Active at once. An Active key makes the employee eligible for password rotation.',
        body: hardwareKeyBody,
        response: { 201: hardwareKeyDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await keys.add(request.ctx, request.params.id, request.body.serial)),
  );

  app.delete(
    '/employees/:id/hardware-keys/:keyId',
    {
      config: { access: 'write' },
      schema: { tags, params: hardwareKeyParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await keys.remove(request.ctx, request.params.id, request.params.keyId);
      return reply.code(204).send(null);
    },
  );
}
