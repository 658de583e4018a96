import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { AppError } from '../http/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { DUMMY_PASSWORD_HASH, hashPassword, passwordProblem, verifyPassword } from '../security/passwords.js';
import type { Sealer } from '../security/sealing.js';
import { randomToken, safeEqual, sha256 } from '../security/tokens.js';
import { verifyTotp } from '../security/totp.js';
import type { SettingsService } from '../settings/settings.service.js';
import * as settingsRepo from '../settings/settings.repository.js';
import * as repo from './admin.repository.js';
import { totpAad } from './admin.service.js';

/** What the caller must do after a correct password. */
export type SignInStage = 'full' | 'totp' | 'totp_enroll';

const SETUP_TOKEN_KEY = 'setup.token';
const SETUP_TOKEN_HOURS = 24;

export type AdminAuthService = ReturnType<typeof createAdminAuthService>;

export function createAdminAuthService(deps: { db: Db; audit: AuditService; sealer: Sealer; clock: Clock; settings: SettingsService }) {
  const { db, audit, sealer, clock, settings } = deps;

  const target = (a: repo.AdminRow) => ({ type: 'admin', id: a.id, label: a.email });
  const asAdmin = (ctx: RequestContext, a: repo.AdminRow): RequestContext => ({ ...ctx, actor: { type: 'admin', id: a.id, label: a.email } });

  function lockedMessage(until: Date) {
    const minutes = Math.max(1, Math.ceil((until.getTime() - clock.now().getTime()) / 60_000));
    return `Too many failed attempts: this account is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}`;
  }

  async function assertNotLocked(ctx: RequestContext, admin: repo.AdminRow, step: string) {
    if (admin.lockedUntil && admin.lockedUntil > clock.now()) {
      await audit.record(ctx, { action: 'admin.sign_in', outcome: 'failure', target: target(admin), details: { reason: 'locked', step } });
      throw new AppError('auth.account_locked', lockedMessage(admin.lockedUntil));
    }
  }

  /** Counts a failure; at the threshold the account locks for lockoutMinutes (per-account lockout). */
  async function recordFailure(ctx: RequestContext, admin: repo.AdminRow, reason: string): Promise<never> {
    const { lockoutThreshold, lockoutMinutes } = await settings.get();
    const failures = await repo.incrementFailedAttempts(db, admin.id);
    await audit.record(ctx, { action: reason === 'wrong totp code' ? 'admin.sign_in_totp' : 'admin.sign_in', outcome: 'failure', target: target(admin), details: { reason, failures } });
    if (failures >= lockoutThreshold) {
      const until = new Date(clock.now().getTime() + lockoutMinutes * 60_000);
      await repo.updateAdminById(db, admin.id, { lockedUntil: until, failedAttempts: 0 });
      await audit.record(ctx, { action: 'admin.locked', outcome: 'failure', target: target(admin), details: { until: until.toISOString(), failures } });
      throw new AppError('auth.account_locked', lockedMessage(until));
    }
    throw new AppError(reason === 'wrong totp code' ? 'auth.invalid_totp' : 'auth.invalid_credentials',
      reason === 'wrong totp code' ? 'The authentication code is not valid' : 'The e-mail address or password is wrong');
  }

  async function completeSignIn(ctx: RequestContext, admin: repo.AdminRow, method: string) {
    await repo.updateAdminById(db, admin.id, { failedAttempts: 0, lockedUntil: null, lastSignInAt: clock.now() });
    await audit.record(asAdmin(ctx, admin), { action: 'admin.sign_in', target: target(admin), details: { method } });
  }

  /** First factor. The same work is done for an unknown e-mail, so timing does not reveal accounts. */
  async function signInWithPassword(ctx: RequestContext, email: string, password: string): Promise<{ admin: repo.AdminRow; stage: SignInStage }> {
    const admin = await repo.findAdminByEmail(db, email);
    if (!admin) {
      await verifyPassword(DUMMY_PASSWORD_HASH, password);
      await audit.record(ctx, { action: 'admin.sign_in', outcome: 'failure', target: { type: 'admin', id: null, label: email.slice(0, 254) }, details: { reason: 'unknown account' } });
      throw new AppError('auth.invalid_credentials', 'The e-mail address or password is wrong');
    }
    await assertNotLocked(ctx, admin, 'password');
    if (!(await verifyPassword(admin.passwordHash, password))) return recordFailure(ctx, admin, 'wrong password');
    if (admin.totpSecret) return { admin, stage: 'totp' };
    if ((await settings.get()).requireAdminTotp) {
      await repo.updateAdminById(db, admin.id, { failedAttempts: 0 });
      return { admin, stage: 'totp_enroll' };
    }
    await completeSignIn(ctx, admin, 'password');
    return { admin, stage: 'full' };
  }

  /** Second factor, after a correct password. A code is accepted once (its step is remembered). */
  async function signInWithTotp(ctx: RequestContext, adminId: string, code: string): Promise<repo.AdminRow> {
    const admin = await repo.findAdminById(db, adminId);
    if (!admin || !admin.totpSecret) throw new AppError('auth.stage_invalid', 'Sign in with your password first');
    await assertNotLocked(ctx, admin, 'totp');
    const secret = sealer.open(admin.totpSecret, totpAad(admin.id));
    const result = verifyTotp({ secret, code, nowMs: clock.now().getTime(), lastStep: admin.totpLastStep });
    if (!result.ok) return recordFailure(ctx, admin, 'wrong totp code');
    await repo.updateAdminById(db, admin.id, { totpLastStep: result.step });
    await completeSignIn(ctx, admin, 'password+totp');
    return admin;
  }

  /** A new one-time setup token while no admin exists (each start replaces the previous one). */
  async function issueSetupToken(): Promise<string | undefined> {
    if ((await repo.countAdmins(db)) > 0) return undefined;
    const token = randomToken();
    const expiresAt = new Date(clock.now().getTime() + SETUP_TOKEN_HOURS * 3600_000).toISOString();
    await settingsRepo.upsertSystemState(db, SETUP_TOKEN_KEY, { hash: sha256(token), expiresAt });
    return token;
  }

  async function completeSetup(ctx: RequestContext, input: { token: string; email: string; name: string; password: string }): Promise<repo.AdminRow> {
    const problem = passwordProblem(input.password, [input.email.split('@')[0], input.name]);
    const passwordHash = await hashPassword(input.password);
    return db.transaction(async (tx) => {
      await repo.lockAdmins(tx);
      if ((await repo.countAdmins(tx)) > 0) throw new AppError('setup.not_needed', 'Tessera is already set up: sign in instead');
      const stored = await settingsRepo.findSystemState<{ hash: string; expiresAt: string }>(tx, SETUP_TOKEN_KEY);
      if (!stored || !safeEqual(stored.hash, sha256(input.token)) || new Date(stored.expiresAt) <= clock.now()) {
        throw new AppError('setup.invalid_token', 'This setup link is not valid or has expired: restart the server or run `tessera admin create` for a new one');
      }
      if (problem) throw new AppError('admins.password_too_weak', problem);
      const admin = await repo.insertAdmin(tx, { email: input.email, name: input.name, passwordHash, source: 'setup' });
      const signedIn = (await repo.updateAdminById(tx, admin.id, { lastSignInAt: clock.now() }))!;
      await settingsRepo.deleteSystemState(tx, SETUP_TOKEN_KEY);
      await audit.record(asAdmin(ctx, admin), { action: 'setup.completed', target: target(admin) }, tx);
      return signedIn;
    });
  }

  return {
    signInWithPassword,
    signInWithTotp,
    issueSetupToken,
    completeSetup,
    needsSetup: async () => (await repo.countAdmins(db)) === 0,
    /** A sign-in finished outside the password/TOTP steps (TOTP enrolment forced by policy). */
    recordSignIn: async (ctx: RequestContext, admin: repo.AdminRow, method: string) => completeSignIn(ctx, admin, method),
    recordSignOut: (ctx: RequestContext, admin: { id: string; email: string }) =>
      audit.record(ctx, { action: 'admin.sign_out', target: { type: 'admin', id: admin.id, label: admin.email } }),
  };
}
