import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import { OtpInputError, parseOtpInput, type OtpParams } from './vault-account.otp.js';
import { DEFAULT_PASSWORD_POLICY, generatePassword, PasswordPolicyError, type PasswordPolicy } from './vault-account.password.js';
import * as repo from './vault-account.repository.js';
import type {
  AssignmentsBody,
  SharedAccountCreateBody,
  SharedAccountDto,
  VaultAccountCreateBody,
  VaultAccountDto,
  VaultAccountPatchBody,
} from './vault-account.schemas.js';

/** The sealed columns of vault_accounts; each value is sealed under `vault_accounts.<column>:<id>`. */
export type SealedVaultColumn = 'password' | 'otp_secret' | 'notes';
export const vaultAad = (column: SealedVaultColumn, id: string) => `vault_accounts.${column}:${id}`;

/** The employee as the vault needs them: who, and the department a shared account may be assigned to. */
export interface VaultHolder {
  id: string;
  email: string;
  departmentId: string | null;
}

/** A directory account of the employee as the directory feature lists it (no secret). */
export interface DirectoryAccountSummary {
  id: string;
  domainName: string;
  username: string;
  upn: string | null;
  passwordChangedAt: string | null;
  hasManagedPassword: boolean;
}

/** What the vault needs of other features, wired in src/app/services.ts (each through its service). */
export interface VaultAccountDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  sealer: Sealer;
  /** The employee, or undefined. */
  findEmployee(id: string, tx?: Executor): Promise<VaultHolder | undefined>;
  /** Those of these ids that are employees. */
  existingEmployeeIds(ids: string[]): Promise<Set<string>>;
  departmentExists(id: string): Promise<boolean>;
  /** The employee's directory accounts (src/directory), read-only in the vault. */
  directoryAccountsOf(employeeId: string): Promise<DirectoryAccountSummary[]>;
}

export const toOtpJson = (p: OtpParams) => JSON.stringify(p);

/** A change made by the declarative file (vault-account.declared.ts), which owns what it declares. */
type Declared = { isDeclared?: boolean };

/** The fields of a change that touch a secret or the account, by name only: what the audit log records. */
const changedFields = (input: Record<string, unknown>) =>
  Object.keys(input)
    .filter((k) => input[k] !== undefined && k !== 'passwordPolicy')
    .map((k) => (k === 'generatePassword' ? 'password' : k));

export type VaultAccountService = ReturnType<typeof createVaultAccountService>;

/**
 * Vault accounts (issue 14 item 5): personal accounts an employee keeps, shared accounts an admin
 * assigns to employees or departments (one record: a change reaches every holder; removing the
 * assignment revokes at once, as every read checks it), and the directory accounts, read-only.
 * Secrets are sealed the moment they arrive and opened only for a reveal (vault-account.reveal.ts)
 * or a workstation delivery; no list, no audit event and no log line carries one.
 */
export function createVaultAccountService(deps: VaultAccountDeps) {
  const { db, audit, clock, sealer } = deps;
  const target = (a: { id: string; name: string }) => ({ type: 'vault_account', id: a.id, label: a.name });
  const holderOf = (e: VaultHolder): repo.Holder => ({ employeeId: e.id, departmentId: e.departmentId });

  function policyOf(p?: Partial<PasswordPolicy>): PasswordPolicy {
    return { ...DEFAULT_PASSWORD_POLICY, ...p };
  }

  function generate(p?: Partial<PasswordPolicy>): string {
    try {
      return generatePassword(policyOf(p));
    } catch (err) {
      if (err instanceof PasswordPolicyError) throw new AppError('vault.policy_invalid', err.message);
      throw err;
    }
  }

  function otpOf(input: string): OtpParams {
    try {
      return parseOtpInput(input);
    } catch (err) {
      if (err instanceof OtpInputError) throw new AppError('vault.otp_invalid', err.message, { field: 'otp' });
      throw err;
    }
  }

  /** The columns for the secrets of a create or a change, sealed under the row's id; undefined leaves a column as it is. */
  function sealedColumns(
    id: string,
    input: { password?: string | null; generatePassword?: boolean; passwordPolicy?: Partial<PasswordPolicy>; otp?: string | null; notes?: string | null },
    isCreate: boolean,
  ): Partial<repo.NewVaultAccountRow> {
    const out: Partial<repo.NewVaultAccountRow> = {};
    let password = input.password;
    if ((password === undefined || password === null) && input.generatePassword) password = generate(input.passwordPolicy);
    if (password !== undefined) {
      out.password = password === null ? null : sealer.seal(password, vaultAad('password', id));
      out.passwordChangedAt = password === null ? null : clock.now();
    }
    if (input.otp !== undefined) out.otpSecret = input.otp === null ? null : sealer.seal(toOtpJson(otpOf(input.otp)), vaultAad('otp_secret', id));
    if (input.notes !== undefined) out.notes = input.notes === null || input.notes === '' ? null : sealer.seal(input.notes, vaultAad('notes', id));
    if (isCreate) out.passwordChangedAt ??= null;
    return out;
  }

  const toDto = (a: repo.VaultAccountRow, isReadOnly: boolean): VaultAccountDto => ({
    id: a.id,
    kind: a.kind,
    name: a.name,
    urls: a.urls,
    login: a.login,
    hasPassword: a.password !== null,
    hasOtp: a.otpSecret !== null,
    hasNotes: a.notes !== null,
    workstationUse: a.workstationUse,
    templateId: a.templateId,
    isReadOnly,
    passwordChangedAt: a.passwordChangedAt?.toISOString() ?? null,
    updatedAt: a.updatedAt.toISOString(),
  });

  const directoryDto = (d: DirectoryAccountSummary): VaultAccountDto => ({
    id: d.id,
    kind: 'directory',
    name: d.domainName,
    urls: [],
    login: d.upn ?? d.username,
    hasPassword: d.hasManagedPassword,
    hasOtp: false,
    hasNotes: false,
    // The directory password is what the workstation logon is given (issue 14 item 6).
    workstationUse: true,
    templateId: null,
    isReadOnly: true,
    passwordChangedAt: d.passwordChangedAt,
    updatedAt: null,
  });

  async function employeeOrThrow(id: string, tx?: Executor): Promise<VaultHolder> {
    const e = await deps.findEmployee(id, tx);
    if (!e) throw new AppError('employees.not_found', 'Employee was not found');
    return e;
  }

  const notFound = () => new AppError('vault.account_not_found', 'Vault account was not found');

  /** The account the employee may read, or 404 (another employee's id answers the same as an unknown one). */
  async function readable(employee: VaultHolder, id: string, tx: Executor = db): Promise<repo.VaultAccountRow> {
    const a = await repo.findReadableVaultAccount(tx, id, holderOf(employee));
    if (!a) throw notFound();
    return a;
  }

  /** The employee's own personal account, locked; 403 for a shared one they hold, 404 for any other. */
  async function ownPersonal(employee: VaultHolder, id: string, tx: Executor): Promise<repo.VaultAccountRow> {
    const a = await readable(employee, id, tx);
    if (a.kind !== 'personal') throw new AppError('vault.read_only', 'This account is shared by your administrator: you can use it, not change it');
    const locked = await repo.lockVaultAccountById(tx, id);
    if (!locked) throw notFound();
    return locked;
  }

  /** Every account of the employee: personal, shared with them, and their directory accounts. No secrets. */
  async function listFor(employeeId: string): Promise<VaultAccountDto[]> {
    const employee = await employeeOrThrow(employeeId);
    const [rows, directory] = await Promise.all([repo.findReadableVaultAccounts(db, holderOf(employee)), deps.directoryAccountsOf(employee.id)]);
    return [...directory.map(directoryDto), ...rows.map((a) => toDto(a, a.kind !== 'personal'))];
  }

  async function createPersonal(ctx: RequestContext, employee: VaultHolder, input: VaultAccountCreateBody, source = 'portal'): Promise<VaultAccountDto> {
    const id = crypto.randomUUID();
    return db.transaction(async (tx) => {
      const row = await repo.insertVaultAccount(tx, {
        id,
        kind: 'personal',
        employeeId: employee.id,
        name: input.name,
        urls: input.urls,
        login: input.login || null,
        workstationUse: input.workstationUse,
        templateId: input.templateId ?? null,
        source,
        ...sealedColumns(id, input, true),
      });
      await audit.record(
        ctx,
        { action: 'vault.account_created', target: target(row), details: { kind: 'personal', owner: employee.email, fields: changedFields(input) } },
        tx,
      );
      return toDto(row, false);
    });
  }

  async function updatePersonal(ctx: RequestContext, employee: VaultHolder, id: string, patch: VaultAccountPatchBody): Promise<VaultAccountDto> {
    return db.transaction(async (tx) => {
      const current = await ownPersonal(employee, id, tx);
      const row = await applyPatch(ctx, tx, current, patch, { owner: employee.email });
      return toDto(row, false);
    });
  }

  async function applyPatch(ctx: RequestContext, tx: Executor, current: repo.VaultAccountRow, patch: VaultAccountPatchBody, details: Record<string, unknown>) {
    const row = await repo.updateVaultAccountById(
      tx,
      current.id,
      {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.urls !== undefined ? { urls: patch.urls } : {}),
        ...(patch.login !== undefined ? { login: patch.login || null } : {}),
        ...(patch.workstationUse !== undefined ? { workstationUse: patch.workstationUse } : {}),
        ...sealedColumns(current.id, patch, false),
      },
      clock.now(),
    );
    if (!row) throw notFound();
    await audit.record(
      ctx,
      { action: 'vault.account_updated', target: target(row), details: { kind: row.kind, ...details, fields: changedFields(patch) } },
      tx,
    );
    return row;
  }

  async function deletePersonal(ctx: RequestContext, employee: VaultHolder, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await ownPersonal(employee, id, tx);
      await repo.deleteVaultAccountById(tx, current.id);
      await audit.record(ctx, { action: 'vault.account_deleted', target: target(current), details: { kind: 'personal', owner: employee.email } }, tx);
    });
  }

  // ---- Shared accounts (console) ----

  async function sharedOrThrow(id: string, tx: Executor = db, lock = false): Promise<repo.VaultAccountRow> {
    const a = lock ? await repo.lockVaultAccountById(tx, id) : await repo.findVaultAccountById(tx, id);
    if (a?.kind !== 'shared') throw notFound();
    return a;
  }

  /** A change from the console to an account the declarative file declares would be undone at the next start. */
  function checkNotDeclared(a: repo.VaultAccountRow, opts: Declared) {
    if (a.source === 'config' && !opts.isDeclared)
      throw new AppError('vault.managed_by_config', `${a.name} is declared in the configuration file (TESSERA_CONFIG): change it there`);
  }

  async function sharedDtos(rows: repo.VaultAccountRow[], tx: Executor = db): Promise<SharedAccountDto[]> {
    const assignments = await repo.findAssignmentsByAccountIds(
      tx,
      rows.map((r) => r.id),
    );
    return rows.map((r) => {
      const { isReadOnly: _, ...dto } = toDto(r, true);
      const mine = assignments.filter((x) => x.accountId === r.id);
      return {
        ...dto,
        source: r.source,
        createdAt: r.createdAt.toISOString(),
        assignments: {
          employeeIds: mine.flatMap((x) => (x.employeeId ? [x.employeeId] : [])),
          departmentIds: mine.flatMap((x) => (x.departmentId ? [x.departmentId] : [])),
        },
      };
    });
  }

  async function checkAssignees(to: { employeeIds: string[]; departmentIds: string[] }) {
    const known = await deps.existingEmployeeIds(to.employeeIds);
    const unknown = to.employeeIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new AppError('vault.assignee_not_found', `No such employee: ${unknown.slice(0, 5).join(', ')}`, { details: { unknown } });
    for (const d of to.departmentIds) {
      if (!(await deps.departmentExists(d))) throw new AppError('vault.assignee_not_found', `No such department: ${d}`, { details: { unknown: [d] } });
    }
  }

  const unique = (ids: string[]) => [...new Set(ids)];

  /** Replaces who holds the shared account; each added and removed holder is audited. Removing revokes at once. */
  async function assignInTx(ctx: RequestContext, tx: Executor, account: repo.VaultAccountRow, want: AssignmentsBody) {
    const [dto] = await sharedDtos([account], tx);
    const have = dto.assignments;
    const wantEmployees = unique(want.employeeIds);
    const wantDepartments = unique(want.departmentIds);
    const add = {
      employeeIds: wantEmployees.filter((id) => !have.employeeIds.includes(id)),
      departmentIds: wantDepartments.filter((id) => !have.departmentIds.includes(id)),
    };
    const remove = {
      employeeIds: have.employeeIds.filter((id) => !wantEmployees.includes(id)),
      departmentIds: have.departmentIds.filter((id) => !wantDepartments.includes(id)),
    };
    const removed = await repo.deleteAssignments(tx, account.id, remove);
    const added = await repo.insertAssignments(tx, account.id, add);
    if (added.length > 0) {
      await audit.record(
        ctx,
        { action: 'vault.account_assigned', target: target(account), details: { employees: add.employeeIds, departments: add.departmentIds } },
        tx,
      );
    }
    if (removed.length > 0) {
      await audit.record(
        ctx,
        { action: 'vault.account_unassigned', target: target(account), details: { employees: remove.employeeIds, departments: remove.departmentIds } },
        tx,
      );
    }
  }

  async function createShared(ctx: RequestContext, input: SharedAccountCreateBody, source = 'console'): Promise<SharedAccountDto> {
    const id = crypto.randomUUID();
    // Checked before the transaction: the lookups run on other connections (one only, on PGlite).
    if (input.assignments) await checkAssignees(input.assignments);
    return db.transaction(async (tx) => {
      const row = await repo.insertVaultAccount(tx, {
        id,
        kind: 'shared',
        employeeId: null,
        name: input.name,
        urls: input.urls,
        login: input.login || null,
        workstationUse: input.workstationUse,
        templateId: input.templateId ?? null,
        source,
        ...sealedColumns(id, input, true),
      });
      const { assignments, ...fields } = input;
      await audit.record(ctx, { action: 'vault.account_created', target: target(row), details: { kind: 'shared', fields: changedFields(fields) } }, tx);
      if (assignments) await assignInTx(ctx, tx, row, assignments);
      return (await sharedDtos([row], tx))[0];
    });
  }

  async function updateShared(ctx: RequestContext, id: string, patch: VaultAccountPatchBody, opts: Declared = {}): Promise<SharedAccountDto> {
    return db.transaction(async (tx) => {
      const current = await sharedOrThrow(id, tx, true);
      checkNotDeclared(current, opts);
      const row = await applyPatch(ctx, tx, current, patch, {});
      return (await sharedDtos([row], tx))[0];
    });
  }

  async function deleteShared(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await sharedOrThrow(id, tx, true);
      checkNotDeclared(current, {});
      await repo.deleteVaultAccountById(tx, id);
      await audit.record(ctx, { action: 'vault.account_deleted', target: target(current), details: { kind: 'shared' } }, tx);
    });
  }

  async function setAssignments(ctx: RequestContext, id: string, want: AssignmentsBody, opts: Declared = {}): Promise<SharedAccountDto> {
    await checkAssignees(want);
    return db.transaction(async (tx) => {
      const account = await sharedOrThrow(id, tx, true);
      checkNotDeclared(account, opts);
      await assignInTx(ctx, tx, account, want);
      return (await sharedDtos([account], tx))[0];
    });
  }

  /**
   * The employee's accounts marked for workstation use, opened: what the agent is given at logon
   * (issue 14 item 6). No audit here: the delivery records which accounts it delivered.
   */
  async function accountsForWorkstation(
    employeeId: string,
    tx?: Executor,
  ): Promise<{ id: string; name: string; urls: string[]; login: string | null; password: string | null }[]> {
    const q = tx ?? db;
    const employee = await deps.findEmployee(employeeId, q);
    if (!employee) return [];
    const rows = await repo.findWorkstationVaultAccounts(q, holderOf(employee));
    return rows.map((a) => ({
      id: a.id,
      name: a.name,
      urls: a.urls,
      login: a.login,
      password: a.password ? sealer.open(a.password, vaultAad('password', a.id)) : null,
    }));
  }

  return {
    generate,
    listFor,
    listOwn: (employee: VaultHolder) => listFor(employee.id),
    createPersonal,
    updatePersonal,
    deletePersonal,
    listShared: async () => sharedDtos(await repo.findSharedVaultAccounts(db)),
    getShared: async (id: string) => (await sharedDtos([await sharedOrThrow(id)]))[0],
    createShared,
    updateShared,
    deleteShared,
    setAssignments,
    accountsForWorkstation,
    /** The account the employee may read (reveal), or 404. */
    readable,
    employeeOrThrow,
  };
}
