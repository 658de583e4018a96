import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import { DirectoryError, type DirectoryAccountRef } from './connector.js';
import * as repo from './directory.repository.js';
import { toAppError, type DomainService } from './domain.service.js';

export const passwordAad = (id: string) => `domain_passwords.password:${id}`;

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '!#$%*+-=?@^_~';

/**
 * A random password AD's complexity rule accepts (three of four character classes; we use all
 * four, MS "Password must meet complexity requirements"), 24 characters (~150 bits).
 */
export function generateDomainPassword(length = 24, randomInt: (max: number) => number = crypto.randomInt): string {
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  const chars = [UPPER, LOWER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

/** Steps of a password change, for fault-injection tests (a crash between each). */
export type PasswordStep = 'pending_saved' | 'written' | 'verified';

/** Refusals after which the directory certainly kept the old password. */
const DEFINITE = new Set([
  'password_policy',
  'insufficient_rights',
  'account_not_found',
  'insecure_transport',
  'credentials_missing',
  'not_supported',
  'account_disabled',
]);

export type PasswordService = ReturnType<typeof createPasswordService>;

/** Why an employee's passwords rotate or not (the employee page says it). */
export interface RotationStatus {
  eligible: boolean;
  code: 'eligible' | 'employee_inactive' | 'no_directory_account' | 'rotation_off' | 'not_in_rotation_group' | 'no_active_key';
  reason: string | null;
}

/**
 * Domain passwords Tessera sets (rotation, admin set/generate) follow one protocol that never
 * loses the password the directory holds: seal and save it as *pending* first, then write it to
 * the directory, verify it with a bind, then make it *current* (older ones are erased). After a
 * crash, `reconcile` binds with every pending password: one that works becomes current, one that
 * does not is dropped (the directory kept the previous one). Nothing returns a password.
 */
export function createPasswordService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  sealer: Sealer;
  domains: DomainService;
  /**
   * Those of the employees rotation applies to: active, holding an Active hardware key, or, where
   * the domain lets the portal deliver (`portal`), able to sign in to it with a passkey.
   */
  findRotationEligible: (employeeIds: string[], opts: { portal: boolean }) => Promise<Set<string>>;
  /** The employee's status (active, disabled, deactivated), undefined for an unknown one. */
  employeeStatus?: (employeeId: string) => Promise<string | undefined>;
  onStep?: (step: PasswordStep) => void | Promise<void>;
}) {
  const { db, audit, clock, sealer, domains } = deps;
  const step = async (s: PasswordStep) => {
    await deps.onStep?.(s);
  };
  const ref = (a: repo.AccountRow): DirectoryAccountRef => ({ externalId: a.externalId, username: a.username, upn: a.upn });
  const target = (a: repo.AccountRow) => ({ type: 'employee', id: a.employeeId, label: a.upn ?? a.username });

  /**
   * `password`: the plaintext that was just verified against the directory. The row is sealed
   * again from it, so a reconcile on another node that dropped the row in the meantime (it bound
   * before our write reached AD) cannot leave the directory holding a password Tessera lost.
   */
  async function makeCurrent(
    ctx: RequestContext,
    row: repo.DomainPasswordRow,
    account: repo.AccountRow,
    action: 'directory.password_rotated' | 'directory.password_set' | 'directory.password_reconciled',
    domainName: string,
    password: string,
  ) {
    await db.transaction(async (tx) => {
      const now = clock.now();
      await repo.supersedeCurrentPasswords(tx, account.id, row.id, now);
      await repo.updateDomainPasswordById(tx, row.id, { state: 'current', password: sealer.seal(password, passwordAad(row.id)), resolvedAt: now });
      await repo.updateAccountById(tx, account.id, { passwordChangedAt: now }, now);
      await audit.record(ctx, { action, target: target(account), details: { domain: domainName, account: account.username, reason: row.reason } }, tx);
    });
  }

  async function markFailed(ctx: RequestContext, row: repo.DomainPasswordRow, account: repo.AccountRow, domainName: string, err: unknown) {
    await db.transaction(async (tx) => {
      // Only a row still pending: one the writer has just made current holds what AD has.
      if (!(await repo.resolvePendingPasswordById(tx, row.id, { state: 'failed', password: null, resolvedAt: clock.now() }))) return;
      await audit.record(
        ctx,
        {
          action: 'directory.password_change_failed',
          outcome: 'failure',
          target: target(account),
          details: {
            domain: domainName,
            account: account.username,
            reason: row.reason,
            code: (err as DirectoryError)?.code ?? 'failed',
            message: (err as Error)?.message,
          },
        },
        tx,
      );
    });
  }

  /** The protocol above, for one account. Throws AppError when the directory refused or could not be reached. */
  async function setPassword(
    ctx: RequestContext,
    account: repo.AccountRow,
    password: string,
    reason: 'rotation' | 'admin_set' | 'admin_generated' | 'key_compromised' | 'key_deactivated',
  ): Promise<void> {
    const domain = await domains.get(account.domainId);
    const connector = domains.connectorFor(domain);
    const id = crypto.randomUUID();
    const row = await repo.insertDomainPassword(db, {
      id,
      accountId: account.id,
      state: 'pending',
      reason,
      password: sealer.seal(password, passwordAad(id)),
      createdAt: clock.now(),
    });
    // One change at a time per account (admin set racing a rotation, or two nodes): two writes
    // both verified in turn would let the later makeCurrent keep a password AD no longer holds.
    // Inserted first, then checked, so two racing calls both see each other and both stop.
    const others = (await repo.findDomainPasswords(db, account.id, ['pending'])).filter((p) => p.id !== id);
    if (others.length > 0) {
      await repo.resolvePendingPasswordById(db, id, { state: 'failed', password: null, resolvedAt: clock.now() });
      throw new AppError(
        'directory.password_change_in_progress',
        'Another change of this domain password is in progress or waits to be reconciled: try again in a few minutes',
      );
    }
    await step('pending_saved');
    let isWritten = false;
    try {
      await connector.setPassword(ref(account), password);
      isWritten = true;
      await step('written');
      if (connector.capabilities.verifyPassword !== false && !(await connector.verifyPassword(ref(account), password))) {
        throw new DirectoryError('failed', 'The directory accepted the new password but refuses it at sign-in; it stays pending until reconciled');
      }
      await step('verified');
    } catch (err) {
      // A definite refusal: the directory kept the old password. Anything else (lost connection
      // mid-write) leaves the row pending, for reconcile to find out which password holds.
      // After the write, even a "definite" refusal (the verifying bind of a disabled account)
      // says nothing about what AD holds: it holds the new one, so the row must stay pending.
      if (!isWritten && err instanceof DirectoryError && DEFINITE.has(err.code)) await markFailed(ctx, row, account, domain.name, err);
      else {
        // Pending again, sealed again: a reconcile on another node may have dropped the row while
        // our write was on its way, and AD may hold this password now.
        await repo.updateDomainPasswordById(db, row.id, { state: 'pending', password: sealer.seal(password, passwordAad(row.id)), resolvedAt: null });
        await audit.record(ctx, {
          action: 'directory.password_change_failed',
          outcome: 'failure',
          target: target(account),
          details: { domain: domain.name, account: account.username, reason, code: (err as DirectoryError)?.code ?? 'failed', pending: true },
        });
      }
      throw toAppError(err);
    } finally {
      await connector.close().catch(() => {});
    }
    const isRotation = reason === 'rotation' || reason === 'key_compromised' || reason === 'key_deactivated';
    await makeCurrent(ctx, row, account, isRotation ? 'directory.password_rotated' : 'directory.password_set', domain.name, password);
  }

  /** Resolves every pending password (after a crash or a lost connection). */
  async function reconcile(ctx: RequestContext): Promise<{ current: number; failed: number; unresolved: number }> {
    const result = { current: 0, failed: 0, unresolved: 0 };
    for (const row of await repo.findPendingPasswords(db)) {
      const account = await repo.findAccountById(db, row.accountId);
      if (!account || !row.password) continue;
      const domain = await domains.get(account.domainId);
      const connector = domains.connectorFor(domain);
      try {
        const pending = sealer.open(row.password, passwordAad(row.id));
        // A directory that cannot check passwords gets the pending one again: then it surely holds it.
        let works: boolean;
        if (connector.capabilities.verifyPassword === false) {
          await connector.setPassword(ref(account), pending);
          works = true;
        } else {
          works = await connector.verifyPassword(ref(account), pending);
        }
        if (works) {
          await makeCurrent(ctx, row, account, 'directory.password_reconciled', domain.name, pending);
          result.current++;
        } else {
          await markFailed(
            ctx,
            row,
            account,
            domain.name,
            new DirectoryError('failed', 'The directory never took this password: the previous one still holds'),
          );
          result.failed++;
        }
      } catch {
        result.unresolved++;
      } finally {
        await connector.close().catch(() => {});
      }
    }
    return result;
  }

  /** Rotates every due account of every domain with rotation on. */
  async function rotateDue(ctx: RequestContext): Promise<{ rotated: number; failed: number }> {
    const out = { rotated: 0, failed: 0 };
    for (const domain of await repo.findDomains(db)) {
      if (domain.passwordChangeDays <= 0 || !domain.secret) continue;
      const due = clock.now().getTime() - domain.passwordChangeDays * 86_400_000;
      const candidates = await repo.findRotationCandidates(db, domain.id);
      const eligible = await deps.findRotationEligible([...new Set(candidates.map((a) => a.employeeId))], {
        portal: domain.rotationDelivery === 'key_or_portal',
      });
      for (const account of candidates.filter((a) => eligible.has(a.employeeId))) {
        if (account.passwordChangedAt && account.passwordChangedAt.getTime() > due) continue;
        if ((await repo.findDomainPasswords(db, account.id, ['pending'])).length > 0) continue;
        try {
          await setPassword(ctx, account, generateDomainPassword(), 'rotation');
          out.rotated++;
        } catch {
          out.failed++;
        }
      }
    }
    return out;
  }

  /**
   * Rotates every domain password of the employee now, whatever the schedule and eligibility: the
   * hardware key they were delivered to is lost or stolen, or was returned (issue 14), so none of
   * them may stay.
   * Each account on its own: one directory that cannot be reached does not keep the others.
   */
  async function rotateEmployeeNow(
    ctx: RequestContext,
    employeeId: string,
    reason: 'key_compromised' | 'key_deactivated' = 'key_compromised',
  ): Promise<{ rotated: number; failed: number }> {
    const out = { rotated: 0, failed: 0 };
    for (const account of await repo.findAccountsByEmployee(db, employeeId)) {
      try {
        await setPassword(ctx, account, generateDomainPassword(), reason);
        out.rotated++;
      } catch {
        out.failed++;
      }
    }
    return out;
  }

  async function accountOf(employeeId: string, accountId: string): Promise<repo.AccountRow> {
    const a = await repo.findAccountById(db, accountId);
    if (!a || a.employeeId !== employeeId) throw new AppError('directory.account_not_found', 'Directory account was not found');
    return a;
  }

  /** An admin sets a password, or has one generated (which nobody sees: it goes to the employee's key). */
  async function adminSet(ctx: RequestContext, employeeId: string, accountId: string, input: { password?: string; generate?: boolean }): Promise<void> {
    const account = await accountOf(employeeId, accountId);
    const password = input.generate ? generateDomainPassword() : input.password!;
    await setPassword(ctx, account, password, input.generate ? 'admin_generated' : 'admin_set');
  }

  /** The employee changes their own domain password with the old one. */
  async function employeeChange(ctx: RequestContext, employeeId: string, accountId: string, oldPassword: string, newPassword: string): Promise<void> {
    const account = await accountOf(employeeId, accountId);
    const domain = await domains.get(account.domainId);
    const connector = domains.connectorFor(domain);
    try {
      await connector.changeOwnPassword(ref(account), oldPassword, newPassword);
    } catch (err) {
      await audit.record(ctx, {
        action: 'directory.password_change_failed',
        outcome: 'failure',
        target: target(account),
        details: { domain: domain.name, account: account.username, reason: 'employee', code: (err as DirectoryError)?.code ?? 'failed' },
      });
      throw toAppError(err);
    } finally {
      await connector.close().catch(() => {});
    }
    await db.transaction(async (tx) => {
      // The directory no longer holds the password Tessera kept for the key.
      await repo.supersedeCurrentPasswords(tx, account.id, null, clock.now());
      await repo.updateAccountById(tx, account.id, { passwordChangedAt: clock.now() }, clock.now());
      await audit.record(
        ctx,
        { action: 'directory.password_changed_by_employee', target: target(account), details: { domain: domain.name, account: account.username } },
        tx,
      );
    });
  }

  /**
   * The current domain password of each of the employee's directory accounts, opened: only for
   * delivery to the employee's own workstation after a fresh assertion of their key (issue 14
   * item 6), never for an API answer. Accounts without a current password (never rotated, or
   * changed by the employee since) are left out.
   */
  async function currentPasswordsFor(
    employeeId: string,
    tx: Executor = db,
  ): Promise<{ accountId: string; domainId: string; domain: string; username: string; upn: string | null; password: string; changedAt: Date | null }[]> {
    const out = [];
    for (const account of await repo.findAccountsByEmployee(tx, employeeId)) {
      const current = (await repo.findDomainPasswords(tx, account.id, ['current'])).at(-1);
      if (!current?.password) continue;
      out.push({
        accountId: account.id,
        domainId: account.domainId,
        domain: account.domainName,
        username: account.username,
        upn: account.upn,
        password: sealer.open(current.password, passwordAad(current.id)),
        changedAt: account.passwordChangedAt,
      });
    }
    return out;
  }

  /**
   * Whether the employee's domain passwords rotate, and why not (issue 14 item 8: only where the
   * new password can be delivered: to an Active key, or in the portal where the domain allows it).
   */
  async function rotationStatus(employeeId: string): Promise<RotationStatus> {
    const employeeStatus = await deps.employeeStatus?.(employeeId);
    if (!employeeStatus) throw new AppError('employees.not_found', 'Employee was not found');
    if (employeeStatus !== 'active') return { eligible: false, code: 'employee_inactive', reason: `The employee is ${employeeStatus}` };
    const accounts = await repo.findAccountsByEmployee(db, employeeId);
    if (accounts.length === 0) return { eligible: false, code: 'no_directory_account', reason: 'The employee has no account in a directory domain' };
    const domainsOn = [];
    for (const a of accounts) {
      const d = await repo.findDomainById(db, a.domainId);
      if (d && d.passwordChangeDays > 0 && d.secret) domainsOn.push({ d, a });
    }
    if (domainsOn.length === 0) return { eligible: false, code: 'rotation_off', reason: 'Password rotation is off for the domain' };
    // What rotateDue takes (findRotationCandidates): an enabled member of the sync and the rotation group.
    const members = domainsOn.filter(({ a }) => a.isRotationMember && a.isMember && a.isEnabled);
    if (members.length === 0)
      return {
        eligible: false,
        code: 'not_in_rotation_group',
        reason: `The account is not an enabled member of the rotation group ${domainsOn.map(({ d }) => `"${d.rotationGroup}"`).join(', ')}`,
      };
    const portal = members.some(({ d }) => d.rotationDelivery === 'key_or_portal');
    if (!(await deps.findRotationEligible([employeeId], { portal })).has(employeeId))
      return {
        eligible: false,
        code: 'no_active_key',
        reason: portal
          ? 'No active key and no passkey for the portal: a rotated password could not be delivered to the employee'
          : 'No active key: a rotated password could not be delivered to the employee',
      };
    return { eligible: true, code: 'eligible', reason: null };
  }

  return { setPassword, reconcile, rotateDue, rotateEmployeeNow, adminSet, employeeChange, currentPasswordsFor, rotationStatus };
}
