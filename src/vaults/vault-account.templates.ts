import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import * as repo from './vault-account.repository.js';
import type { VaultAccountCreateBody, VaultTemplateBody, VaultTemplateDto, VaultTemplatePatchBody } from './vault-account.schemas.js';

export const normalizeTemplateName = (name: string) => name.trim().toLowerCase();

const toTemplateDto = (t: repo.VaultTemplateRow): VaultTemplateDto => ({
  id: t.id,
  name: t.name,
  urls: t.urls,
  loginHint: t.loginHint,
  source: t.source,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export type VaultTemplateService = ReturnType<typeof createVaultTemplateService>;

/**
 * Templates (issue 14 item 5): an application's name and URLs, from which an employee or an admin
 * makes an account by filling in the login and the password. An account keeps its own copy of the
 * name and URLs: changing or deleting a template changes no account made from it.
 */
export function createVaultTemplateService(deps: { db: Db; audit: AuditService; clock: Clock }) {
  const { db, audit, clock } = deps;
  const target = (t: { id: string; name: string }) => ({ type: 'vault_template', id: t.id, label: t.name });

  async function templateOrThrow(id: string): Promise<repo.VaultTemplateRow> {
    const t = await repo.findVaultTemplateById(db, id);
    if (!t) throw new AppError('vault.template_not_found', 'Template was not found');
    return t;
  }

  const nameInUse = (name: string, cause: unknown) =>
    new AppError('vault.template_name_in_use', `A template named ${name} already exists`, { cause, field: 'name' });

  async function create(ctx: RequestContext, input: VaultTemplateBody, source = 'console'): Promise<VaultTemplateDto> {
    try {
      return await db.transaction(async (tx) => {
        const row = await repo.insertVaultTemplate(tx, {
          name: input.name,
          nameNormalized: normalizeTemplateName(input.name),
          urls: input.urls,
          loginHint: input.loginHint || null,
          source,
        });
        await audit.record(ctx, { action: 'vault.template_created', target: target(row), details: { urls: row.urls } }, tx);
        return toTemplateDto(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameInUse(input.name, err);
      throw err;
    }
  }

  /** A change from the console to a template the declarative file declares would be undone at the next start. */
  function checkNotDeclared(t: repo.VaultTemplateRow, opts: { isDeclared?: boolean }) {
    if (t.source === 'config' && !opts.isDeclared)
      throw new AppError('vault.managed_by_config', `The template ${t.name} is declared in the configuration file (TESSERA_CONFIG): change it there`);
  }

  async function update(ctx: RequestContext, id: string, patch: VaultTemplatePatchBody, opts: { isDeclared?: boolean } = {}): Promise<VaultTemplateDto> {
    checkNotDeclared(await templateOrThrow(id), opts);
    try {
      return await db.transaction(async (tx) => {
        const row = await repo.updateVaultTemplateById(
          tx,
          id,
          {
            ...(patch.name !== undefined ? { name: patch.name, nameNormalized: normalizeTemplateName(patch.name) } : {}),
            ...(patch.urls !== undefined ? { urls: patch.urls } : {}),
            ...(patch.loginHint !== undefined ? { loginHint: patch.loginHint || null } : {}),
          },
          clock.now(),
        );
        if (!row) throw new AppError('vault.template_not_found', 'Template was not found');
        await audit.record(ctx, { action: 'vault.template_updated', target: target(row), details: { fields: Object.keys(patch) } }, tx);
        return toTemplateDto(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameInUse(patch.name ?? '', err);
      throw err;
    }
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    checkNotDeclared(await templateOrThrow(id), {});
    await db.transaction(async (tx) => {
      const row = await repo.deleteVaultTemplateById(tx, id);
      if (!row) throw new AppError('vault.template_not_found', 'Template was not found');
      await audit.record(ctx, { action: 'vault.template_deleted', target: target(row) }, tx);
    });
  }

  /** The body of a new account from the template: its name (unless given) and URLs, with the rest filled in. */
  async function accountFrom(input: Omit<VaultAccountCreateBody, 'name' | 'urls' | 'templateId'> & { templateId: string; name?: string }) {
    const t = await templateOrThrow(input.templateId);
    const { templateId, name, ...rest } = input;
    return { ...rest, name: name || t.name, urls: t.urls, templateId } satisfies VaultAccountCreateBody;
  }

  return {
    list: async () => (await repo.findVaultTemplates(db)).map(toTemplateDto),
    get: async (id: string) => toTemplateDto(await templateOrThrow(id)),
    findByName: (name: string) => repo.findVaultTemplateByName(db, normalizeTemplateName(name)),
    create,
    update,
    remove,
    accountFrom,
  };
}
