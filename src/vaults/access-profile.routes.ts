import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import {
  accessProfileDto,
  assignAccessProfileBody,
  bulkAssignAccessProfileAnswer,
  bulkAssignAccessProfileBody,
  createAccessProfileBody,
  effectiveAccessProfileDto,
  updateAccessProfileBody,
} from './access-profile.schemas.js';
import type { AccessProfileService } from './access-profile.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type AccessProfileRoutesDeps = { accessProfiles: AccessProfileService };

export async function accessProfileRoutes(app: App, services: AccessProfileRoutesDeps) {
  const tags = ['Hardware keys'];
  const profiles = services.accessProfiles;

  app.get(
    '/access-profiles',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List access profiles',
        description:
          'Every access profile for hardware keys (user verification, minimum PIN length, allowed models, minutes before re-authentication), which one is the default, and how many keys use each.',
        tags,
        response: { 200: listOf(accessProfileDto), ...errors },
      },
    },
    async () => ({
      items: await profiles.list(),
    }),
  );

  app.get(
    '/access-profiles/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get an access profile',
        description: 'One access profile with its rules and key count. 404 `access_profiles.not_found`.',
        tags,
        params: idParams,
        response: { 200: accessProfileDto, ...errors },
      },
    },
    async (request) => profiles.get(request.params.id),
  );

  app.post(
    '/access-profiles',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create an access profile',
        tags,
        body: createAccessProfileBody,
        description:
          'A named access profile for hardware keys: user verification, minimum PIN length (where the authenticator reports it), allowed models (AAGUIDs; empty: any), re-authentication interval for workstation logon. `isDefault` makes it the profile of every key without one of its own.',
        response: { 201: accessProfileDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await profiles.create(request.ctx, request.body)),
  );

  app.patch(
    '/access-profiles/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Update an access profile',
        description:
          "Changes any subset of the profile's rules or makes it the default; keys that use it follow from their next check. 409 `access_profiles.name_in_use`, 404 `access_profiles.not_found`. Audited.",
        tags,
        params: idParams,
        body: updateAccessProfileBody,
        response: { 200: accessProfileDto, ...errors },
      },
    },
    async (request) => profiles.update(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/access-profiles/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete an access profile',
        tags,
        params: idParams,
        description:
          'Its keys fall back to the default profile (or the built-in default when it was the default). 404 `access_profiles.not_found`. Audited with the number of keys affected.',
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await profiles.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/hardware-keys/:id/access-profile',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get the access profile in force for a key',
        tags,
        params: idParams,
        description: 'The access profile in force for the key: its own, else the default one, else the built-in default (UV required, any model, 480 minutes).',
        response: { 200: effectiveAccessProfileDto, ...errors },
      },
    },
    async (request) => profiles.effectiveForKeyWithSource(request.params.id),
  );

  app.put(
    '/hardware-keys/:id/access-profile',
    {
      config: { access: 'write' },
      schema: {
        summary: "Set a hardware key's access profile",
        tags,
        params: idParams,
        body: assignAccessProfileBody,
        description: "Sets the key's own access profile; null: none of its own (the default applies).",
        response: { 200: effectiveAccessProfileDto, ...errors },
      },
    },
    async (request) => {
      await profiles.assign(request.ctx, request.params.id, request.body.accessProfileId);
      return profiles.effectiveForKeyWithSource(request.params.id);
    },
  );

  app.post(
    '/hardware-keys/bulk/access-profile',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Set the access profile of several keys',
        tags,
        body: bulkAssignAccessProfileBody,
        description: 'Sets the access profile of several keys at once (null: none of their own), in one transaction.',
        response: { 200: bulkAssignAccessProfileAnswer, ...errors },
      },
    },
    async (request) => profiles.assignMany(request.ctx, request.body.keyIds, request.body.accessProfileId),
  );
}
