import QRCode from 'qrcode';
import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { checkWithLockout } from '../security/lockout.js';
import { DUMMY_PASSWORD_HASH, hashPassword, passwordProblem, verifyPassword } from '../security/passwords.js';
import type { Sealer } from '../security/sealing.js';
import { newTotpSecret, totpUri, verifyTotp } from '../security/totp.js';
import type { SessionService } from '../sessions/session.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { secondFactorKeysAllowed } from './authn.schemas.js';
import type { CredentialService } from './credential.service.js';
import { employeePendingTotpAad, employeeTotpAad, passwordsAllowed, totpAllowed, type EmployeeIdentity } from './employee-auth.service.js';
import * as repo from './employee-auth.repository.js';
import * as webauthnRepo from './webauthn.repository.js';

/** A password and TOTP seed checked and ready to be stored (the checks are slow; the write is in a transaction). */
export interface PreparedPassword {
  passwordHash: string;
  totpSecret: string;
  totpLastStep: number;
}

export type EmployeeFactorService = ReturnType<typeof createEmployeeFactorService>;

/**
 * An employee's ways to sign in besides passkeys: password and TOTP, set up at enrolment or in
 * the portal; and the rule that the portal never removes the last way in.
 */
export function createEmployeeFactorService(deps: {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  settings: SettingsService;
  sessions: SessionService;
  credentials: CredentialService;
}) {
  const { db, audit, sealer, clock, settings, sessions, credentials } = deps;
  const owner = (e: EmployeeIdentity) => ({ type: 'employee' as const, id: e.id, label: e.email });
  const target = (e: EmployeeIdentity) => ({ type: 'employee', id: e.id, label: e.email });

  async function status(employeeId: string, tx: Executor = db) {
    const auth = await repo.findEmployeeAuth(tx, employeeId);
    return { hasPassword: Boolean(auth?.passwordHash), hasTotp: Boolean(auth?.totpSecret) };
  }

  function checkPassword(e: EmployeeIdentity, password: string) {
    const problem = passwordProblem(password, [e.email.split('@')[0], e.firstName, e.lastName]);
    if (problem) throw new AppError('signin.password_too_weak', problem);
  }

  async function assertTotpAllowed() {
    if (!totpAllowed(await settings.get())) {
      throw new AppError('signin.method_not_allowed', 'Your organisation does not allow passwords with authenticator app codes: use a passkey or security key');
    }
  }

  /** Portal: a security key as the second factor needs a password for it to follow. */
  async function assertCanAddSecondFactorKey(e: EmployeeIdentity): Promise<void> {
    if (!(await status(e.id)).hasPassword) {
      throw new AppError(
        'signin.method_not_allowed',
        'A security key as a second factor follows your password, and your account has none: add a passkey or a security key that signs in on its own',
      );
    }
  }

  /** A new seed, sealed as pending until a first code proves the authenticator app has it. */
  async function beginTotp(e: EmployeeIdentity) {
    await assertTotpAllowed();
    const secret = newTotpSecret();
    await repo.upsertEmployeeAuth(db, e.id, { totpPendingSecret: sealer.seal(secret, employeePendingTotpAad(e.id)) });
    const org = (await settings.get()).organisationName;
    const otpauthUrl = totpUri(org, e.email, secret);
    return { secret, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 }) };
  }

  /** Checks the first code against the pending seed; returns the seed and the step used. */
  async function checkPendingTotp(e: EmployeeIdentity, code: string): Promise<{ secret: string; step: number }> {
    const auth = await repo.findEmployeeAuth(db, e.id);
    if (!auth?.totpPendingSecret) throw new AppError('portal.totp_not_pending', 'Start the authenticator app set-up first');
    const secret = sealer.open(auth.totpPendingSecret, employeePendingTotpAad(e.id));
    const result = verifyTotp({ secret, code, nowMs: clock.now().getTime() });
    if (!result.ok) throw new AppError('signin.invalid_totp', 'The code is not valid: check the time on your phone and try the next code');
    return { secret, step: result.step };
  }

  /** Portal: replaces the employee's TOTP with the pending one. */
  async function confirmTotp(ctx: RequestContext, e: EmployeeIdentity, code: string): Promise<void> {
    await assertTotpAllowed();
    const { secret, step } = await checkPendingTotp(e, code);
    await db.transaction(async (tx) => {
      const replaced = (await status(e.id, tx)).hasTotp;
      await repo.upsertEmployeeAuth(tx, e.id, { totpSecret: sealer.seal(secret, employeeTotpAad(e.id)), totpPendingSecret: null, totpLastStep: step });
      await audit.record(ctx, { action: 'employee.totp_enabled', target: target(e), details: { replaced } }, tx);
    });
  }

  /** Enrolment: checks a new password and the first code of the pending TOTP, before any write. */
  async function preparePasswordAndTotp(e: EmployeeIdentity, password: string, totpCode: string): Promise<PreparedPassword> {
    await assertTotpAllowed();
    checkPassword(e, password);
    const { secret, step } = await checkPendingTotp(e, totpCode);
    return { passwordHash: await hashPassword(password), totpSecret: sealer.seal(secret, employeeTotpAad(e.id)), totpLastStep: step };
  }

  async function savePasswordAndTotp(ctx: RequestContext, tx: Executor, e: EmployeeIdentity, p: PreparedPassword): Promise<void> {
    await repo.upsertEmployeeAuth(tx, e.id, { ...p, totpPendingSecret: null, failedAttempts: 0, lockedUntil: null });
    await audit.record(ctx, { action: 'employee.password_changed', target: target(e), details: { via: 'invitation' } }, tx);
    await audit.record(ctx, { action: 'employee.totp_enabled', target: target(e), details: { via: 'invitation' } }, tx);
  }

  /** Portal: a new password, proven by the current one; the employee's other sessions end. */
  async function changePassword(
    ctx: RequestContext,
    e: EmployeeIdentity,
    sessionId: string,
    input: { currentPassword: string; newPassword: string },
  ): Promise<void> {
    const auth = await repo.findEmployeeAuth(db, e.id);
    if (!auth?.passwordHash) throw new AppError('signin.method_not_allowed', 'Your account has no password to change');
    if (!passwordsAllowed(await settings.get())) throw new AppError('signin.method_not_allowed', 'Your organisation does not allow passwords');
    // The same lockout as at sign-in: a session left open does not let anyone try passwords without end.
    const policy = await settings.get();
    const store = repo.employeeLockoutStore(db, e.id);
    const currentHash = auth.passwordHash;
    const result = await checkWithLockout({
      store,
      policy,
      clock,
      verify: () => verifyPassword(currentHash, input.currentPassword),
      decoy: () => verifyPassword(DUMMY_PASSWORD_HASH, input.currentPassword),
    });
    if (result.outcome !== 'verified') {
      await audit.record(ctx, {
        action: 'employee.password_changed',
        outcome: 'failure',
        target: target(e),
        details: { reason: result.outcome === 'locked' ? 'locked' : 'wrong current password', failures: result.failures },
      });
      if (result.lockedUntil) {
        await audit.record(ctx, {
          action: 'employee.locked',
          outcome: 'failure',
          target: target(e),
          details: { until: result.lockedUntil.toISOString(), failures: Math.max(result.failures, policy.lockoutThreshold) },
        });
      }
      throw new AppError(
        'signin.invalid_credentials',
        'The current password is wrong. After repeated failures the account is locked for a while: wait and try again.',
      );
    }
    // Right: the attempt goes back (the new password below resets the count anyway).
    await store.release();
    checkPassword(e, input.newPassword);
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction(async (tx) => {
      await repo.upsertEmployeeAuth(tx, e.id, { passwordHash, failedAttempts: 0, lockedUntil: null });
      await sessions.revokeSubject('employee', e.id, { exceptSessionId: sessionId, tx });
      await audit.record(ctx, { action: 'employee.password_changed', target: target(e) }, tx);
    });
  }

  /**
   * Portal: removes one of the employee's own credentials, unless it is the last way to sign in:
   * another credential that signs in on its own, or a password with a second factor that policy
   * still allows (a TOTP, or another credential, which a second-factor key may be).
   */
  async function removeOwnCredential(ctx: RequestContext, e: EmployeeIdentity, credentialId: string): Promise<void> {
    const s = await settings.get();
    await credentials.remove(ctx, owner(e), credentialId, async (tx, row) => {
      const others = (await webauthnRepo.findCredentialsBySubject(tx, 'employee', e.id)).filter((c) => c.id !== row.id);
      const { hasPassword, hasTotp } = await status(e.id, tx);
      const passwordless = others.some((c) => !c.isSecondFactorOnly);
      const withPassword = hasPassword && ((hasTotp && totpAllowed(s)) || (others.length > 0 && secondFactorKeysAllowed(s)));
      if (!passwordless && !withPassword) {
        throw new AppError('portal.last_method', 'This is your only way to sign in: add another passkey or security key before removing it');
      }
    });
  }

  /** Admin: removes everything (lost device, leaver): credentials, password and TOTP; sessions end. */
  async function removeAll(ctx: RequestContext, e: EmployeeIdentity): Promise<void> {
    await db.transaction(async (tx) => {
      await credentials.removeAll(ctx, owner(e), tx);
      const { hasPassword, hasTotp } = await status(e.id, tx);
      await repo.upsertEmployeeAuth(tx, e.id, { passwordHash: null, totpSecret: null, totpPendingSecret: null, totpLastStep: null });
      if (hasPassword || hasTotp)
        await audit.record(ctx, { action: 'employee.totp_reset', target: target(e), details: { password: hasPassword, totp: hasTotp } }, tx);
      await sessions.revokeSubject('employee', e.id, { tx });
    });
  }

  /** Admin: removes one credential (a lost key); the employee's sessions end, since whoever holds the key may hold one. */
  async function removeCredential(ctx: RequestContext, e: EmployeeIdentity, credentialId: string): Promise<void> {
    await credentials.remove(ctx, owner(e), credentialId, async (tx) => {
      await sessions.revokeSubject('employee', e.id, { tx });
    });
  }

  return {
    status,
    assertCanAddSecondFactorKey,
    beginTotp,
    confirmTotp,
    preparePasswordAndTotp,
    savePasswordAndTotp,
    changePassword,
    removeOwnCredential,
    removeAll,
    removeCredential,
  };
}
