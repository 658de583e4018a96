import fastifyWebsocket from '@fastify/websocket';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors } from '../http/schemas.js';
import { AppError } from '../lib/errors.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import type { ActivityService } from './activity.service.js';
import type { AgentAuthService, AgentWorkstation } from './agent-auth.service.js';
import type { AgentHub } from './agent-hub.js';
import type { CredentialDeliveryService } from './credential-delivery.service.js';
import type { ProfileService } from './profile.service.js';
import {
  agentStatusDto,
  authorizeAnswer,
  authorizeBody,
  deliveryAnswer,
  deliveryBody,
  deliveryOptionsAnswer,
  deliveryOptionsBody,
  enrollAnswer,
  enrollBody,
  eventsAnswer,
  eventsBody,
} from './workstation.schemas.js';
import type { WorkstationService } from './workstation.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type AgentRoutesDeps = {
  agentAuth: AgentAuthService;
  agentHub: AgentHub;
  credentialLimiter: CredentialLimiter;
  credentialDelivery: CredentialDeliveryService;
  workstationActivity: ActivityService;
  workstationProfiles: ProfileService;
  workstations: WorkstationService;
};

/** The largest frame an agent may send on the channel. */
const MAX_FRAME_BYTES = 64 * 1024;

/** The workstation the guard authenticated (access 'agent' / 'agent_pending'). */
function agentOf(request: FastifyRequest): AgentWorkstation {
  if (request.auth?.kind !== 'agent') throw new AppError('agent.assertion_invalid', 'The agent assertion is missing or not valid');
  return request.auth.workstation;
}

/** The workstation agent's API (docs/agent-protocol.md): enrolment, status, events, unlock decisions, the channel. */
export async function agentRoutes(app: App, services: AgentRoutesDeps) {
  const tags = ['Workstation agent'];
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false } });
  app.addHook('onReady', async () => services.agentHub.start(app.log));
  // preClose, not onClose: the HTTP server's close waits for every connection to end before the
  // onClose hooks run, and an agent's channel never ends by itself (the plugin cannot close it for
  // us: clientTracking is off). Closed here (1001), agents reconnect to another node.
  app.addHook('preClose', async () => services.agentHub.close());

  app.post(
    '/agent/v1/enroll',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Enrol a workstation',
        tags,
        body: enrollBody,
        response: { 201: enrollAnswer, ...errors },
        description:
          'Registers a computer with an enrolment token and the public half of the key pair it made (ES256). The workstation waits for approval unless the token approves automatically. A refusal counts against the per-address budget of failed credential checks.',
      },
    },
    async (request, reply) =>
      reply.code(201).send(await services.credentialLimiter.guard(request, reply, () => services.agentAuth.enroll(request.ctx, request.body))),
  );

  const statusOf = async (w: AgentWorkstation) => {
    const emergency = await services.workstations.emergency();
    const profile = w.status === 'approved' ? ((await services.workstationProfiles.effectiveFor([w.id])).get(w.id) ?? null) : null;
    return {
      workstationId: w.id,
      name: w.name,
      status: w.status,
      profile,
      emergency: { active: emergency.active, version: emergency.version, reason: emergency.reason },
    };
  };

  app.get(
    '/agent/v1/status',
    {
      config: { access: 'agent_pending' },
      schema: {
        summary: "Get my workstation's status",
        tags,
        response: { 200: agentStatusDto, ...errors },
        description: 'Approval, the profile in force (once approved) and the emergency block.',
      },
    },
    async (request) => statusOf(agentOf(request)),
  );

  app.post(
    '/agent/v1/heartbeat',
    {
      config: { access: 'agent_pending' },
      schema: {
        summary: 'Send a workstation heartbeat',
        tags,
        response: { 204: z.null(), ...errors },
        description: 'Marks the workstation seen, for an agent that cannot keep the channel open.',
      },
    },
    async (request, reply) => {
      await services.workstations.touch(agentOf(request).id, request.ip);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/agent/v1/events',
    {
      config: { access: 'agent' },
      schema: {
        summary: 'Report workstation events',
        tags,
        body: eventsBody,
        response: { 200: eventsAnswer, ...errors },
        description:
          'Up to 500 events, taken whole or not at all. Each `id` is an idempotency key: an event sent again is counted in `duplicates` and stored once.',
      },
    },
    async (request) => services.workstationActivity.ingest(agentOf(request), request.body.events),
  );

  app.post(
    '/agent/v1/authorize',
    {
      config: { access: 'agent' },
      schema: {
        summary: 'Authorise a workstation sign-in',
        tags,
        body: authorizeBody,
        response: { 200: authorizeAnswer, ...errors },
        description: 'Whether this account may log on, unlock or connect by RDP here now (emergency block, profile, employee status), and why not. Audited.',
      },
    },
    async (request) => services.workstationActivity.authorize(request.ctx, agentOf(request), request.body),
  );

  app.post(
    '/agent/v1/credentials/options',
    {
      config: { access: 'agent' },
      schema: {
        summary: 'Start a credential delivery',
        tags,
        body: deliveryOptionsBody,
        response: { 200: deliveryOptionsAnswer, ...errors },
        description:
          "Starts a credential delivery for the account being logged on: WebAuthn request options for the employee's Active security keys, a single-use challenge of two minutes bound to this workstation. Refused during the emergency block, for an unknown, disabled or deactivated employee and for one without an Active key; refusals are audited.",
      },
    },
    async (request) => {
      const answer = await services.credentialDelivery.options(request.ctx, agentOf(request), request.body);
      return { ...answer, options: answer.options as unknown as Record<string, unknown> };
    },
  );

  app.post(
    '/agent/v1/credentials',
    {
      config: { access: 'agent' },
      schema: {
        summary: 'Finish a credential delivery',
        tags,
        body: deliveryBody,
        response: { 200: deliveryAnswer, ...errors },
        description:
          "Finishes a credential delivery with the key's assertion. Once it verifies, Tessera queues a `deliver_credentials` command on the channel whose payload is a JWE to this workstation's key ([agent protocol](/docs/agent-protocol) §8). A refused assertion counts against the per-address budget of failed credential checks; every delivery and refusal is audited.",
      },
    },
    async (request, reply) =>
      services.credentialLimiter.guard(request, reply, () =>
        services.credentialDelivery.deliver(request.ctx, agentOf(request), {
          requestId: request.body.requestId,
          assertion: request.body.assertion as AuthenticationResponseJSON,
        }),
      ),
  );

  app.get(
    '/agent/v1/channel',
    {
      websocket: true,
      config: { access: 'agent_pending' },
      schema: {
        summary: 'Open the workstation command channel',
        tags,
        description:
          'The command channel: a WebSocket (send `Authorization: Bearer <assertion>` with the upgrade). Frames are described in the [agent protocol](/docs/agent-protocol) §5.',
      },
    },
    (socket, request) => {
      const { log, ip } = request;
      const workstation = agentOf(request);
      releaseUpgradeRequest(socket, request);
      void services.agentHub.attach(socket, workstation, ip).catch((err) => {
        log.warn({ err: (err as Error).message }, 'agent channel could not start');
        socket.close(1011, 'server error');
      });
    },
  );
}

/**
 * A channel stays open for days; the HTTP request that opened it need not. @fastify/websocket
 * leaves it reachable from the open socket twice: the upgraded TCP socket still points at its
 * ServerResponse (and through it at the request, its headers with the assertion, Fastify's request
 * and reply and their logger), and the plugin's 'error' listener closes over request and reply.
 * Letting both go saves about 3 KB per connected agent (bench/agents.bench.ts). Socket errors are
 * then handled here as the plugin's default handler does: logged, and the channel terminated.
 */
function releaseUpgradeRequest(socket: WebSocket, request: FastifyRequest) {
  const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  tcp._httpMessage?.detachSocket(tcp);
  const { log } = request;
  socket.removeAllListeners('error');
  socket.on('error', (err) => {
    log.warn({ err: err.message }, 'agent channel error');
    socket.terminate();
  });
}
