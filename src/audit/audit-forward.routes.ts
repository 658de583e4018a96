import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { createDestinationBody, destinationDto, destinationTestAnswer, updateDestinationBody } from './audit-forward.schemas.js';
import type { AuditForwardService } from './audit-forward.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type AuditForwardRoutesDeps = { auditForwarding: AuditForwardService };

export async function auditForwardRoutes(app: App, services: AuditForwardRoutesDeps) {
  const tags = ['Audit log'];
  const fwd = services.auditForwarding;

  app.get(
    '/audit/destinations',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List audit forwarding destinations',
        description:
          'Every destination the audit log is forwarded to (Splunk HTTP Event Collector, syslog, webhook), with its settings, whether a secret is set (never the secret), its filter and its delivery state: the cursor (last audit id delivered), the backlog (records after it), when it last delivered, the last error with its time and kind (retryable or permanent), consecutive failures and the next attempt.',
        tags,
        response: { 200: listOf(destinationDto), ...errors },
      },
    },
    async () => ({ items: await fwd.list() }),
  );

  app.get(
    '/audit/destinations/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Get an audit forwarding destination',
        description: 'One destination with its settings, filter and delivery state. 404 `audit_forward.not_found`.',
        tags,
        params: idParams,
        response: { 200: destinationDto, ...errors },
      },
    },
    async (request) => fwd.get(request.params.id),
  );

  app.post(
    '/audit/destinations',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Add an audit forwarding destination',
        description:
          'A destination by `kind`: `splunk` (collector URL, `secret` = the HEC token, index, source type, CA, TLS verification), `syslog` (host, port, transport tcp/tls/udp, facility, CA, TLS verification) or `webhook` (URL, `secret` = the HMAC-SHA256 signing key, CA). `filter` picks actions (names or prefixes such as `directory.`) and the outcome. Records written from now on are forwarded, or the whole log first with `replayHistory: true`. Secrets are sealed and never returned. 409 `audit_forward.name_in_use`. Audited.',
        tags,
        body: createDestinationBody,
        response: { 201: destinationDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await fwd.create(request.ctx, request.body)),
  );

  app.patch(
    '/audit/destinations/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change an audit forwarding destination',
        description:
          'Changes the name, `enabled`, the filter, the settings (all of them, as on creation) or the secret (omit it to keep the saved one). `kind` must be the destination’s kind (400 `audit_forward.kind_mismatch`). A changed destination is tried again at once. 404 `audit_forward.not_found`, 409 `audit_forward.name_in_use`. Audited (never the secret).',
        tags,
        params: idParams,
        body: updateDestinationBody,
        response: { 200: destinationDto, ...errors },
      },
    },
    async (request) => fwd.update(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/audit/destinations/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Delete an audit forwarding destination',
        description: 'Forwarding to it stops; the audit log itself is unchanged. 404 `audit_forward.not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await fwd.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/audit/destinations/:id/test',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Send a test event to an audit forwarding destination',
        description:
          'Sends one event (action `audit.destination_tested`, `details.test: true`, an event id with `:test:` in it) with the saved settings and answers `ok` and what the receiver said, such as `Splunk answered HTTP 403: Invalid token (code 4)`. The cursor does not move. Audited with the answer.',
        tags,
        params: idParams,
        response: { 200: destinationTestAnswer, ...errors },
      },
    },
    async (request) => fwd.test(request.ctx, request.params.id),
  );
}
