import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, paged } from '../http/schemas.js';
import { employeeCreate, employeeDetailDto, employeeDto, employeeListItemDto, employeePatch, employeeQuery, type EmployeeDto } from './employee.schemas.js';
import type { EmployeeService } from './employee.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type EmployeeRoutesDeps = {
  employees: EmployeeService;
  /** The effective SSO of an employee (src/sso/app-access.ts), shown on their page. */
  appAccess: {
    effectiveSso: (e: { id: string; source: string; ssoEnabled: boolean | null; ssoMethod: 'passwordless' | 'password_2fa' | null }) => Promise<{
      enabled: boolean;
      method: 'passwordless' | 'password_2fa' | 'any';
      enabledFrom: 'override' | 'domain' | 'builtin';
      methodFrom: 'override' | 'domain' | 'builtin';
    }>;
  };
};

export async function employeeRoutes(app: App, services: EmployeeRoutesDeps) {
  const tags = ['Employees'];
  const withEffectiveSso = async <T extends EmployeeDto>(e: T) => ({
    ...e,
    effectiveSso: await services.appAccess.effectiveSso({ id: e.id, source: e.source, ssoEnabled: e.ssoOverride.enabled, ssoMethod: e.ssoOverride.method }),
  });
  app.get(
    '/employees',
    { config: { access: 'read' }, schema: { tags, querystring: employeeQuery, response: { 200: paged(employeeListItemDto), ...errors } } },
    async (request) => services.employees.list(request.query),
  );

  app.get(
    '/employees/:id',
    { config: { access: 'read' }, schema: { tags, params: idParams, response: { 200: employeeDetailDto, ...errors } } },
    async (request) => withEffectiveSso(await services.employees.detail(request.params.id)),
  );

  app.post(
    '/employees',
    { config: { access: 'write' }, schema: { tags, body: employeeCreate, response: { 201: employeeDto, ...errors } } },
    async (request, reply) => reply.code(201).send(await services.employees.create(request.ctx, request.body)),
  );

  app.patch(
    '/employees/:id',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        body: employeePatch,
        response: { 200: employeeDetailDto, ...errors },
        description:
          "Change any subset of fields; null clears an optional one (ssoEnabled / ssoMethod null: follow the importing domain's default). Setting status to disabled or deactivated ends all of the employee's sessions and tokens at once.",
      },
    },
    async (request) => {
      await services.employees.update(request.ctx, request.params.id, request.body);
      return withEffectiveSso(await services.employees.detail(request.params.id));
    },
  );

  app.post(
    '/employees/:id/end-sessions',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
        description:
          "Signs the employee out everywhere: portal and SSO sessions and tokens end. Workstations where they are signed in lock when their profile says 'lock when the Tessera session ends'.",
      },
    },
    async (request, reply) => {
      await services.employees.endSessions(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/employees/:id',
    { config: { access: 'write' }, schema: { tags, params: idParams, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await services.employees.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
