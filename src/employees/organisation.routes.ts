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

  app.get('/companies', { config: { access: 'read' }, schema: { tags, response: { 200: listOf(companyDto), ...errors } } }, async () => ({
    items: await org.listCompanies(),
  }));
  app.post(
    '/companies',
    { config: { access: 'write' }, schema: { tags, body: organisationNameBody, response: { 201: organisationRef, ...errors } } },
    async (req, reply) => reply.code(201).send(ok(await org.createCompany(req.ctx, req.body.name))),
  );
  app.patch(
    '/companies/:id',
    { config: { access: 'write' }, schema: { tags, params: idParams, body: organisationNameBody, response: { 200: organisationRef, ...errors } } },
    async (req) => ok(await org.renameCompany(req.ctx, req.params.id, req.body.name)),
  );
  app.delete('/companies/:id', { config: { access: 'write' }, schema: { tags, params: idParams, response: noContent } }, async (req, reply) => {
    await org.deleteCompany(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });

  app.post(
    '/companies/:id/departments',
    { config: { access: 'write' }, schema: { tags, params: idParams, body: organisationNameBody, response: { 201: organisationRef, ...errors } } },
    async (req, reply) => reply.code(201).send(ok(await org.createDepartment(req.ctx, req.params.id, req.body.name))),
  );
  app.patch(
    '/departments/:id',
    { config: { access: 'write' }, schema: { tags, params: idParams, body: organisationNameBody, response: { 200: organisationRef, ...errors } } },
    async (req) => ok(await org.renameDepartment(req.ctx, req.params.id, req.body.name)),
  );
  app.delete('/departments/:id', { config: { access: 'write' }, schema: { tags, params: idParams, response: noContent } }, async (req, reply) => {
    await org.deleteDepartment(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/positions', { config: { access: 'read' }, schema: { tags, response: { 200: listOf(positionDto), ...errors } } }, async () => ({
    items: await org.listPositions(),
  }));
  app.post(
    '/positions',
    { config: { access: 'write' }, schema: { tags, body: organisationNameBody, response: { 201: organisationRef, ...errors } } },
    async (req, reply) => reply.code(201).send(ok(await org.createPosition(req.ctx, req.body.name))),
  );
  app.patch(
    '/positions/:id',
    { config: { access: 'write' }, schema: { tags, params: idParams, body: organisationNameBody, response: { 200: organisationRef, ...errors } } },
    async (req) => ok(await org.renamePosition(req.ctx, req.params.id, req.body.name)),
  );
  app.delete('/positions/:id', { config: { access: 'write' }, schema: { tags, params: idParams, response: noContent } }, async (req, reply) => {
    await org.deletePosition(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });
}
