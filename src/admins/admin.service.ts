import QRCode from 'qrcode';
import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { hashPassword, passwordProblem, verifyPassword } from '../security/passwords.js';
import type { Sealer } from '../security/sealing.js';
import { newTotpSecret, totpUri, verifyTotp } from '../security/totp.js';
import type { SessionService } from '../sessions/session.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { toAdminDto, type AdminDto } from './admin.schemas.js';
import * as repo from './admin.repository.js';
import { discardRecoveryCodes, issueRecoveryCodes } from './recovery-code.service.js';

export const totpAad = (adminId: string) => `admins.totp_secret:${adminId}`;
export const pendingTotpAad = (adminId: string) => `admins.totp_pending_secret:${adminId}`;

export type AdminService = ReturnType<typeof createAdminService>;

export function createAdminService(deps: {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  sessions: SessionService;
  settings: SettingsService;
  /** Called, inside the transaction, before an admin is deleted (their passkeys go too). */
  deletionHooks?: ((tx: Executor, adminId: string) => Promise<void>)[];
  /** Checks a signed-in admin's own password inside the sign-in lockout (admin-auth.service.ts); throws when wrong. */
  checkOwnPassword: (ctx: RequestContext, admin: repo.AdminRow, password: string, action: 'admin.password_changed' | 'admin.totp_disabled') => Promise<void>;
}) {
  const { db, audit, sealer, clock, sessions, settings } = deps;

  async function get(id: string) {
    const admin = await repo.findAdminById(db, id);
    if (!admin) throw new AppError('admins.not_found', 'Admin was not found');
    return admin;
  }

  function checkPassword(password: string, email: string, name: string) {
    const problem = passwordProblem(password, [email.split('@')[0], name]);
    if (problem) throw new AppError('admins.password_too_weak', problem, { field: 'password' });
  }

  async function create(ctx: RequestContext, input: { email: string; name: string; password: string; source?: string }): Promise<AdminDto> {
    checkPassword(input.password, input.email, input.name);
    const passwordHash = await hashPassword(input.password);
    try {
      return await db.transaction(async (tx) => {
        const admin = await repo.insertAdmin(tx, { email: input.email, name: input.name, passwordHash, source: input.source ?? 'console' });
        await audit.record(ctx, { action: 'admin.created', target: { type: 'admin', id: admin.id, label: admin.email } }, tx);
        return toAdminDto(admin);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('admins.email_in_use', 'An admin with this e-mail already exists', { field: 'email' });
      throw err;
    }
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    if (ctx.actor.type === 'admin' && ctx.actor.id === id)
      throw new AppError('admins.cannot_delete_self', 'You cannot delete your own account; ask another admin');
    await db.transaction(async (tx) => {
      await repo.lockAdmins(tx);
      const admin = await repo.findAdminById(tx, id);
      if (!admin) throw new AppError('admins.not_found', 'Admin was not found');
      if ((await repo.countAdmins(tx)) <= 1) throw new AppError('admins.last_admin', 'The last admin cannot be deleted');
      for (const hook of deps.deletionHooks ?? []) await hook(tx, id);
      await repo.deleteAdminById(tx, id);
      await sessions.revokeSubject('admin', id, { tx });
      await audit.record(ctx, { action: 'admin.deleted', target: { type: 'admin', id, label: admin.email } }, tx);
    });
  }

  /** Sets a new password and ends the admin's other sessions: whoever knew the old one is out. */
  async function setPassword(
    ctx: RequestContext,
    admin: repo.AdminRow,
    newPassword: string,
    opts: { action: 'admin.password_changed' | 'admin.password_recovered'; keepSessionId?: string; resetTotp?: boolean },
  ) {
    checkPassword(newPassword, admin.email, admin.name);
    const passwordHash = await hashPassword(newPassword);
    await db.transaction(async (tx) => {
      await repo.updateAdminById(tx, admin.id, {
        passwordHash,
        passwordChangedAt: clock.now(),
        failedAttempts: 0,
        lockedUntil: null,
        ...(opts.resetTotp ? { totpSecret: null, totpPendingSecret: null, totpLastStep: null } : {}),
      });
      if (opts.resetTotp) await discardRecoveryCodes(tx, admin.id);
      await sessions.revokeSubject('admin', admin.id, { exceptSessionId: opts.keepSessionId, tx });
      await audit.record(
        ctx,
        { action: opts.action, target: { type: 'admin', id: admin.id, label: admin.email }, details: opts.resetTotp ? { totpReset: true } : {} },
        tx,
      );
    });
  }

  async function changeOwnPassword(ctx: RequestContext, adminId: string, sessionId: string, input: { currentPassword: string; newPassword: string }) {
    const admin = await get(adminId);
    await deps.checkOwnPassword(ctx, admin, input.currentPassword, 'admin.password_changed');
    await setPassword(ctx, admin, input.newPassword, { action: 'admin.password_changed', keepSessionId: sessionId });
  }

  /** Starts TOTP enrolment: a new seed, sealed as pending until the first code proves the app has it. */
  async function beginTotp(adminId: string) {
    const admin = await get(adminId);
    if (admin.totpSecret) throw new AppError('admins.totp_already_enabled', 'An authenticator app is already set up; disable it first');
    const secret = newTotpSecret();
    await repo.updateAdminById(db, admin.id, { totpPendingSecret: sealer.seal(secret, pendingTotpAad(admin.id)) });
    const org = (await settings.get()).organisationName;
    const otpauthUrl = totpUri(`${org} (Tessera admin)`, admin.email, secret);
    return { secret, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 }) };
  }

  /** The first code proves the app has the seed: TOTP is on, and the admin gets a first set of recovery codes (shown once). */
  async function confirmTotp(ctx: RequestContext, adminId: string, code: string): Promise<{ admin: AdminDto; recoveryCodes: string[] }> {
    const admin = await get(adminId);
    if (!admin.totpPendingSecret) throw new AppError('admins.totp_not_pending', 'Start the authenticator set-up first');
    const secret = sealer.open(admin.totpPendingSecret, pendingTotpAad(admin.id));
    const result = verifyTotp({ secret, code, nowMs: clock.now().getTime() });
    if (!result.ok) throw new AppError('auth.invalid_totp', 'The code is not valid; check the time on your phone and try the next code');
    return db.transaction(async (tx) => {
      const updated = await repo.updateAdminById(tx, admin.id, {
        totpSecret: sealer.seal(secret, totpAad(admin.id)),
        totpPendingSecret: null,
        totpLastStep: result.step,
      });
      const recoveryCodes = await issueRecoveryCodes(tx, sealer, admin.id);
      await audit.record(ctx, { action: 'admin.totp_enabled', target: { type: 'admin', id: admin.id, label: admin.email } }, tx);
      await audit.record(
        ctx,
        {
          action: 'admin.recovery_codes_generated',
          target: { type: 'admin', id: admin.id, label: admin.email },
          details: { count: recoveryCodes.length, reason: 'totp enabled' },
        },
        tx,
      );
      return { admin: toAdminDto(updated!), recoveryCodes };
    });
  }

  async function disableOwnTotp(ctx: RequestContext, adminId: string, password: string): Promise<AdminDto> {
    const admin = await get(adminId);
    if ((await settings.get()).requireAdminTotp) throw new AppError('admins.totp_required', 'Two-factor authentication is required for all admins');
    await deps.checkOwnPassword(ctx, admin, password, 'admin.totp_disabled');
    return db.transaction(async (tx) => {
      const updated = await repo.updateAdminById(tx, admin.id, { totpSecret: null, totpPendingSecret: null, totpLastStep: null });
      await discardRecoveryCodes(tx, admin.id);
      await audit.record(ctx, { action: 'admin.totp_disabled', target: { type: 'admin', id: admin.id, label: admin.email } }, tx);
      return toAdminDto(updated!);
    });
  }

  /** Another admin's lost phone: their TOTP is removed and their sessions end. */
  async function resetTotp(ctx: RequestContext, adminId: string): Promise<AdminDto> {
    const admin = await get(adminId);
    return db.transaction(async (tx) => {
      const updated = await repo.updateAdminById(tx, admin.id, { totpSecret: null, totpPendingSecret: null, totpLastStep: null });
      await discardRecoveryCodes(tx, admin.id);
      await sessions.revokeSubject('admin', admin.id, { tx });
      await audit.record(ctx, { action: 'admin.totp_reset', target: { type: 'admin', id: admin.id, label: admin.email } }, tx);
      return toAdminDto(updated!);
    });
  }

  /** For the declarative config: create the admin, or bring name and password in line with the file. */
  async function ensureDeclared(ctx: RequestContext, input: { email: string; name: string; password: string }): Promise<'created' | 'updated' | 'unchanged'> {
    const existing = await repo.findAdminByEmail(db, input.email);
    if (!existing) {
      await create(ctx, { ...input, source: 'config' });
      return 'created';
    }
    let result: 'updated' | 'unchanged' = 'unchanged';
    if (existing.name !== input.name) {
      await db.transaction(async (tx) => {
        await repo.updateAdminById(tx, existing.id, { name: input.name });
        await audit.record(
          ctx,
          { action: 'admin.updated', target: { type: 'admin', id: existing.id, label: existing.email }, details: { changed: ['name'] } },
          tx,
        );
      });
      result = 'updated';
    }
    if (!(await verifyPassword(existing.passwordHash, input.password))) {
      await setPassword(ctx, existing, input.password, { action: 'admin.password_changed' });
      result = 'updated';
    }
    return result;
  }

  return {
    ensureDeclared,
    get,
    getDto: async (id: string) => toAdminDto(await get(id)),
    list: async () => (await repo.findAdmins(db)).map(toAdminDto),
    count: () => repo.countAdmins(db),
    findByEmail: (email: string) => repo.findAdminByEmail(db, email),
    findById: (id: string) => repo.findAdminById(db, id),
    create,
    remove,
    setPassword,
    changeOwnPassword,
    beginTotp,
    confirmTotp,
    disableOwnTotp,
    resetTotp,
  };
}
