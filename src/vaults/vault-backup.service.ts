import type { RequestContext } from '../lib/context.js';
import { AppError } from '../lib/errors.js';
import * as vaultRepo from './vault-account.repository.js';
import type { VaultAccountRow, VaultAssignmentRow, VaultTemplateRow } from './vault-account.repository.js';
import { type BackupManifest, type BackupRecord, writeDocument } from './vault-backup-document.js';
import { encryptBackup } from './vault-backup-format.js';
import { findVaultAccountsAfter } from './vault-backup.repository.js';
import { type SealedVaultColumn, type VaultBackupDeps, vaultSecretAad } from './vault-backup.deps.js';
import { restoreBackup } from './vault-backup.restore.js';
import type { AccountRecord, DepartmentRef, EmployeeRef, OnConflict, RestoreReport, TemplateRecord } from './vault-backup.schemas.js';

/**
 * Backup and restore of vault accounts (issue 14 item 9) to a file encrypted under a passphrase
 * (vault-backup-format.ts; docs/vault-backup-format.md). A backup holds templates, personal
 * accounts with their owner, and shared accounts with their assignees, people named by e-mail and
 * directory external ids so that another database can find them. Secrets are opened from their
 * seals only on their way into the encrypted stream; a restore seals them again under this
 * server's master key. Neither ever records the passphrase.
 */

export type VaultBackupService = ReturnType<typeof createVaultBackupService>;

/** Accounts read a page at a time: a backup of all never holds the whole table. */
const PAGE = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createVaultBackupService(deps: VaultBackupDeps) {
  const { db, audit, clock, sealer } = deps;

  const open = (sealed: string | null, column: SealedVaultColumn, id: string) => (sealed === null ? null : sealer.open(sealed, vaultSecretAad(column, id)));

  const toTemplateRecord = (t: VaultTemplateRow): TemplateRecord => ({
    type: 'template',
    id: t.id,
    name: t.name,
    urls: t.urls,
    loginHint: t.loginHint,
    source: t.source,
  });

  /** The people and departments a page of accounts names, looked up once for the page. */
  async function namesFor(rows: VaultAccountRow[], assignments: VaultAssignmentRow[]) {
    const ids = [...new Set([...rows.map((r) => r.employeeId), ...assignments.map((a) => a.employeeId)].filter((x): x is string => x !== null))];
    const emails = new Map((await deps.employees.summariesByIds(ids)).map((e) => [e.id, e.email]));
    const external = await deps.externalIds.byEmployee(ids);
    return (id: string): EmployeeRef | undefined => {
      const email = emails.get(id);
      return email === undefined ? undefined : { email, externalIds: external.get(id) ?? [] };
    };
  }

  function toAccountRecord(
    a: VaultAccountRow,
    assignments: VaultAssignmentRow[],
    person: (id: string) => EmployeeRef | undefined,
    department: (id: string) => DepartmentRef | undefined,
  ): AccountRecord {
    const mine = assignments.filter((x) => x.accountId === a.id);
    return {
      type: 'account',
      id: a.id,
      kind: a.kind,
      owner: a.employeeId ? (person(a.employeeId) ?? null) : null,
      name: a.name,
      urls: a.urls,
      login: a.login,
      password: open(a.password, 'password', a.id),
      otpSecret: open(a.otpSecret, 'otp_secret', a.id),
      notes: open(a.notes, 'notes', a.id),
      workstationUse: a.workstationUse,
      templateId: a.templateId,
      source: a.source,
      passwordChangedAt: a.passwordChangedAt?.toISOString() ?? null,
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
      assignees: mine.flatMap((x) => (x.employeeId ? (person(x.employeeId) ?? []) : [])),
      departments: mine.flatMap((x) => (x.departmentId ? (department(x.departmentId) ?? []) : [])),
    };
  }

  async function departmentNames(): Promise<(id: string) => DepartmentRef | undefined> {
    const byId = new Map((await deps.departments()).map((d) => [d.id, { company: d.company, department: d.name }]));
    return (id) => byId.get(id);
  }

  /** Every template and every account, a page at a time. */
  async function* everything(counts: { templates: number; accounts: number }): AsyncGenerator<BackupRecord> {
    for (const t of await vaultRepo.findVaultTemplates(db)) {
      counts.templates++;
      yield toTemplateRecord(t);
    }
    const department = await departmentNames();
    let after: string | null = null;
    for (;;) {
      const rows = await findVaultAccountsAfter(db, after, PAGE);
      if (rows.length === 0) return;
      const assignments = await vaultRepo.findAssignmentsByAccountIds(
        db,
        rows.map((r) => r.id),
      );
      const person = await namesFor(rows, assignments);
      for (const a of rows) {
        // A personal account whose owner is gone would have been deleted with them (cascade).
        counts.accounts++;
        yield toAccountRecord(a, assignments, person, department);
      }
      after = rows[rows.length - 1].id;
    }
  }

  /**
   * One employee's: their personal accounts, the shared ones that reach them with only the
   * assignment that does (theirs, or their department's), and the templates these use.
   */
  async function* oneEmployee(e: { id: string; departmentId: string | null }, counts: { templates: number; accounts: number }): AsyncGenerator<BackupRecord> {
    const rows = await vaultRepo.findReadableVaultAccounts(db, { employeeId: e.id, departmentId: e.departmentId });
    const reaching = (
      await vaultRepo.findAssignmentsByAccountIds(
        db,
        rows.filter((r) => r.kind === 'shared').map((r) => r.id),
      )
    ).filter((x) => x.employeeId === e.id || (e.departmentId !== null && x.departmentId === e.departmentId));
    for (const id of new Set(rows.map((r) => r.templateId).filter((x): x is string => x !== null))) {
      const t = await vaultRepo.findVaultTemplateById(db, id);
      if (!t) continue;
      counts.templates++;
      yield toTemplateRecord(t);
    }
    const person = await namesFor(rows, reaching);
    const department = await departmentNames();
    for (const a of rows) {
      counts.accounts++;
      yield toAccountRecord(a, reaching, person, department);
    }
  }

  async function findEmployee(key: string) {
    const e = UUID.test(key) ? await deps.employees.findById(key) : await deps.employees.findByEmail(key);
    if (!e) throw new AppError('employees.not_found', `No employee ${key}: give the e-mail address or id of an employee of this server`);
    return e;
  }

  return {
    /**
     * The encrypted backup, as a stream whose first chunk (the header) is already made: a refusal
     * (unknown employee) or the key derivation happens before the caller sends a byte. The export
     * is audited when the stream ends, with what it held, or with `completed: false` when the
     * reader stopped (a download cut off).
     */
    async exportBackup(
      ctx: RequestContext,
      opts: { passphrase: string; employee?: string },
    ): Promise<{
      filename: string;
      scope: BackupManifest['scope'];
      stream: AsyncGenerator<Buffer>;
      counts: { readonly templates: number; readonly accounts: number };
    }> {
      const employee = opts.employee === undefined ? undefined : await findEmployee(opts.employee);
      const externalIds: string[] = employee ? ((await deps.externalIds.byEmployee([employee.id])).get(employee.id) ?? []) : [];
      const scope: BackupManifest['scope'] = employee ? { kind: 'employee', email: employee.email, externalIds } : { kind: 'all' };
      const now = clock.now();
      const manifest: BackupManifest = {
        type: 'manifest',
        format: 'tessera-vault-backup',
        version: 1,
        createdAt: now.toISOString(),
        scope,
        source: deps.source,
      };
      const counts = { templates: 0, accounts: 0 };
      const records = employee ? oneEmployee(employee, counts) : everything(counts);
      const file = encryptBackup(writeDocument(manifest, records), { passphrase: opts.passphrase, kdf: deps.kdf });
      const label = employee ? employee.email : 'all employees';
      const target = { type: 'vault_backup', id: employee?.id ?? null, label };
      async function* audited(first: Buffer): AsyncGenerator<Buffer> {
        let isComplete = false;
        try {
          yield first;
          yield* file;
          isComplete = true;
        } finally {
          await audit.record(ctx, {
            action: 'vault_backup.exported',
            outcome: isComplete ? 'success' : 'failure',
            target,
            details: { scope: scope.kind, templates: counts.templates, accounts: counts.accounts, completed: isComplete },
          });
        }
      }
      const first = await file.next();
      if (first.done) throw new Error('vault backup: no header');
      const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
      const who = employee ? `-${employee.email.replace(/[^A-Za-z0-9._-]/g, '_')}` : '';
      // counts: what the stream has held so far (all of it once it has ended).
      return { filename: `tessera-vault${who}-${stamp}.tvb`, scope, stream: audited(first.value), counts };
    },

    /** Restores a backup in one transaction; see vault-backup.restore.ts. */
    restoreBackup: (
      ctx: RequestContext,
      file: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
      opts: { passphrase: string; onConflict: OnConflict },
    ): Promise<RestoreReport> => restoreBackup(deps, ctx, file, opts),
  };
}
