import type { Executor } from '../db/connection.js';
import type { RequestContext } from '../lib/context.js';
import { findInvalidText } from '../http/text-guard.js';
import { AppError } from '../lib/errors.js';
import * as vaultRepo from './vault-account.repository.js';
import { readDocument, type BackupRecord } from './vault-backup-document.js';
import { decryptBackup } from './vault-backup-format.js';
import { findVaultAccountByOwnerAndName } from './vault-backup.repository.js';
import { accountRecord, templateRecord, type EmployeeRef, type OnConflict, type RestoreReport } from './vault-backup.schemas.js';
import { vaultSecretAad, type SealedVaultColumn, type VaultBackupDeps } from './vault-backup.deps.js';

/**
 * A restore, in ONE transaction: a wrong passphrase is refused before the transaction opens (the
 * header and the first chunk are read first), and a chunk that fails later, a record that is not
 * valid, or a document without its end line rolls back everything written before it. What conflicts
 * (the same id, or the same owner and name: trimmed, case-insensitive) is skipped or overwritten as
 * asked; an id that exists with another kind or owner is always skipped (overwriting it would move
 * an account between people). Assignments of shared accounts are added, never removed. People the
 * backup names are found by directory external id first, then by e-mail; those this database does
 * not know are reported, and their personal accounts are not restored.
 */

const SOURCES = new Set(['console', 'portal', 'config']);
const MAX_LISTED = 100;
const normalizeName = (name: string) => name.trim().toLowerCase();

function parseRecord<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } },
  record: BackupRecord,
  n: number,
): T {
  // The HTTP edge's text guard never saw these strings (the body was the encrypted file): a NUL
  // would fail the INSERT (a 500), a lone surrogate be stored as U+FFFD, a password changed silently.
  const hostile = findInvalidText(record, 'record');
  if (hostile) throw new AppError('vault_backup.invalid_document', `Record ${n} (${record.type}) of the backup is not valid: ${hostile.message}`);
  const parsed = schema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AppError(
    'vault_backup.invalid_document',
    `Record ${n} (${record.type}) of the backup is not valid: ${issue.path.join('.') || '(record)'}: ${issue.message}`,
  );
}

export async function restoreBackup(
  deps: VaultBackupDeps,
  ctx: RequestContext,
  file: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: { passphrase: string; onConflict: OnConflict },
): Promise<RestoreReport> {
  const { db, audit, clock, sealer } = deps;
  const fail = async (err: unknown) => {
    if (err instanceof AppError)
      await audit.record(ctx, {
        action: 'vault_backup.restore_failed',
        outcome: 'failure',
        target: { type: 'vault_backup', id: null },
        details: { code: err.code, onConflict: opts.onConflict },
      });
    return err;
  };
  let doc: Awaited<ReturnType<typeof readDocument>>;
  try {
    doc = await readDocument(decryptBackup(file, { passphrase: opts.passphrase }));
  } catch (err) {
    throw await fail(err);
  }
  const { manifest } = doc;
  // Its strings reach the report and the audit log (jsonb refuses a NUL: a 500 otherwise).
  const hostile = findInvalidText(manifest, 'manifest');
  if (hostile) throw await fail(new AppError('vault_backup.invalid_document', `The backup's manifest is not valid: ${hostile.message}`));
  const departments = new Map((await deps.departments()).map((d) => [`${normalizeName(d.company)}\u0000${normalizeName(d.name)}`, d.id]));
  const report: RestoreReport = {
    scope: manifest.scope.kind === 'all' ? { kind: 'all' } : { kind: 'employee', email: manifest.scope.email },
    createdAt: manifest.createdAt,
    source: manifest.source,
    onConflict: opts.onConflict,
    templates: { created: 0, overwritten: 0, skipped: 0 },
    accounts: { created: 0, overwritten: 0, skipped: 0, skippedUnknownEmployee: 0 },
    assignmentsAdded: 0,
    unknownEmployees: [],
    unknownEmployeeCount: 0,
    unknownDepartments: [],
  };
  const unknown = new Set<string>();
  const unknownDepartments = new Set<string>();
  // One employee's backup holds that employee's accounts and assignments only (a writer never puts
  // anyone else in it): a file that does is not what its manifest says, and would overwrite or
  // grant accounts of people the admin did not mean to restore.
  const scopeEmail = manifest.scope.kind === 'employee' ? manifest.scope.email.toLowerCase() : undefined;
  const checkScope = (a: { owner: EmployeeRef | null; assignees: EmployeeRef[] }, n: number) => {
    if (scopeEmail === undefined) return;
    const other = [...(a.owner ? [a.owner] : []), ...a.assignees].find((p) => p.email.toLowerCase() !== scopeEmail);
    if (other)
      throw new AppError(
        'vault_backup.invalid_document',
        `Record ${n} (account) names ${other.email.slice(0, 320)}, but this is a backup of ${manifest.scope.kind === 'employee' ? manifest.scope.email : 'one employee'} only`,
      );
  };

  const run = async (tx: Executor) => {
    const people = new Map<string, string | undefined>();
    const resolve = async (ref: EmployeeRef): Promise<string | undefined> => {
      const key = `${ref.email.toLowerCase()}\u0000${ref.externalIds.join('\u0000')}`;
      if (!people.has(key)) {
        const byExternal = ref.externalIds.length > 0 ? await deps.externalIds.employeeIdFor(ref.externalIds, tx) : undefined;
        people.set(key, byExternal ?? (await deps.employees.findByEmail(ref.email, tx))?.id);
      }
      const id = people.get(key);
      if (!id) unknown.add(ref.email);
      return id;
    };
    const templateIds = new Map<string, string>();
    const now = clock.now();
    let n = 0;
    for await (const record of doc.records) {
      n++;
      if (record.type === 'template') {
        const t = parseRecord(templateRecord, record, n);
        const byId = await vaultRepo.findVaultTemplateById(tx, t.id);
        const byName = await vaultRepo.findVaultTemplateByName(tx, normalizeName(t.name));
        const existing = byId ?? byName;
        if (!existing) {
          const created = await vaultRepo.insertVaultTemplate(tx, {
            id: t.id,
            name: t.name,
            nameNormalized: normalizeName(t.name),
            urls: t.urls,
            loginHint: t.loginHint,
            source: SOURCES.has(t.source) ? t.source : 'console',
          });
          templateIds.set(t.id, created.id);
          report.templates.created++;
        } else if (opts.onConflict === 'overwrite' && (!byName || byName.id === existing.id)) {
          await vaultRepo.updateVaultTemplateById(
            tx,
            existing.id,
            { name: t.name, nameNormalized: normalizeName(t.name), urls: t.urls, loginHint: t.loginHint },
            now,
          );
          templateIds.set(t.id, existing.id);
          report.templates.overwritten++;
        } else {
          templateIds.set(t.id, existing.id);
          report.templates.skipped++;
        }
        continue;
      }
      if (record.type !== 'account')
        throw new AppError('vault_backup.invalid_document', `Record ${n} of the backup is of a type this Tessera does not know (${record.type})`);
      const a = parseRecord(accountRecord, record, n);
      checkScope(a, n);
      const ownerId = a.owner ? ((await resolve(a.owner)) ?? null) : null;
      if (a.owner && !ownerId) {
        report.accounts.skippedUnknownEmployee++;
        continue;
      }
      const byId = await vaultRepo.findVaultAccountById(tx, a.id);
      if (byId && (byId.kind !== a.kind || byId.employeeId !== ownerId)) {
        report.accounts.skipped++;
        continue;
      }
      const existing = byId ?? (await findVaultAccountByOwnerAndName(tx, { kind: a.kind, employeeId: ownerId, name: a.name }));
      if (existing && opts.onConflict === 'skip') {
        report.accounts.skipped++;
        continue;
      }
      const id = existing?.id ?? a.id;
      const seal = (value: string | null, column: SealedVaultColumn) => (value === null ? null : sealer.seal(value, vaultSecretAad(column, id)));
      const templateId = a.templateId ? (templateIds.get(a.templateId) ?? (await vaultRepo.findVaultTemplateById(tx, a.templateId))?.id ?? null) : null;
      const fields = {
        kind: a.kind,
        employeeId: ownerId,
        name: a.name,
        urls: a.urls,
        login: a.login,
        password: seal(a.password, 'password'),
        otpSecret: seal(a.otpSecret, 'otp_secret'),
        notes: seal(a.notes, 'notes'),
        workstationUse: a.workstationUse,
        templateId,
        passwordChangedAt: a.passwordChangedAt ? new Date(a.passwordChangedAt) : null,
      };
      if (existing) {
        await vaultRepo.updateVaultAccountById(tx, id, fields, now);
        report.accounts.overwritten++;
      } else {
        await vaultRepo.insertVaultAccount(tx, {
          id,
          ...fields,
          source: SOURCES.has(a.source) ? a.source : 'console',
          createdAt: new Date(a.createdAt),
          updatedAt: now,
        });
        report.accounts.created++;
      }
      if (a.kind !== 'shared') continue;
      const employeeIds: string[] = [];
      for (const ref of a.assignees) {
        const e = await resolve(ref);
        if (e) employeeIds.push(e);
      }
      const departmentIds: string[] = [];
      for (const d of a.departments) {
        const found = departments.get(`${normalizeName(d.company)}\u0000${normalizeName(d.department)}`);
        if (found) departmentIds.push(found);
        else unknownDepartments.add(`${d.company} / ${d.department}`);
      }
      report.assignmentsAdded += (await vaultRepo.insertAssignments(tx, id, { employeeIds, departmentIds })).length;
    }
    report.unknownEmployeeCount = unknown.size;
    report.unknownEmployees = [...unknown].slice(0, MAX_LISTED);
    report.unknownDepartments = [...unknownDepartments].slice(0, MAX_LISTED);
    await audit.record(
      ctx,
      {
        action: 'vault_backup.restored',
        target: { type: 'vault_backup', id: null, label: report.scope.kind === 'all' ? 'all employees' : (report.scope.email ?? 'one employee') },
        details: {
          scope: report.scope.kind,
          backupCreatedAt: report.createdAt,
          backupSource: report.source,
          onConflict: report.onConflict,
          templates: report.templates,
          accounts: report.accounts,
          assignmentsAdded: report.assignmentsAdded,
          unknownEmployees: report.unknownEmployeeCount,
        },
      },
      tx,
    );
  };

  try {
    await db.transaction(run);
  } catch (err) {
    throw await fail(err);
  }
  return report;
}
