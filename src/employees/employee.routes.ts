import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams } from '../http/schemas.js';
import { employeeCreate, employeeDetailDto, employeeDto, employeeListDto, employeePatch, employeeQuery, type EmployeeDto } from './employee.schemas.js';
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
    {
      config: { access: 'read' },
      schema: {
        summary: 'List employees',
        description:
          'Pages through employees (`page`, `pageSize` up to 500). `total` counts the matches up to 10,000; when more match, `isTotalCapped` is true and `total` is 10,000 (page on while a page is full). Filters: `q` (anywhere in the e-mail, the full name or the phone; `%`, `_` and `\\` are taken literally; served by trigram indexes), `status`, `companyId`, `departmentId`, `positionId`, `source` (`manual`, or the id of the domain the employee was imported from), `groupId` (members of that group), `enrolment` (`never_invited`, `invited`, `invitation_expired`, `enrolled`); `sort` by lastName, firstName, email, status, createdAt or company, `order` asc or desc. Each item carries its enrolment state.',
        tags,
        querystring: employeeQuery,
        response: { 200: employeeListDto, ...errors },
      },
    },
    async (request) => services.employees.list(request.query),
  );

  app.get(
    '/employees/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get an employee',
        description:
          'One employee with company, department, position, group memberships and their effective SSO setting (and where it comes from: override, domain or built-in). 404 `employees.not_found`.',
        tags,
        params: idParams,
        response: { 200: employeeDetailDto, ...errors },
      },
    },
    async (request) => withEffectiveSso(await services.employees.detail(request.params.id)),
  );

  app.post(
    '/employees',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create an employee',
        description:
          'Creates an employee by hand (source `manual`). 409 `employees.email_in_use`; 404 `organisation.company_not_found`, `organisation.department_not_found` or `organisation.position_not_found`; 400 `organisation.department_mismatch` when the department belongs to another company. No invitation is sent: use `POST /api/employees/{id}/invitations`. Audited.',
        tags,
        body: employeeCreate,
        response: { 201: employeeDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await services.employees.create(request.ctx, request.body)),
  );

  app.patch(
    '/employees/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Update an employee',
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
        summary: 'Sign an employee out everywhere',
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
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete an employee',
        description:
          'Deletes the employee with their credentials, invitations, sessions and tokens; workstations where they are signed in lock. An employee a directory imports comes back at the next sync unless removed from its sync group. 404 `employees.not_found`. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await services.employees.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
