import { z } from 'zod';
import { employeeDto, employeeQuery } from '../employees/employee.schemas.js';
import type { App } from '../http/types.js';
import { errors, idParams, paged } from '../http/schemas.js';
import { groupCreate, groupDto, groupMemberParams, groupMembersAdd, groupPatch, groupQuery } from './group.schemas.js';
import type { GroupService } from './group.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type GroupRoutesDeps = { groups: GroupService };

const directoryNote = "Directory groups belong to their domain's sync: changing one is refused with 409 groups.directory_owned.";

export async function groupRoutes(app: App, services: GroupRoutesDeps) {
  const { groups } = services;
  const tags = ['Groups'];

  app.get(
    '/groups',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List groups',
        tags,
        querystring: groupQuery,
        response: { 200: paged(groupDto), ...errors },
        description: 'Local and directory groups by name, with their member counts.',
      },
    },
    async (request) => groups.list(request.query),
  );

  app.get(
    '/groups/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get a group',
        description: 'One group with its source (local, or the directory domain it comes from), description and member count. 404 `groups.not_found`.',
        tags,
        params: idParams,
        response: { 200: groupDto, ...errors },
      },
    },
    async (request) => groups.get(request.params.id),
  );

  app.post(
    '/groups',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create a local group',
        tags,
        body: groupCreate,
        response: { 201: groupDto, ...errors },
        description: 'Creates a local group; its name is unique among local groups, without regard to case.',
      },
    },
    async (request, reply) => reply.code(201).send(await groups.create(request.ctx, request.body)),
  );

  app.patch(
    '/groups/:id',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        body: groupPatch,
        response: { 200: groupDto, ...errors },
        summary: 'Update a group',
        description: `Renames a local group or changes its description. 409 groups.name_in_use, 404 groups.not_found. ${directoryNote} Audited.`,
      },
    },
    async (request) => groups.update(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/groups/:id',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
        summary: 'Delete a group',
        description: `Deletes a local group and its memberships; applications assigned to the group lose those members. 404 groups.not_found. ${directoryNote} Audited.`,
      },
    },
    async (request, reply) => {
      await groups.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/groups/:id/members',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List the members of a group',
        tags,
        params: idParams,
        querystring: employeeQuery.omit({ groupId: true }),
        response: { 200: paged(employeeDto), ...errors },
        description: "The group's members, with the employees list's search, filters, sorting and paging.",
      },
    },
    async (request) => groups.members(request.params.id, request.query),
  );

  app.post(
    '/groups/:id/members',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: idParams,
        body: groupMembersAdd,
        response: { 200: groupDto, ...errors },
        summary: 'Add members to a group',
        description: `Adds up to 500 employees by id; those already members stay as they are. 404 groups.employee_not_found lists unknown ids in details. ${directoryNote} Audited.`,
      },
    },
    async (request) => groups.addMembers(request.ctx, request.params.id, request.body.employeeIds),
  );

  app.delete(
    '/groups/:id/members/:employeeId',
    {
      config: { access: 'write' },
      schema: {
        tags,
        params: groupMemberParams,
        response: { 204: z.null(), ...errors },
        summary: 'Remove a member from a group',
        description: `404 groups.not_a_member when the employee is not in the group. ${directoryNote} Audited.`,
      },
    },
    async (request, reply) => {
      await groups.removeMember(request.ctx, request.params.id, request.params.employeeId);
      return reply.code(204).send(null);
    },
  );
}
