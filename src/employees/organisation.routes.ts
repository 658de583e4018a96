import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import { companyDto, organisationNameBody, organisationRef, positionDto } from './organisation.schemas.js';
import type { OrganisationService } from './organisation.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OrganisationRoutesDeps = { organisation: OrganisationService };

const ok = (r: { id: string; name: string }) => ({ id: r.id, name: r.name });

export async function organisationRoutes(app: App, services: OrganisationRoutesDeps) {
  const org = services.organisation;
  const tags = ['Organisation'];
  const noContent = { 204: z.null(), ...errors };

  app.get(
    '/companies',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List companies',
        description: 'Every company with its departments, and how many employees each has.',
        tags,
        response: { 200: listOf(companyDto), ...errors },
      },
    },
    async () => ({
      items: await org.listCompanies(),
    }),
  );
  app.post(
    '/companies',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create a company',
        description: '409 `organisation.name_in_use` when the name exists. Audited.',
        tags,
        body: organisationNameBody,
        response: { 201: organisationRef, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(ok(await org.createCompany(req.ctx, req.body.name))),
  );
  app.patch(
    '/companies/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Rename a company',
        description: '404 `organisation.company_not_found`, 409 `organisation.name_in_use`. Audited.',
        tags,
        params: idParams,
        body: organisationNameBody,
        response: { 200: organisationRef, ...errors },
      },
    },
    async (req) => ok(await org.renameCompany(req.ctx, req.params.id, req.body.name)),
  );
  app.delete(
    '/companies/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete a company',
        description:
          'Refused with 409 `organisation.in_use` while employees are assigned to it (move them first); 404 `organisation.company_not_found`. Audited.',
        tags,
        params: idParams,
        response: noContent,
      },
    },
    async (req, reply) => {
      await org.deleteCompany(req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/companies/:id/departments',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Add a department to a company',
        description: 'Department names are unique within their company (409 `organisation.name_in_use`); 404 `organisation.company_not_found`. Audited.',
        tags,
        params: idParams,
        body: organisationNameBody,
        response: { 201: organisationRef, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(ok(await org.createDepartment(req.ctx, req.params.id, req.body.name))),
  );
  app.patch(
    '/departments/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Rename a department',
        description: '404 `organisation.department_not_found`, 409 `organisation.name_in_use` in the same company. Audited.',
        tags,
        params: idParams,
        body: organisationNameBody,
        response: { 200: organisationRef, ...errors },
      },
    },
    async (req) => ok(await org.renameDepartment(req.ctx, req.params.id, req.body.name)),
  );
  app.delete(
    '/departments/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete a department',
        description: 'Refused with 409 `organisation.in_use` while employees are in it; 404 `organisation.department_not_found`. Audited.',
        tags,
        params: idParams,
        response: noContent,
      },
    },
    async (req, reply) => {
      await org.deleteDepartment(req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/positions',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List positions',
        description: 'Every position (job title) with how many employees hold it.',
        tags,
        response: { 200: listOf(positionDto), ...errors },
      },
    },
    async () => ({
      items: await org.listPositions(),
    }),
  );
  app.post(
    '/positions',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create a position',
        description: '409 `organisation.name_in_use` when the name exists. Audited.',
        tags,
        body: organisationNameBody,
        response: { 201: organisationRef, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(ok(await org.createPosition(req.ctx, req.body.name))),
  );
  app.patch(
    '/positions/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Rename a position',
        description: '404 `organisation.position_not_found`, 409 `organisation.name_in_use`. Audited.',
        tags,
        params: idParams,
        body: organisationNameBody,
        response: { 200: organisationRef, ...errors },
      },
    },
    async (req) => ok(await org.renamePosition(req.ctx, req.params.id, req.body.name)),
  );
  app.delete(
    '/positions/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete a position',
        description: 'Refused with 409 `organisation.in_use` while employees hold it; 404 `organisation.position_not_found`. Audited.',
        tags,
        params: idParams,
        response: noContent,
      },
    },
    async (req, reply) => {
      await org.deletePosition(req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
}
