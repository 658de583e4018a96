import { z } from 'zod';
import { employeeContext, requireEmployee } from '../authn/employee-session.js';
import type { App } from '../http/types.js';
import { errorBody, errors, idParams, listOf } from '../http/schemas.js';
import {
  accountDto,
  accountParams,
  accountPasswordBody,
  domainCreate,
  domainDto,
  domainPatch,
  ownAccountParams,
  ownPasswordChangeBody,
  rotationAnswer,
  rotationStatusDto,
  runParams,
  syncRunDto,
  syncRunsQuery,
  syncPreviewDto,
  syncStartBody,
  testResult,
} from './directory.schemas.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import type { CredentialLimiter, CredentialReservation } from '../security/credential-limiter.js';
import type { ConnectionTestResult } from './connector.js';
import { entraPermissionDto, entraPermissionList } from './entra/entra.schemas.js';
import type { SyncPreview } from './sync-preview.js';
import type { DomainService } from './domain.service.js';
import type { SyncService } from './sync.service.js';
import type { PasswordService } from './password.service.js';
import type { AccountService } from './account.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type DirectoryRoutesDeps = {
  directoryAccounts: AccountService;
  domainPasswords: PasswordService;
  directorySync: SyncService;
  domains: DomainService;
  syncPreview: SyncPreview;
  credentialLimiter: CredentialLimiter;
};

const withDirectoryErrors = { ...errors, 502: errorBody };

/** Directory domains, syncs, and domain passwords (admin API), and the employee's own password change (portal). */
export async function directoryRoutes(app: App, services: DirectoryRoutesDeps, opts: { signInRateLimit: number } = { signInRateLimit: 30 }) {
  const tags = ['Directory'];
  const { domains, directorySync, domainPasswords, directoryAccounts } = services;

  app.get(
    '/directory/domains',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List directory domains',
        description:
          'Every Active Directory and Entra ID domain with its connection settings, sync and rotation groups, schedule, removal behaviour, the state of its last sync and whether its secret is set (never the secret).',
        tags,
        response: { 200: listOf(domainDto), ...errors },
      },
    },
    async () => ({
      items: await domains.list(),
    }),
  );

  app.post(
    '/directory/domains',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Add a directory domain',
        tags,
        description: 'Adds a domain. `secret` (the bind password) is write-only: answers show `{"set": true}`.',
        body: domainCreate,
        response: { 201: domainDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await domains.create(request.ctx, request.body)),
  );

  app.get(
    '/directory/domains/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get a directory domain',
        description: 'One domain with its settings and sync state. 404 `directory.domain_not_found`.',
        tags,
        params: idParams,
        response: { 200: domainDto, ...errors },
      },
    },
    async (request) => domains.getDto(request.params.id),
  );

  app.patch(
    '/directory/domains/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Update a directory domain',
        tags,
        params: idParams,
        description: '`secret: null` removes the bind password: every sync scenario of the domain stops.',
        body: domainPatch,
        response: { 200: domainDto, ...errors },
      },
    },
    async (request) => domains.update(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/directory/domains/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Delete a directory domain',
        description: 'Removes the domain; no further syncs or rotations run for it. 404 `directory.domain_not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await domains.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  /**
   * A test or a preview signs in to the directory with a secret the request may carry: a refused
   * one counts against the per-address budget of failed credential checks (others give it back).
   */
  async function credentialCheck<T>(request: FastifyRequest, reply: FastifyReply, run: () => Promise<T>, isRefused: (r: T) => boolean): Promise<T> {
    let reservation: CredentialReservation;
    try {
      reservation = await services.credentialLimiter.reserve(request.ip);
    } catch (err) {
      if (err instanceof AppError) reply.header('retry-after', String((err.details as { retryAfterSeconds: number }).retryAfterSeconds));
      throw err;
    }
    try {
      const result = await run();
      if (!isRefused(result)) await reservation.release();
      return result;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'directory.bad_credentials')) await reservation.release();
      throw err;
    }
  }
  const isRefusedTest = (r: ConnectionTestResult) => r.outcome === 'bad_credentials';

  app.post(
    '/directory/domains/test',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Test an unsaved domain's connection",
        tags,
        description:
          "Tests a domain that is not saved yet (the add form): connects, binds, finds the groups and counts the sync group's members. Nothing is saved; audited without the secret; a refused secret counts against the credential-check budget.",
        body: domainCreate,
        response: { 200: testResult, ...errors },
      },
    },
    async (request, reply) => credentialCheck(request, reply, () => domains.testConnection(request.ctx, null, request.body), isRefusedTest),
  );

  app.post(
    '/directory/domains/:id/test',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Test a domain's connection",
        tags,
        params: idParams,
        description:
          "Connects, binds, looks up the groups and counts the sync group's members; the outcome says precisely what failed. The body (optional, like a PATCH) tests the edit form's unsaved values over the saved domain: without `secret`, the saved one is used, but only with the saved servers, bind user and TLS settings (AD) or login and Graph hosts, tenant and application (Entra ID); a form that changes any of them must carry the secret again, else 400 `directory.secret_required` on `secret`. Nothing is saved.",
        body: domainPatch.optional(),
        response: { 200: testResult, ...errors },
      },
    },
    async (request, reply) => credentialCheck(request, reply, () => domains.testConnection(request.ctx, request.params.id, request.body), isRefusedTest),
  );

  app.post(
    '/directory/domains/preview',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Preview the first sync of an unsaved domain',
        tags,
        description:
          'What the first sync of a domain that is not saved yet would do: who would be created or linked, which groups imported, with counts and the first rows. Writes nothing (no sync run, employee, account or group) but its audit record.',
        body: domainCreate,
        response: { 200: syncPreviewDto, ...withDirectoryErrors },
      },
    },
    async (request, reply) =>
      credentialCheck(
        request,
        reply,
        () => services.syncPreview.preview(request.ctx, null, request.body),
        () => false,
      ),
  );

  app.post(
    '/directory/domains/:id/preview',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Preview a domain's next sync",
        tags,
        params: idParams,
        description:
          "What a sync would do now, with the edit form's unsaved values over the saved domain (optional body, like a PATCH; without `secret` the saved one, only where the saved one goes: else 400 `directory.secret_required`): created, updated, deactivated, groups. Writes nothing but its audit record.",
        body: domainPatch.optional(),
        response: { 200: syncPreviewDto, ...withDirectoryErrors },
      },
    },
    async (request, reply) =>
      credentialCheck(
        request,
        reply,
        () => services.syncPreview.preview(request.ctx, request.params.id, request.body),
        () => false,
      ),
  );

  app.get(
    '/directory/entra/permissions',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List the Graph permissions an Entra app needs',
        tags,
        description:
          'The Microsoft Graph application permissions an Entra ID app registration needs, per feature, with why (the connector checks the same list).',
        response: { 200: listOf(entraPermissionDto), ...errors },
      },
    },
    async () => ({ items: entraPermissionList() }),
  );

  app.post(
    '/directory/domains/:id/sync',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Run a directory sync',
        tags,
        params: idParams,
        description: 'Starts a sync (or a dry run, which changes nothing). Answers 202 with the run at once; `wait: true` answers 200 when it has finished.',
        body: syncStartBody,
        response: { 200: syncRunDto, 202: syncRunDto, ...errors },
      },
    },
    async (request, reply) => {
      const { dryRun, full, wait } = request.body;
      let started!: (id: string) => void;
      const runCreated = new Promise<string>((resolve) => {
        started = resolve;
      });
      const done = directorySync.syncDomain(request.ctx, request.params.id, { trigger: 'manual', dryRun, full, onRunCreated: started });
      if (wait) return reply.code(200).send(await done);
      done.catch((err) => request.log.error({ err }, 'directory sync failed'));
      const runId = await Promise.race([runCreated, done.then((r) => r.id)]);
      return reply.code(202).send(await directorySync.getRun(request.params.id, runId));
    },
  );

  app.get(
    '/directory/domains/:id/runs',
    {
      config: { access: 'read' },
      schema: {
        summary: "List a domain's sync runs",
        description:
          'The sync runs of the domain, first (at most `limit`, default 20): trigger, full or incremental, dry run or not, status (running, succeeded, failed, awaiting_confirmation, confirmed, cancelled), counts, error code, who started it and how long it took. 404 `directory.domain_not_found`.',
        tags,
        params: idParams,
        querystring: syncRunsQuery,
        response: { 200: listOf(syncRunDto), ...errors },
      },
    },
    async (request) => ({ items: await directorySync.listRuns(request.params.id, request.query.limit) }),
  );

  app.get(
    '/directory/domains/:id/runs/:runId',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get a sync run',
        description:
          'One run with its counts, progress, its error if it failed, and its changes (what a dry run or a held run would do). 404 `directory.run_not_found`.',
        tags,
        params: runParams,
        response: { 200: syncRunDto, ...errors },
      },
    },
    async (request) => directorySync.getRun(request.params.id, request.params.runId),
  );

  app.post(
    '/directory/domains/:id/runs/:runId/confirm',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Confirm a held sync run',
        tags,
        params: runParams,
        description: 'Applies a sync the removal threshold held (with a fresh listing).',
        response: { 200: syncRunDto, ...errors },
      },
    },
    async (request) => directorySync.confirm(request.ctx, request.params.id, request.params.runId),
  );

  app.post(
    '/directory/domains/:id/runs/:runId/cancel',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Cancel a held sync run',
        description:
          'Discards a sync that the removal threshold held; nothing of it is applied and the next scheduled sync plans afresh. 409 `directory.run_not_awaiting` for a run that is not waiting, 404 `directory.run_not_found`. Audited.',
        tags,
        params: runParams,
        response: { 200: syncRunDto, ...errors },
      },
    },
    async (request) => directorySync.cancel(request.ctx, request.params.id, request.params.runId),
  );

  app.post(
    '/directory/rotation/run',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Rotate due domain passwords now',
        tags,
        description: 'Reconciles pending domain passwords, then rotates every due one now (the scheduler does this every few minutes).',
        response: {
          200: rotationAnswer,
          ...errors,
        },
      },
    },
    async (request) => {
      const reconciled = await domainPasswords.reconcile(request.ctx);
      return { reconciled, ...(await domainPasswords.rotateDue(request.ctx)) };
    },
  );

  app.get(
    '/employees/:id/directory-accounts',
    {
      config: { access: 'read' },
      schema: {
        summary: "List an employee's directory accounts",
        description:
          "The employee's accounts in each domain (user name, UPN, domain), with the state of their password: managed by rotation or not, last changed, pending. Never the password. 404 `employees.not_found`.",
        tags,
        params: idParams,
        response: { 200: listOf(accountDto), ...errors },
      },
    },
    async (request) => ({ items: await directoryAccounts.listForEmployee(request.params.id) }),
  );

  app.get(
    '/employees/:id/password-rotation',
    {
      config: { access: 'read' },
      schema: {
        summary: "Get an employee's password rotation state",
        tags,
        params: idParams,
        response: { 200: rotationStatusDto, ...errors },
        description:
          "Whether Tessera rotates the employee's domain passwords, and why not: only an active employee with an Active hardware key (where a new password can be delivered), in a domain with rotation on.",
      },
    },
    async (request) => domainPasswords.rotationStatus(request.params.id),
  );

  app.post(
    '/employees/:id/directory-accounts/:accountId/password',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Set an employee's domain password",
        tags,
        params: accountParams,
        description: "Sets the employee's domain password, or generates one (`generate: true`) that nobody can read: it is kept sealed for the employee's key.",
        body: accountPasswordBody,
        response: { 204: z.null(), ...withDirectoryErrors },
      },
    },
    async (request, reply) => {
      await domainPasswords.adminSet(request.ctx, request.params.id, request.params.accountId, request.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/portal/directory-accounts',
    {
      config: { access: 'employee' },
      schema: {
        summary: 'List my directory accounts',
        description:
          "The signed-in employee's accounts in the organisation's domains (user name, UPN, domain) and whether Tessera rotates their password. Never the password.",
        tags: ['User portal'],
        response: { 200: listOf(accountDto), ...errors },
      },
    },
    async (request) => ({ items: await directoryAccounts.listForEmployee(requireEmployee(request).employee.id) }),
  );

  app.post(
    '/portal/directory-accounts/:accountId/password',
    {
      // Guessing the old password would lock the account in AD: limited like the sign-in endpoints.
      config: { access: 'employee', rateLimit: { max: opts.signInRateLimit, timeWindow: '1 minute' } },
      schema: {
        summary: 'Change my domain password',
        tags: ['User portal'],
        params: ownAccountParams,
        description: 'The employee changes their own domain password with the current one.',
        body: ownPasswordChangeBody,
        response: { 204: z.null(), ...withDirectoryErrors },
      },
    },
    async (request, reply) => {
      const { employee } = requireEmployee(request);
      // The old password is checked by AD's bind: a credential check like a sign-in, in the same per-IP budget.
      await services.credentialLimiter.guard(request, reply, () =>
        domainPasswords.employeeChange(
          employeeContext(request, employee),
          employee.id,
          request.params.accountId,
          request.body.oldPassword,
          request.body.newPassword,
        ),
      );
      return reply.code(204).send(null);
    },
  );
}
