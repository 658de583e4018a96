import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { requestOptionsAnswer } from '../authn/authn.schemas.js';
import { employeeContext, requireEmployee } from '../authn/employee-session.js';
import type { App } from '../http/types.js';
import { errors, idParams, listOf } from '../http/schemas.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import {
  generatedPasswordAnswer,
  passwordPolicyBody,
  revealAnswer,
  revealBody,
  revealOptionsBody,
  vaultAccountCreateBody,
  vaultAccountDto,
  vaultAccountFromTemplateBody,
  vaultAccountPatchBody,
  vaultTemplateDto,
} from './vault-account.schemas.js';
import type { VaultRevealService } from './vault-account.reveal.js';
import type { VaultAccountService } from './vault-account.service.js';
import type { VaultTemplateService } from './vault-account.templates.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type VaultPortalRoutesDeps = {
  credentialLimiter: CredentialLimiter;
  vaultAccounts: VaultAccountService;
  vaultTemplates: VaultTemplateService;
  vaultReveal: VaultRevealService;
};

/** The portal's "My accounts" (issue 14 items 5 and 7): a signed-in employee's own vault. */
export async function vaultPortalRoutes(app: App, services: VaultPortalRoutesDeps, opts: { signInRateLimit: number }) {
  const tags = ['User portal: vault'];
  const access = 'employee' as const;
  const rateLimit = { max: opts.signInRateLimit, timeWindow: '1 minute' };
  const vault = services.vaultAccounts;
  const me = (request: Parameters<typeof requireEmployee>[0]) => {
    const { employee } = requireEmployee(request);
    return { employee, ctx: employeeContext(request, employee) };
  };

  app.get(
    '/portal/vault/accounts',
    {
      config: { access },
      schema: {
        summary: 'List my vault accounts',
        tags,
        description:
          'Your directory accounts, personal accounts and the shared accounts assigned to you. Never a secret: hasPassword, hasOtp, hasNotes say what is set.',
        response: { 200: listOf(vaultAccountDto), ...errors },
      },
    },
    async (request) => ({ items: await vault.listOwn(me(request).employee) }),
  );

  app.post(
    '/portal/vault/accounts',
    {
      config: { access },
      schema: {
        summary: 'Create a personal vault account',
        tags,
        body: vaultAccountCreateBody,
        description: 'A personal account. With no password and generatePassword true, one is generated with passwordPolicy (or the default policy).',
        response: { 201: vaultAccountDto, ...errors },
      },
    },
    async (request, reply) => {
      const { employee, ctx } = me(request);
      return reply.code(201).send(await vault.createPersonal(ctx, employee, request.body));
    },
  );

  app.post(
    '/portal/vault/accounts/from-template',
    {
      config: { access },
      schema: {
        summary: 'Create a personal vault account from a template',
        description: 'Starts a personal account from a template: its name (unless given), URLs and password policy. 404 `vault.template_not_found`. Audited.',
        tags,
        body: vaultAccountFromTemplateBody,
        response: { 201: vaultAccountDto, ...errors },
      },
    },
    async (request, reply) => {
      const { employee, ctx } = me(request);
      const body = await services.vaultTemplates.accountFrom(request.body);
      return reply.code(201).send(await vault.createPersonal(ctx, employee, body));
    },
  );

  app.patch(
    '/portal/vault/accounts/:id',
    {
      config: { access },
      schema: {
        summary: 'Update one of my vault accounts',
        tags,
        params: idParams,
        body: vaultAccountPatchBody,
        description: '403 vault.read_only for a shared account; 404 for any account that is not yours.',
        response: { 200: vaultAccountDto, ...errors },
      },
    },
    async (request) => {
      const { employee, ctx } = me(request);
      return vault.updatePersonal(ctx, employee, request.params.id, request.body);
    },
  );

  app.delete(
    '/portal/vault/accounts/:id',
    {
      config: { access },
      schema: {
        summary: 'Delete one of my vault accounts',
        description:
          'Deletes a personal account of the signed-in employee. 403 `vault.read_only` for a shared account; 404 `vault.account_not_found` for an account that is not theirs. Audited.',
        tags,
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { employee, ctx } = me(request);
      await vault.deletePersonal(ctx, employee, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/portal/vault/accounts/:id/reveal/options',
    {
      config: { access },
      schema: {
        summary: 'Start revealing a vault secret',
        tags,
        params: idParams,
        body: revealOptionsBody,
        description:
          'Starts the passkey check for one field of one account: options for navigator.credentials.get with userVerification required, single-use, 5 minutes, bound to you, the account and the field.',
        response: { 200: requestOptionsAnswer, ...errors },
      },
    },
    async (request) => {
      const answer = await services.vaultReveal.options(me(request).employee, request.params.id, request.body.field);
      return { ceremonyId: answer.ceremonyId, options: answer.options as Record<string, unknown> };
    },
  );

  app.post(
    '/portal/vault/accounts/:id/reveal',
    {
      config: { access, rateLimit },
      schema: {
        summary: 'Reveal a vault secret',
        tags,
        params: idParams,
        body: revealBody,
        description:
          'The field in clear (password, notes) or the current and next OTP codes, after the assertion with user verification. Refusals count against the failed-check budget of your address; every reveal and copy is audited.',
        response: { 200: revealAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const { employee, ctx } = me(request);
      return services.credentialLimiter.guard(request, reply, () =>
        services.vaultReveal.reveal(ctx, employee, request.params.id, {
          ...request.body,
          response: request.body.response as AuthenticationResponseJSON,
        }),
      );
    },
  );

  app.post(
    '/portal/vault/password-generator',
    {
      config: { access },
      schema: {
        summary: 'Generate a password',
        description: 'A random password following the given policy (length, character classes), for a new or changed account. Nothing is stored.',
        tags,
        body: passwordPolicyBody,
        response: { 200: generatedPasswordAnswer, ...errors },
      },
    },
    async (request) => ({ password: vault.generate(request.body) }),
  );

  app.get(
    '/portal/vault/templates',
    {
      config: { access },
      schema: {
        summary: 'List vault templates for me',
        description: 'The templates an employee can start a personal account from.',
        tags,
        response: { 200: listOf(vaultTemplateDto), ...errors },
      },
    },
    async () => ({
      items: await services.vaultTemplates.list(),
    }),
  );
}
