import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import { parseOtpInput } from './vault-account.otp.js';
import * as repo from './vault-account.repository.js';
import type { VaultAccountPatchBody } from './vault-account.schemas.js';
import { toOtpJson, type VaultAccountService } from './vault-account.service.js';
import { normalizeTemplateName, type VaultTemplateService } from './vault-account.templates.js';
import { vaultSecretAad } from './vault-backup.deps.js';

/**
 * Templates and shared accounts declared in the declarative file (issue 14 item 5; the file's
 * `vault:` section, src/app/declarative-config.ts). Applied at every start, idempotently: a
 * declared item is found by its name (trimmed, case-insensitive), created when missing, brought
 * to what the file says when it differs (secrets compared once opened, never logged), and left
 * alone, unaudited, when it matches. The file then owns it (`source` 'config'): a shared account's
 * assignments are the file's list, so one added in the console is removed at the next start.
 * Writes go through the vault's services, so they are audited as the console's are.
 */

export interface DeclaredTemplate {
  name: string;
  urls: string[];
  loginHint: string | null;
}

export interface DeclaredSharedAccount {
  name: string;
  urls: string[];
  login: string | null;
  /** Resolved from their references by the caller. */
  password: string | null;
  otp: string | null;
  notes: string | null;
  workstationUse: boolean;
  /** The template's name, declared in the file or already on the server. */
  template: string | null;
  assignments: { employeeIds: string[]; departmentIds: string[] };
}

export type DeclaredResult = 'created' | 'updated' | 'unchanged';

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
const sameList = (a: string[], b: string[]) => a.join('\u0000') === b.join('\u0000');

export function createDeclaredVault(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  sealer: Pick<Sealer, 'open'>;
  vault: VaultAccountService;
  templates: VaultTemplateService;
}) {
  const { db, audit, clock, sealer, vault, templates } = deps;

  async function ensureTemplate(ctx: RequestContext, t: DeclaredTemplate): Promise<DeclaredResult> {
    const existing = await repo.findVaultTemplateByName(db, normalizeTemplateName(t.name));
    if (!existing) {
      await templates.create(ctx, t, 'config');
      return 'created';
    }
    const patch = {
      ...(existing.name !== t.name ? { name: t.name } : {}),
      ...(!sameList(existing.urls, t.urls) ? { urls: t.urls } : {}),
      ...((existing.loginHint ?? null) !== t.loginHint ? { loginHint: t.loginHint } : {}),
    };
    if (Object.keys(patch).length === 0 && existing.source === 'config') return 'unchanged';
    if (Object.keys(patch).length > 0) await templates.update(ctx, existing.id, patch, { isDeclared: true });
    if (existing.source !== 'config')
      await db.transaction(async (tx) => {
        await repo.updateVaultTemplateById(tx, existing.id, { source: 'config' }, clock.now());
        await audit.record(
          ctx,
          { action: 'vault.template_updated', target: { type: 'vault_template', id: existing.id, label: t.name }, details: { fields: ['source'] } },
          tx,
        );
      });
    return 'updated';
  }

  async function templateIdOf(name: string | null): Promise<string | null> {
    if (name === null) return null;
    const t = await repo.findVaultTemplateByName(db, normalizeTemplateName(name));
    if (!t) throw new AppError('vault.template_not_found', `no template named ${name}: declare it under vault.templates or create it in the console`);
    return t.id;
  }

  async function ensureSharedAccount(ctx: RequestContext, a: DeclaredSharedAccount): Promise<DeclaredResult> {
    const templateId = await templateIdOf(a.template);
    const named = (await repo.findSharedVaultAccounts(db)).filter((r) => normalizeTemplateName(r.name) === normalizeTemplateName(a.name));
    if (named.length > 1)
      // Said by the declarative file's error (which names the file and the entry), not an API answer.
      throw new Error(`${named.length} shared accounts are named ${a.name}: rename all but one in the console, then start again`);
    const [existing] = named;
    if (!existing) {
      await vault.createShared(
        ctx,
        {
          name: a.name,
          urls: a.urls,
          login: a.login,
          password: a.password,
          otp: a.otp,
          notes: a.notes,
          workstationUse: a.workstationUse,
          ...(templateId ? { templateId } : {}),
          assignments: a.assignments,
        },
        'config',
      );
      return 'created';
    }
    const open = (sealed: string | null, column: 'password' | 'otp_secret' | 'notes') =>
      sealed === null ? null : sealer.open(sealed, vaultSecretAad(column, existing.id));
    const wantedOtp = a.otp === null ? null : toOtpJson(parseOtpInput(a.otp));
    const patch: VaultAccountPatchBody = {
      ...(existing.name !== a.name ? { name: a.name } : {}),
      ...(!sameList(existing.urls, a.urls) ? { urls: a.urls } : {}),
      ...((existing.login ?? null) !== a.login ? { login: a.login } : {}),
      ...(existing.workstationUse !== a.workstationUse ? { workstationUse: a.workstationUse } : {}),
      ...(open(existing.password, 'password') !== a.password ? { password: a.password } : {}),
      ...(open(existing.otpSecret, 'otp_secret') !== wantedOtp ? { otp: a.otp } : {}),
      ...(open(existing.notes, 'notes') !== (a.notes || null) ? { notes: a.notes } : {}),
    };
    let isChanged = false;
    if (Object.keys(patch).length > 0) {
      await vault.updateShared(ctx, existing.id, patch, { isDeclared: true });
      isChanged = true;
    }
    const current = await vault.getShared(existing.id);
    if (!sameSet(current.assignments.employeeIds, a.assignments.employeeIds) || !sameSet(current.assignments.departmentIds, a.assignments.departmentIds)) {
      await vault.setAssignments(ctx, existing.id, a.assignments, { isDeclared: true });
      isChanged = true;
    }
    if (existing.source !== 'config' || existing.templateId !== templateId) {
      const fields = [...(existing.source !== 'config' ? ['source'] : []), ...(existing.templateId !== templateId ? ['templateId'] : [])];
      await db.transaction(async (tx) => {
        await repo.updateVaultAccountById(tx, existing.id, { source: 'config', templateId }, clock.now());
        await audit.record(
          ctx,
          { action: 'vault.account_updated', target: { type: 'vault_account', id: existing.id, label: existing.name }, details: { kind: 'shared', fields } },
          tx,
        );
      });
      isChanged = true;
    }
    return isChanged ? 'updated' : 'unchanged';
  }

  /**
   * Templates and shared accounts the file declared and no longer does: handed back to the
   * console (source 'console'), which may then change or delete them. Nothing is deleted.
   */
  async function releaseUndeclared(ctx: RequestContext, declared: { templates: string[]; sharedAccounts: string[] }): Promise<string[]> {
    const released: string[] = [];
    const keepTemplates = new Set(declared.templates.map(normalizeTemplateName));
    const keepAccounts = new Set(declared.sharedAccounts.map(normalizeTemplateName));
    for (const t of await repo.findVaultTemplates(db)) {
      if (t.source !== 'config' || keepTemplates.has(t.nameNormalized)) continue;
      await db.transaction(async (tx) => {
        await repo.updateVaultTemplateById(tx, t.id, { source: 'console' }, clock.now());
        await audit.record(
          ctx,
          { action: 'vault.template_updated', target: { type: 'vault_template', id: t.id, label: t.name }, details: { fields: ['source'] } },
          tx,
        );
      });
      released.push(`vault template ${t.name} no longer declared: managed in the console`);
    }
    for (const a of await repo.findConfigSharedAccounts(db)) {
      if (keepAccounts.has(normalizeTemplateName(a.name))) continue;
      await db.transaction(async (tx) => {
        await repo.updateVaultAccountById(tx, a.id, { source: 'console' }, clock.now());
        await audit.record(
          ctx,
          { action: 'vault.account_updated', target: { type: 'vault_account', id: a.id, label: a.name }, details: { kind: 'shared', fields: ['source'] } },
          tx,
        );
      });
      released.push(`vault shared account ${a.name} no longer declared: managed in the console`);
    }
    return released;
  }

  return { ensureTemplate, ensureSharedAccount, releaseUndeclared };
}

export type DeclaredVault = ReturnType<typeof createDeclaredVault>;
