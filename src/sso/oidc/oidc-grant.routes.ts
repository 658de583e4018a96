import { z } from 'zod';
import type { App } from '../../http/types.js';
import { AppError } from '../../lib/errors.js';
import { errors, idParams, listOf } from '../../http/schemas.js';
import { grantDto, grantParams } from './oidc-grant.schemas.js';
import type { OidcService } from './oidc.service.js';
import type { EmployeeService } from '../../employees/employee.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcGrantRoutesDeps = { employees: EmployeeService; oidc: OidcService };

/**
 * What an employee has granted to OIDC applications, and revoking it: one grant (its tokens stop
 * working at once), or all of an employee's grants and provider sessions ("sign out everywhere").
 */
export async function oidcGrantRoutes(app: App, services: OidcGrantRoutesDeps) {
  const tags = ['OIDC clients'];
  const { oidc, employees } = services;

  app.get(
    '/oidc/employees/:id/grants',
    {
      config: { access: 'read' },
      schema: {
        summary: "List an employee's OIDC grants",
        description: 'What the employee has granted each OIDC application (grant id, client, created, expiry). 404 `employees.not_found`.',
        tags,
        params: idParams,
        response: { 200: listOf(grantDto), ...errors },
      },
    },
    async (request) => {
      await employees.get(request.params.id);
      return { items: await oidc.listGrants(request.params.id) };
    },
  );

  app.delete(
    '/oidc/employees/:id/grants',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Revoke all OIDC grants of an employee',
        tags,
        description: 'Revokes every grant, token and provider session of the employee; applications that registered for it get a back-channel logout.',
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await employees.get(request.params.id);
      await oidc.revokeEmployeeGrants(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/oidc/grants/:grantId',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Revoke one OIDC grant',
        description: 'Revokes one grant with its tokens; the application must send the employee through sign-in again. 404 `oidc.grant_not_found`. Audited.',
        tags,
        params: grantParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      if (!(await oidc.revokeGrant(request.ctx, request.params.grantId))) throw new AppError('oidc.grant_not_found', 'Grant was not found');
      return reply.code(204).send(null);
    },
  );
}
