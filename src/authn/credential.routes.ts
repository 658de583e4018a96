import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams } from '../http/schemas.js';
import { credentialParams, employeeCredentialsAnswer, toCredentialDto } from './authn.schemas.js';
import type { EmployeeService } from '../employees/employee.service.js';
import type { EmployeeFactorService } from './employee-factors.service.js';
import type { CredentialService } from './credential.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type CredentialRoutesDeps = { credentials: CredentialService; employeeFactors: EmployeeFactorService; employees: EmployeeService };

/** Admin: an employee's passkeys, security keys, password and TOTP (console, or an API key). */
export async function employeeCredentialRoutes(app: App, services: CredentialRoutesDeps) {
  const tags = ['Employees'];

  app.get(
    '/employees/:id/credentials',
    {
      config: { access: 'read' },
      schema: {
        summary: "List an employee's credentials",
        description:
          "The employee's passkeys and security keys (name, kind, authenticator model, created, last used) and whether they have a password and TOTP. 404 `employees.not_found`.",
        tags,
        params: idParams,
        response: { 200: employeeCredentialsAnswer, ...errors },
      },
    },
    async (request) => {
      const employee = await services.employees.get(request.params.id);
      const [rows, factors] = await Promise.all([
        services.credentials.list({ type: 'employee', id: employee.id }),
        services.employeeFactors.status(employee.id),
      ]);
      return { items: rows.map(toCredentialDto), ...factors };
    },
  );

  app.delete(
    '/employees/:id/credentials/:credentialId',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Remove one credential of an employee',
        tags,
        params: credentialParams,
        response: { 204: z.null(), ...errors },
        description: "Removes one passkey or security key (a lost key). The employee's sessions end.",
      },
    },
    async (request, reply) => {
      const employee = await services.employees.get(request.params.id);
      await services.employeeFactors.removeCredential(request.ctx, employee, request.params.credentialId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/employees/:id/credentials',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Remove all credentials of an employee',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
        description:
          "Removes every passkey and security key of the employee, and the password and TOTP; the employee's sessions end. Send a new invitation to let them enrol again.",
      },
    },
    async (request, reply) => {
      const employee = await services.employees.get(request.params.id);
      await services.employeeFactors.removeAll(request.ctx, employee);
      return reply.code(204).send(null);
    },
  );
}
