import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { DUMMY_PASSWORD_HASH, hashPassword, passwordProblem, verifyPassword } from '../security/passwords.js';
import type { Sealer } from '../security/sealing.js';
import { checkWithLockout } from '../security/lockout.js';
import { randomToken, safeEqual, sha256 } from '../security/tokens.js';
import { verifyTotp } from '../security/totp.js';
import type { SettingsService } from '../settings/settings.service.js';
import * as repo from './admin.repository.js';
import { totpAad } from './admin.service.js';
import { consumeRecoveryCode, recoveryCodeState } from './recovery-code.service.js';

/** What the caller must do after a correct password. */
export type SignInStage = 'full' | 'totp' | 'totp_enroll';

/** Wrong, unknown and locked all read the same (no account enumeration); the hint helps the locked-out. */
const INVALID_CREDENTIALS = 'The e-mail address or password is wrong. After repeated failures the account is locked for a while: wait and try again.';
const INVALID_TOTP = 'The authentication code is not valid. After repeated failures the account is locked for a while: wait and try again.';
const INVALID_RECOVERY_CODE =
  'The recovery code is not valid or was used already. After repeated failures the account is locked for a while: wait and try again.';
const WRONG_CURRENT_PASSWORD = 'The current password is wrong. After repeated failures the account is locked for a while: wait and try again.';
const SETUP_TOKEN_KEY = 'setup.token';
const SETUP_TOKEN_HOURS = 24;

type GuessStep = 'password' | 'totp' | 'recovery_code';
/** How a wrong guess at each step is audited and answered (a locked account answers the same). */
const WRONG_GUESS = {
  password: { action: 'admin.sign_in', reason: 'wrong password', code: 'auth.invalid_credentials', message: INVALID_CREDENTIALS },
  totp: { action: 'admin.sign_in_totp', reason: 'wrong totp code', code: 'auth.invalid_totp', message: INVALID_TOTP },
  recovery_code: { action: 'admin.recovery_code_used', reason: 'wrong recovery code', code: 'auth.invalid_recovery_code', message: INVALID_RECOVERY_CODE },
} as const;

export type AdminAuthService = ReturnType<typeof createAdminAuthService>;

export function createAdminAuthService(deps: { db: Db; audit: AuditService; sealer: Sealer; clock: Clock; settings: SettingsService }) {
  const { db, audit, sealer, clock, settings } = deps;

  const target = (a: repo.AdminRow) => ({ type: 'admin', id: a.id, label: a.email });
  const asAdmin = (ctx: RequestContext, a: repo.AdminRow): RequestContext => ({ ...ctx, actor: { type: 'admin', id: a.id, label: a.email } });

  /**
   * One guess at an admin's password or code, inside the per-account lockout (src/security/lockout.ts).
   * A locked account is audited as such but answered like a wrong guess, with the same work.
   */
  async function checkGuess(
    ctx: RequestContext,
    admin: repo.AdminRow,
    step: GuessStep,
    check: { verify: () => Promise<boolean>; decoy: () => Promise<unknown> },
  ): Promise<number> {
    const policy = await settings.get();
    const result = await checkWithLockout({ store: repo.adminLockoutStore(db, admin.id), policy, clock, ...check });
    if (result.outcome === 'verified') return result.failures;
    const wrong = WRONG_GUESS[step];
    if (result.outcome === 'locked') {
      await audit.record(ctx, { action: 'admin.sign_in', outcome: 'failure', target: target(admin), details: { reason: 'locked', step } });
    } else {
      await audit.record(ctx, {
        action: wrong.action,
        outcome: 'failure',
        target: target(admin),
        details: { reason: wrong.reason, failures: result.failures },
      });
    }
    if (result.lockedUntil) {
      await audit.record(ctx, {
        action: 'admin.locked',
        outcome: 'failure',
        target: target(admin),
        details: { until: result.lockedUntil.toISOString(), failures: Math.max(result.failures, policy.lockoutThreshold) },
      });
    }
    throw new AppError(wrong.code, wrong.message);
  }

  async function completeSignIn(ctx: RequestContext, admin: repo.AdminRow, method: string) {
    await repo.updateAdminById(db, admin.id, { failedAttempts: 0, lockedUntil: null, lastSignInAt: clock.now() });
    await audit.record(asAdmin(ctx, admin), { action: 'admin.sign_in', target: target(admin), details: { method } });
  }

  /**
   * First factor. An unknown e-mail and a locked account get the answer of a wrong password, after
   * the same work, so neither timing nor answer tells them apart.
   */
  async function signInWithPassword(ctx: RequestContext, email: string, password: string): Promise<{ admin: repo.AdminRow; stage: SignInStage }> {
    const admin = await repo.findAdminByEmail(db, email);
    if (!admin) {
      await verifyPassword(DUMMY_PASSWORD_HASH, password);
      await audit.record(ctx, {
        action: 'admin.sign_in',
        outcome: 'failure',
        target: { type: 'admin', id: null, label: email.slice(0, 254) },
        details: { reason: 'unknown account' },
      });
      throw new AppError('auth.invalid_credentials', INVALID_CREDENTIALS);
    }
    await checkGuess(ctx, admin, 'password', {
      verify: () => verifyPassword(admin.passwordHash, password),
      decoy: () => verifyPassword(DUMMY_PASSWORD_HASH, password),
    });
    // A right password gives its attempt back; the count is reset once the sign-in is complete
    // (so wrong TOTP codes after a right password still count towards the lockout).
    if (admin.totpSecret) {
      await repo.adminLockoutStore(db, admin.id).release();
      return { admin, stage: 'totp' };
    }
    if ((await settings.get()).requireAdminTotp) {
      await repo.updateAdminById(db, admin.id, { failedAttempts: 0 });
      return { admin, stage: 'totp_enroll' };
    }
    await completeSignIn(ctx, admin, 'password');
    return { admin, stage: 'full' };
  }

  /** Second factor, after a correct password. A code is accepted once (its step is claimed atomically). */
  async function signInWithTotp(ctx: RequestContext, adminId: string, code: string): Promise<repo.AdminRow> {
    const admin = await repo.findAdminById(db, adminId);
    if (!admin?.totpSecret) throw new AppError('auth.stage_invalid', 'Sign in with your password first');
    const sealed = admin.totpSecret;
    const verify = async () => {
      const result = verifyTotp({ secret: sealer.open(sealed, totpAad(admin.id)), code, nowMs: clock.now().getTime(), lastStep: admin.totpLastStep });
      return result.ok && (await repo.claimTotpStep(db, admin.id, result.step));
    };
    await checkGuess(ctx, admin, 'totp', { verify, decoy: async () => undefined });
    await completeSignIn(ctx, admin, 'password+totp');
    return admin;
  }

  /**
   * Second factor in place of the TOTP code, after a correct password: one unused recovery code,
   * consumed by one conditional UPDATE (two racing uses: one wins). A wrong one counts like a
   * wrong TOTP code. Answers how many codes are left.
   */
  async function signInWithRecoveryCode(ctx: RequestContext, adminId: string, code: string): Promise<{ admin: repo.AdminRow; remaining: number }> {
    const admin = await repo.findAdminById(db, adminId);
    if (!admin?.totpSecret) throw new AppError('auth.stage_invalid', 'Sign in with your password first');
    const verify = () => consumeRecoveryCode(db, sealer, admin, code, clock.now());
    await checkGuess(ctx, admin, 'recovery_code', { verify, decoy: async () => undefined });
    const { remaining } = await recoveryCodeState(db, admin.id);
    await audit.record(asAdmin(ctx, admin), { action: 'admin.recovery_code_used', target: target(admin), details: { remaining } });
    await completeSignIn(ctx, admin, 'password+recovery_code');
    return { admin, remaining };
  }

  /**
   * The current TOTP code of an admin who is signed in already (making new recovery codes): inside
   * the same lockout as at sign-in, and a code counts once. A right one gives its attempt back.
   */
  async function checkOwnTotp(ctx: RequestContext, admin: repo.AdminRow, code: string): Promise<void> {
    const sealed = admin.totpSecret;
    if (!sealed) throw new AppError('admins.totp_required', 'Turn on two-factor authentication first');
    const verify = async () => {
      const result = verifyTotp({ secret: sealer.open(sealed, totpAad(admin.id)), code, nowMs: clock.now().getTime(), lastStep: admin.totpLastStep });
      return result.ok && (await repo.claimTotpStep(db, admin.id, result.step));
    };
    await checkGuess(ctx, admin, 'totp', { verify, decoy: async () => undefined });
    await repo.adminLockoutStore(db, admin.id).release();
  }

  /**
   * The password of an admin who is signed in already (changing it, turning TOTP off): the same
   * lockout as at sign-in, so a session left open does not let anyone try passwords without end.
   * A right one gives its attempt back.
   */
  async function checkOwnPassword(
    ctx: RequestContext,
    admin: repo.AdminRow,
    password: string,
    action: 'admin.password_changed' | 'admin.totp_disabled',
  ): Promise<void> {
    const policy = await settings.get();
    const result = await checkWithLockout({
      store: repo.adminLockoutStore(db, admin.id),
      policy,
      clock,
      verify: () => verifyPassword(admin.passwordHash, password),
      decoy: () => verifyPassword(DUMMY_PASSWORD_HASH, password),
    });
    if (result.outcome === 'verified') {
      await repo.adminLockoutStore(db, admin.id).release();
      return;
    }
    await audit.record(ctx, {
      action,
      outcome: 'failure',
      target: target(admin),
      details: { reason: result.outcome === 'locked' ? 'locked' : 'wrong current password', failures: result.failures },
    });
    if (result.lockedUntil) {
      await audit.record(ctx, {
        action: 'admin.locked',
        outcome: 'failure',
        target: target(admin),
        details: { until: result.lockedUntil.toISOString(), failures: Math.max(result.failures, policy.lockoutThreshold) },
      });
    }
    throw new AppError('auth.invalid_credentials', WRONG_CURRENT_PASSWORD);
  }

  /** A new one-time setup token while no admin exists (each start replaces the previous one). */
  async function issueSetupToken(): Promise<string | undefined> {
    if ((await repo.countAdmins(db)) > 0) return undefined;
    const token = randomToken();
    const expiresAt = new Date(clock.now().getTime() + SETUP_TOKEN_HOURS * 3600_000).toISOString();
    await settings.saveSystemState(SETUP_TOKEN_KEY, { hash: sha256(token), expiresAt });
    return token;
  }

  async function completeSetup(ctx: RequestContext, input: { token: string; email: string; name: string; password: string }): Promise<repo.AdminRow> {
    const problem = passwordProblem(input.password, [input.email.split('@')[0], input.name]);
    const passwordHash = await hashPassword(input.password);
    return db.transaction(async (tx) => {
      await repo.lockAdmins(tx);
      if ((await repo.countAdmins(tx)) > 0) throw new AppError('setup.not_needed', 'Tessera is already set up: sign in instead');
      const stored = await settings.findSystemState<{ hash: string; expiresAt: string }>(SETUP_TOKEN_KEY, tx);
      if (!stored || !safeEqual(stored.hash, sha256(input.token)) || new Date(stored.expiresAt) <= clock.now()) {
        throw new AppError(
          'setup.invalid_token',
          'This setup link is not valid or has expired: restart the server or run `tessera admin create` for a new one',
        );
      }
      if (problem) throw new AppError('admins.password_too_weak', problem);
      const admin = await repo.insertAdmin(tx, { email: input.email, name: input.name, passwordHash, source: 'setup' });
      const signedIn = (await repo.updateAdminById(tx, admin.id, { lastSignInAt: clock.now() }))!;
      await settings.deleteSystemState(SETUP_TOKEN_KEY, tx);
      await audit.record(asAdmin(ctx, admin), { action: 'setup.completed', target: target(admin) }, tx);
      return signedIn;
    });
  }

  return {
    signInWithPassword,
    signInWithTotp,
    signInWithRecoveryCode,
    checkOwnPassword,
    checkOwnTotp,
    issueSetupToken,
    completeSetup,
    needsSetup: async () => (await repo.countAdmins(db)) === 0,
    /** A sign-in finished outside the password/TOTP steps (TOTP enrolment forced by policy). */
    recordSignIn: async (ctx: RequestContext, admin: repo.AdminRow, method: string) => completeSignIn(ctx, admin, method),
    recordSignOut: (ctx: RequestContext, admin: { id: string; email: string }) =>
      audit.record(ctx, { action: 'admin.sign_out', target: { type: 'admin', id: admin.id, label: admin.email } }),
  };
}
