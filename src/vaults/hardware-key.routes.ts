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
    {
      config: { access: 'read' },
      schema: {
        summary: 'List hardware keys',
        description:
          'Pages through the key inventory (`page`, `pageSize` up to 500, `total`). Filters: `state` (ready, reserved, active, suspended, locked, deactivated, compromised), `employeeId`, `model`, `batch`, `q` (part of the serial or badge number). Each key has its serial, model, AAGUID, state, holder and access profile.',
        tags,
        querystring: hardwareKeyQuery,
        response: { 200: paged(hardwareKeyDto), ...errors },
      },
    },
    async (request) => keys.list(request.query),
  );

  app.get(
    '/hardware-keys/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get a hardware key',
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
        summary: 'Import hardware keys from CSV',
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
        summary: "Change a hardware key's state",
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
        summary: 'Confirm a hardware key was reset',
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
      schema: {
        summary: 'Reserve several hardware keys',
        tags,
        body: bulkReserveBody,
        description:
          'Reserves each key for its employee, each on its own: the answer lists each key as done (with the activation code the employee enrols it with) or refused (with its code and message). Each change is audited.',
        response: { 200: bulkAnswer, ...errors },
      },
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
      schema: {
        summary: 'Suspend several hardware keys',
        tags,
        body: bulkSuspendBody,
        description:
          'Suspends up to 500 keys with one reason, each on its own: the answer lists each key as done or refused (with its code and message), and one refusal does not hold back the others. A suspended key cannot sign in until it is reactivated. Each change is audited.',
        response: { 200: bulkAnswer, ...errors },
      },
    },
    async (request) =>
      keys.bulk(
        request.ctx,
        request.body.keyIds.map((keyId) => ({ keyId, body: { to: 'suspended' as const, reason: request.body.reason } })),
      ),
  );

  app.get(
    '/employees/:id/hardware-keys',
    {
      config: { access: 'read' },
      schema: {
        summary: "List an employee's hardware keys",
        description: 'The keys the employee holds or has reserved, with state, model and serial. 404 `employees.not_found`.',
        tags,
        params: idParams,
        response: { 200: listOf(hardwareKeyDto), ...errors },
      },
    },
    async (request) => ({ items: await keys.listForEmployee(request.params.id) }),
  );

  app.post(
    '/employees/:id/hardware-keys',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Register a hardware key an employee holds',
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
      schema: {
        summary: 'Remove a hardware key from an employee',
        description:
          "Deletes the key's record with the credentials bound to it. A key that was in the employee's hands (active, suspended, locked) rotates their domain passwords. Refused with 409 `hardware_keys.compromised_kept` for a compromised key (its record stays so it can never be issued again); 404 `hardware_keys.not_found`. Audited.",
        tags,
        params: hardwareKeyParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await keys.remove(request.ctx, request.params.id, request.params.keyId);
      return reply.code(204).send(null);
    },
  );
}
