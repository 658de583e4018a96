import { Readable } from 'node:stream';
import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf, paged } from '../http/schemas.js';
import type { Clock } from '../lib/clock.js';
import { csvLine } from '../lib/csv.js';
import type { ActivityService } from './activity.service.js';
import type { AgentAuthService } from './agent-auth.service.js';
import type { ProfileService } from './profile.service.js';
import {
  bulkIdsBody,
  bulkResult,
  commandBody,
  commandDto,
  createdEnrolmentToken,
  createEnrolmentTokenBody,
  createProfileBody,
  emergencyDto,
  emergencyOffBody,
  emergencyOnBody,
  enrolmentTokenDto,
  eventDto,
  eventQuery,
  profileDto,
  sessionDto,
  sessionQuery,
  summaryDto,
  summaryQuery,
  updateProfileBody,
  updateWorkstationBody,
  workstationCountsDto,
  workstationDto,
  workstationListQuery,
} from './workstation.schemas.js';
import type { WorkstationService } from './workstation.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type WorkstationRoutesDeps = {
  agentAuth: AgentAuthService;
  clock: Clock;
  workstationActivity: ActivityService;
  workstationProfiles: ProfileService;
  workstations: WorkstationService;
};

/** Rows a CSV export holds at most. */
const EXPORT_LIMIT = 100_000;
const EXPORT_PAGE = 1000;

const dates = (q: { from?: string; to?: string }) => ({ from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });

/** Workstations as the administrator manages them (the agents' own API is agent.routes.ts). */
export async function workstationRoutes(app: App, services: WorkstationRoutesDeps) {
  const tags = ['Workstations'];
  const { workstations, workstationProfiles: profiles, workstationActivity: activity } = services;

  const csv = (reply: { header(k: string, v: string): unknown }, name: string) => {
    const stamp = services.clock.now().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    reply.header('Content-Type', 'text/csv; charset=utf-8');
    reply.header('Content-Disposition', `attachment; filename="tessera-${name}-${stamp}.csv"`);
  };
  /** Pages of a list as CSV lines; the first page is read before the first byte, so a bad filter is a normal error. */
  async function csvPages<T>(header: string[], read: (page: number) => Promise<{ items: T[] }>, row: (item: T) => unknown[]) {
    let batch = (await read(1)).items;
    async function* lines() {
      yield csvLine(header);
      for (let page = 1, sent = 0; batch.length > 0 && sent < EXPORT_LIMIT; page++) {
        yield batch.map((i) => csvLine(row(i))).join('');
        sent += batch.length;
        batch = batch.length < EXPORT_PAGE ? [] : (await read(page + 1)).items;
      }
    }
    return Readable.from(lines());
  }

  // --- Workstations -----------------------------------------------------------------------------

  app.get(
    '/workstations',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List workstations',
        description:
          'Pages through enrolled computers (`page`, `pageSize`, `total`). Filters: `status` (pending, approved, denied), `q` (part of the name, host name, domain or OS), `departmentId`, `profileId`, `online` (`true`: channel open now). Each has its agent version, OS, department, profile and when it was last seen.',
        tags,
        querystring: workstationListQuery,
        response: { 200: paged(workstationDto), ...errors },
      },
    },
    async (request) => {
      const { online, ...q } = request.query;
      return workstations.list({ ...q, online: online === undefined ? undefined : online === 'true' });
    },
  );

  app.get(
    '/workstations/counts',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Count workstations by state',
        tags,
        response: { 200: workstationCountsDto, ...errors },
        description:
          'How many workstations there are, how many are online now, how many wait for approval and how many the emergency block holds: the figures of the dashboard tiles.',
      },
    },
    async () => workstations.counts(),
  );

  app.get(
    '/workstations/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get a workstation',
        description: 'One computer with its status, agent, OS, department, profile and when it was last seen. 404 `workstations.not_found`.',
        tags,
        params: idParams,
        response: { 200: workstationDto, ...errors },
      },
    },
    async (request) => workstations.get(request.params.id),
  );

  app.patch(
    '/workstations/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Update a workstation',
        tags,
        params: idParams,
        body: updateWorkstationBody,
        response: { 200: workstationDto, ...errors },
        description:
          'Renames the workstation, or sets its department and profile; the agent receives its new profile at once. 404 `workstations.department_not_found` or `workstations.profile_not_found`. Audited.',
      },
    },
    async (request) => workstations.update(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/workstations/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Remove a workstation',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
        description: 'Removes the workstation: its key stops working at once and its channel closes. The agent must enrol again to come back.',
      },
    },
    async (request, reply) => {
      await workstations.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  const decisions = {
    approve: {
      one: 'Approve a workstation',
      many: 'Approve several workstations',
      effect: 'The agent may authorise sign-ins and receive credentials from now on; its profile applies.',
    },
    deny: {
      one: 'Deny a workstation',
      many: 'Deny several workstations',
      effect: 'The agent is refused everything but its status (403 `workstations.denied`); remove it to let the computer enrol again.',
    },
  } as const;
  for (const [verb, to] of [
    ['approve', 'approve'],
    ['deny', 'deny'],
  ] as const) {
    app.post(
      `/workstations/:id/${verb}`,
      {
        config: { access: 'write' },
        schema: {
          tags,
          params: idParams,
          response: { 200: workstationDto, ...errors },
          summary: decisions[verb].one,
          description: `${decisions[verb].effect} 404 \`workstations.not_found\`. Audited.`,
        },
      },
      async (request) => {
        await workstations.find(request.params.id);
        await workstations[to](request.ctx, [request.params.id]);
        return workstations.get(request.params.id);
      },
    );
    app.post(
      `/workstations/${verb}`,
      {
        config: { access: 'write' },
        schema: {
          tags,
          body: bulkIdsBody,
          response: { 200: bulkResult, ...errors },
          summary: decisions[verb].many,
          description: `Bulk ${verb}: those already so, or unknown, are listed as unchanged. ${decisions[verb].effect} Each change is audited.`,
        },
      },
      async (request) => workstations[to](request.ctx, request.body.ids),
    );
  }

  const commandSummaries = {
    lock: 'Lock a workstation',
    logoff: 'Sign the user out of a workstation',
    refresh_profile: 'Send a workstation its profile again',
  } as const;
  for (const kind of ['lock', 'logoff', 'refresh_profile'] as const) {
    app.post(
      `/workstations/:id/${kind === 'refresh_profile' ? 'refresh-profile' : kind}`,
      {
        config: { access: 'write' },
        schema: {
          tags,
          params: idParams,
          body: commandBody.optional(),
          response: { 202: commandDto, ...errors },
          summary: commandSummaries[kind],
          description: 'Stores the command and delivers it to the agent now, or when it next connects (within 7 days). Audited, with the outcome.',
        },
      },
      async (request, reply) => reply.code(202).send(await workstations.command(request.ctx, request.params.id, kind, request.body ?? {})),
    );
  }

  app.get(
    '/workstations/:id/commands',
    {
      config: { access: 'read' },
      schema: {
        summary: "List a workstation's commands",
        tags,
        params: idParams,
        response: { 200: listOf(commandDto), ...errors },
        description:
          'The last 200 commands sent to the workstation (lock, log off, refresh profile, credential delivery), newest first, with their state, attempts and result.',
      },
    },
    async (request) => ({ items: await workstations.commands(request.params.id) }),
  );

  app.post(
    '/employees/:id/lock-workstations',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Lock all workstations of an employee',
        tags,
        params: idParams,
        body: commandBody.optional(),
        response: { 202: listOf(commandDto), ...errors },
        description: 'Locks every workstation where the employee is signed in now.',
      },
    },
    async (request, reply) =>
      reply.code(202).send({ items: await workstations.lockEmployee(request.ctx, request.params.id, request.body?.reason ?? 'locked by an administrator') }),
  );

  // --- Events, sessions, summaries ----------------------------------------------------------------

  const eventHeader = ['occurredAt', 'workstation', 'type', 'account', 'employee', 'email', 'method', 'sessionId', 'remoteAddress'];
  app.get(
    '/workstation-events',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List workstation events',
        description:
          'Pages through what agents reported, newest first: logon, logoff, lock, unlock, session switch, remote connect and disconnect, agent start and stop. Filters: `type`, `workstationId`, `employeeId`, `from`, `to` (ISO times).',
        tags,
        querystring: eventQuery,
        response: { 200: paged(eventDto), ...errors },
      },
    },
    async (request) => {
      const { page, pageSize, ...q } = request.query;
      return activity.listEvents({ ...q, ...dates(q) }, { page, pageSize });
    },
  );
  app.get(
    '/workstation-events/export.csv',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Export workstation events as CSV',
        tags,
        querystring: eventQuery.omit({ page: true, pageSize: true }),
        description: 'The events matching the same filters as `/api/workstation-events`, newest first, as a CSV file.',
      },
    },
    async (request, reply) => {
      const q = { ...request.query, ...dates(request.query) };
      const body = await csvPages(
        eventHeader,
        (page) => activity.listEvents(q, { page, pageSize: EXPORT_PAGE }),
        (e) => [e.occurredAt, e.workstation?.name, e.type, e.account, e.employee?.name, e.employee?.email, e.method, e.sessionId, e.remoteAddress],
      );
      csv(reply, 'workstation-events');
      return reply.send(body);
    },
  );

  const sessionHeader = [
    'startedAt',
    'endedAt',
    'workstation',
    'account',
    'employee',
    'email',
    'method',
    'methods',
    'remote',
    'durationSeconds',
    'lockedSeconds',
    'lockCount',
  ];
  app.get(
    '/workstation-sessions',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List workstation sessions',
        description:
          'Pages through sign-in sessions on workstations (who, where, how, start and end), newest first. Filters: `workstationId`, `employeeId`, `from`, `to`, `open` (`true`: still signed in).',
        tags,
        querystring: sessionQuery,
        response: { 200: paged(sessionDto), ...errors },
      },
    },
    async (request) => {
      const { page, pageSize, open, ...q } = request.query;
      return activity.listSessions({ ...q, ...dates(q), open: open === undefined ? undefined : open === 'true' }, { page, pageSize });
    },
  );
  app.get(
    '/workstation-sessions/export.csv',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Export workstation sessions as CSV',
        tags,
        querystring: sessionQuery.omit({ page: true, pageSize: true }),
        description: 'The sessions matching the same filters as `/api/workstation-sessions`, newest first, as a CSV file.',
      },
    },
    async (request, reply) => {
      const { open, ...rest } = request.query;
      const q = { ...rest, ...dates(rest), open: open === undefined ? undefined : open === 'true' };
      const body = await csvPages(
        sessionHeader,
        (page) => activity.listSessions(q, { page, pageSize: EXPORT_PAGE }),
        (s) => [
          s.startedAt,
          s.endedAt,
          s.workstation?.name,
          s.account,
          s.employee?.name,
          s.employee?.email,
          s.method,
          s.methods.join(' '),
          s.remote,
          s.durationSeconds,
          s.lockedSeconds,
          s.lockCount,
        ],
      );
      csv(reply, 'workstation-sessions');
      return reply.send(body);
    },
  );

  app.get(
    '/workstation-sessions/summary',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Summarise workstation sessions',
        tags,
        querystring: summaryQuery,
        response: { 200: summaryDto, ...errors },
        description: 'Time signed in, sessions and methods per employee, workstation or day (UTC); the last 30 days unless from/to say otherwise.',
      },
    },
    async (request) => {
      const { groupBy, ...q } = request.query;
      return activity.summary(groupBy, { ...q, ...dates(q) });
    },
  );
  app.get(
    '/workstation-sessions/summary.csv',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Export the workstation session summary as CSV',
        tags,
        querystring: summaryQuery,
        description: 'The same summary as `/api/workstation-sessions/summary`, with the same grouping and period, as a CSV file for a spreadsheet.',
      },
    },
    async (request, reply) => {
      const { groupBy, ...q } = request.query;
      const s = await activity.summary(groupBy, { ...q, ...dates(q) });
      csv(reply, `workstation-summary-${groupBy}`);
      return reply.send(
        [
          csvLine([groupBy, 'sessions', 'signedInSeconds', 'lockedSeconds', 'methods', 'employees', 'workstations']),
          ...s.items.map((r) => csvLine([r.label, r.sessions, r.signedInSeconds, r.lockedSeconds, r.methods.join(' '), r.employees, r.workstations])),
        ].join(''),
      );
    },
  );

  // --- Enrolment tokens ---------------------------------------------------------------------------

  app.get(
    '/workstation-enrolment-tokens',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List workstation enrolment tokens',
        description: 'Every token agents can enrol with: name, whether it approves workstations at once, uses, expiry and revocation. Never the secret.',
        tags,
        response: { 200: listOf(enrolmentTokenDto), ...errors },
      },
    },
    async () => ({ items: await services.agentAuth.listTokens() }),
  );
  app.post(
    '/workstation-enrolment-tokens',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create a workstation enrolment token',
        tags,
        body: createEnrolmentTokenBody,
        response: { 201: createdEnrolmentToken, ...errors },
        description: 'A token for agents to enrol with. The secret is in this answer only: it is stored as a hash.',
      },
    },
    async (request, reply) => reply.code(201).send(await services.agentAuth.createToken(request.ctx, request.body)),
  );
  app.delete(
    '/workstation-enrolment-tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Revoke a workstation enrolment token',
        description: 'No new computer can enrol with it; workstations enrolled with it stay. 404 `workstations.token_not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await services.agentAuth.revokeToken(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  // --- Profiles -----------------------------------------------------------------------------------

  app.get(
    '/workstation-profiles',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List workstation profiles',
        description:
          'Every profile (what the agent enforces: idle lock, lock when the Tessera session ends, unlock methods, RDP and more), which one is the default, and the departments that use each.',
        tags,
        response: { 200: listOf(profileDto), ...errors },
      },
    },
    async () => ({
      items: await profiles.list(),
    }),
  );
  app.get(
    '/workstation-profiles/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get a workstation profile',
        description: 'One profile with its settings and departments. 404 `workstations.profile_not_found`.',
        tags,
        params: idParams,
        response: { 200: profileDto, ...errors },
      },
    },
    async (request) => profiles.get(request.params.id),
  );
  app.post(
    '/workstation-profiles',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create a workstation profile',
        description:
          'A named set of rules that agents enforce, for the departments given (`departmentIds`) or as the new default. 409 `workstations.profile_name_in_use`, 404 `workstations.department_not_found`. Agents concerned receive it at once. Audited.',
        tags,
        body: createProfileBody,
        response: { 201: profileDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await profiles.create(request.ctx, request.body)),
  );
  app.patch(
    '/workstation-profiles/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Update a workstation profile',
        tags,
        params: idParams,
        body: updateProfileBody,
        response: { 200: profileDto, ...errors },
        description: 'Agents using the profile receive the change at once. `departmentIds` moves those departments to this profile.',
      },
    },
    async (request) => profiles.update(request.ctx, request.params.id, request.body),
  );
  app.delete(
    '/workstation-profiles/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete a workstation profile',
        description:
          'Its departments fall back to the default profile, and agents receive that at once. 409 `workstations.profile_is_default` for the default profile (make another the default first); 404 `workstations.profile_not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await profiles.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  // --- Emergency block ----------------------------------------------------------------------------

  app.get(
    '/emergency-block',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get the emergency block state',
        description: 'Whether the emergency block is on, since when, by whom and why.',
        tags,
        response: { 200: emergencyDto, ...errors },
      },
    },
    async () => workstations.emergencyState(),
  );
  app.post(
    '/emergency-block',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Turn on the emergency block',
        tags,
        body: emergencyOnBody,
        response: { 200: emergencyDto, ...errors },
        description:
          'Locks every workstation with the agent (approved or waiting for approval) and makes agents refuse unlock until lifted; agents that connect later get it first. Confirm with the phrase `BLOCK ALL WORKSTATIONS` and give a reason.',
      },
    },
    async (request) => workstations.setEmergency(request.ctx, true, request.body),
  );
  app.post(
    '/emergency-block/lift',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Lift the emergency block',
        description:
          'Agents accept unlocks again and workstations may be used as their profiles say. 409 `workstations.emergency_inactive` when it is not on. Audited with the reason.',
        tags,
        body: emergencyOffBody,
        response: { 200: emergencyDto, ...errors },
      },
    },
    async (request) => workstations.setEmergency(request.ctx, false, request.body),
  );
}
