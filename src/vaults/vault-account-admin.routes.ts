import { z } from 'zod';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import {
  assignmentsBody,
  generatedPasswordAnswer,
  passwordPolicyBody,
  sharedAccountCreateBody,
  sharedAccountDto,
  vaultAccountDto,
  vaultAccountPatchBody,
  vaultTemplateBody,
  vaultTemplateDto,
  vaultTemplatePatchBody,
} from './vault-account.schemas.js';
import type { VaultAccountService } from './vault-account.service.js';
import type { VaultTemplateService } from './vault-account.templates.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type VaultAdminRoutesDeps = { vaultAccounts: VaultAccountService; vaultTemplates: VaultTemplateService };

/** The console's vault (issue 14 items 5 and 10): shared accounts, templates, an employee's accounts. Never a secret in an answer. */
export async function vaultAdminRoutes(app: App, services: VaultAdminRoutesDeps) {
  const tags = ['Vault'];
  const vault = services.vaultAccounts;
  const templates = services.vaultTemplates;

  app.get(
    '/vault/shared-accounts',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List shared vault accounts',
        description: 'Every shared account with its name, URLs, login, what is set (password, OTP, notes; never the secret) and who holds it.',
        tags,
        response: { 200: listOf(sharedAccountDto), ...errors },
      },
    },
    async () => ({
      items: await vault.listShared(),
    }),
  );

  app.post(
    '/vault/shared-accounts',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create a shared vault account',
        tags,
        body: sharedAccountCreateBody,
        description: 'One account for many employees: assign it to employees or whole departments. Secrets are sealed at once and never answered.',
        response: { 201: sharedAccountDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await vault.createShared(request.ctx, request.body)),
  );

  app.get(
    '/vault/shared-accounts/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get a shared vault account',
        description: 'One shared account with its holders (employees and departments); never a secret. 404 `vault.account_not_found`.',
        tags,
        params: idParams,
        response: { 200: sharedAccountDto, ...errors },
      },
    },
    async (request) => vault.getShared(request.params.id),
  );

  app.patch(
    '/vault/shared-accounts/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Update a shared vault account',
        tags,
        params: idParams,
        body: vaultAccountPatchBody,
        description:
          'Changes the account for every holder at once; a secret sent is sealed and never answered. 404 `vault.account_not_found`, 409 `vault.managed_by_config` for an account from the configuration file. Audited (never the secret).',
        response: { 200: sharedAccountDto, ...errors },
      },
    },
    async (request) => vault.updateShared(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/vault/shared-accounts/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete a shared vault account',
        description:
          'Every holder loses the account at once. 404 `vault.account_not_found`; 409 `vault.managed_by_config` for an account from the configuration file. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await vault.deleteShared(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/vault/shared-accounts/:id/assignments',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Set who holds a shared vault account',
        tags,
        params: idParams,
        body: assignmentsBody,
        description: 'Who holds the account, replaced as a whole. A holder removed loses it at once (no reveal after this answer).',
        response: { 200: sharedAccountDto, ...errors },
      },
    },
    async (request) => vault.setAssignments(request.ctx, request.params.id, request.body),
  );

  app.get(
    '/vault/templates',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List vault templates',
        description: 'Templates for vault accounts (name, URLs, password policy) that employees and admins start accounts from.',
        tags,
        response: { 200: listOf(vaultTemplateDto), ...errors },
      },
    },
    async () => ({
      items: await templates.list(),
    }),
  );

  app.post(
    '/vault/templates',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Create a vault template',
        description:
          'A template gives new accounts their name, URLs and password policy. 409 `vault.template_name_in_use`, 400 `vault.policy_invalid`. Audited.',
        tags,
        body: vaultTemplateBody,
        response: { 201: vaultTemplateDto, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await templates.create(request.ctx, request.body)),
  );

  app.patch(
    '/vault/templates/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Update a vault template',
        description:
          'Accounts already made from it keep their values. 404 `vault.template_not_found`, 409 `vault.template_name_in_use` or `vault.managed_by_config`. Audited.',
        tags,
        params: idParams,
        body: vaultTemplatePatchBody,
        response: { 200: vaultTemplateDto, ...errors },
      },
    },
    async (request) => templates.update(request.ctx, request.params.id, request.body),
  );

  app.delete(
    '/vault/templates/:id',
    {
      config: { access: 'write' },
      schema: {
        summary: 'Delete a vault template',
        description:
          'Accounts made from it stay. 404 `vault.template_not_found`, 409 `vault.managed_by_config` for a template from the configuration file. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await templates.remove(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/vault/password-generator',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Generate a password (admin)',
        description: 'A random password following the given policy (length, character classes), generated on the server with a CSPRNG. Nothing is stored.',
        tags,
        body: passwordPolicyBody,
        response: { 200: generatedPasswordAnswer, ...errors },
      },
    },
    async (request) => ({ password: vault.generate(request.body) }),
  );

  app.get(
    '/employees/:id/vault-accounts',
    {
      config: { access: 'read' },
      schema: {
        summary: "List an employee's vault accounts",
        tags,
        params: idParams,
        description: "The employee's directory, personal and shared accounts: names, logins and what is set, never a secret.",
        response: { 200: listOf(vaultAccountDto), ...errors },
      },
    },
    async (request) => ({ items: await vault.listFor(request.params.id) }),
  );
}
