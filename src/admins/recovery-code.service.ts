import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import * as repo from './admin.repository.js';
import * as codes from './recovery-code.repository.js';
import { generateRecoveryCodes, hashRecoveryCode, newRecoveryKey, normalizeRecoveryCode, recoveryKeyAad } from './recovery-codes.js';

/** A new set may be made without the current TOTP code this long after signing in. */
export const FRESH_SIGN_IN_MS = 5 * 60_000;

/**
 * A new set of recovery codes for the admin, in the caller's transaction: a new set key, the old
 * codes gone. The plain codes are returned for the one answer that shows them, and never stored.
 */
export async function issueRecoveryCodes(tx: Executor, sealer: Sealer, adminId: string): Promise<string[]> {
  const key = newRecoveryKey();
  const plain = generateRecoveryCodes();
  await repo.updateAdminById(tx, adminId, { recoveryCodeKey: sealer.seal(key, recoveryKeyAad(adminId)) });
  await codes.replaceRecoveryCodes(
    tx,
    adminId,
    plain.map((c) => hashRecoveryCode(key, c)),
  );
  return plain;
}

/** Removes the admin's recovery codes (TOTP turned off or reset: the codes belonged to it). */
export async function discardRecoveryCodes(tx: Executor, adminId: string): Promise<void> {
  await codes.deleteRecoveryCodes(tx, adminId);
  await repo.updateAdminById(tx, adminId, { recoveryCodeKey: null });
}

/** Consumes `input` if it is an unused code of the admin's set; true when it was (and now is used). */
export async function consumeRecoveryCode(db: Executor, sealer: Sealer, admin: repo.AdminRow, input: string, now: Date): Promise<boolean> {
  if (!admin.recoveryCodeKey || !normalizeRecoveryCode(input)) return false;
  const key = sealer.open(admin.recoveryCodeKey, recoveryKeyAad(admin.id));
  return codes.consumeRecoveryCode(db, admin.id, hashRecoveryCode(key, input), now);
}

export const recoveryCodeState = (db: Executor, adminId: string) => codes.findRecoveryCodeState(db, adminId);

export type RecoveryCodeService = ReturnType<typeof createRecoveryCodeService>;

export function createRecoveryCodeService(deps: {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  /** Checks the signed-in admin's current TOTP code inside the sign-in lockout (admin-auth.service.ts); throws when wrong. */
  checkOwnTotp: (ctx: RequestContext, admin: repo.AdminRow, code: string) => Promise<void>;
}) {
  const { db, audit, sealer, clock } = deps;

  async function state(adminId: string) {
    const admin = await repo.findAdminById(db, adminId);
    if (!admin) throw new AppError('admins.not_found', 'Admin was not found');
    const s = await recoveryCodeState(db, admin.id);
    return { totpEnabled: admin.totpSecret !== null, remaining: s.remaining, generatedAt: s.generatedAt?.toISOString() ?? null };
  }

  /**
   * "Generate new recovery codes": the old set stops working. Needs the current TOTP code, unless
   * the session began (with both factors) in the last few minutes.
   */
  async function regenerate(ctx: RequestContext, adminId: string, proof: { sessionCreatedAt: Date; totpCode?: string }) {
    const admin = await repo.findAdminById(db, adminId);
    if (!admin) throw new AppError('admins.not_found', 'Admin was not found');
    if (!admin.totpSecret) throw new AppError('admins.totp_required', 'Turn on two-factor authentication first: recovery codes stand in for its codes');
    if (proof.totpCode !== undefined) await deps.checkOwnTotp(ctx, admin, proof.totpCode);
    else if (clock.now().getTime() - proof.sessionCreatedAt.getTime() > FRESH_SIGN_IN_MS) {
      throw new AppError('admins.reauthentication_required', 'Enter the current code from your authenticator app to make new recovery codes');
    }
    const recoveryCodes = await db.transaction(async (tx) => {
      const plain = await issueRecoveryCodes(tx, sealer, admin.id);
      await audit.record(
        ctx,
        {
          action: 'admin.recovery_codes_generated',
          target: { type: 'admin', id: admin.id, label: admin.email },
          details: { count: plain.length, reason: 'regenerated', proof: proof.totpCode !== undefined ? 'totp' : 'recent sign-in' },
        },
        tx,
      );
      return plain;
    });
    return { recoveryCodes, remaining: recoveryCodes.length };
  }

  /**
   * A new set made from the server shell (`tessera admin recovery-codes`), for an admin who has
   * neither the phone nor a code left: whoever runs it controls the server already.
   */
  async function issueFromShell(ctx: RequestContext, adminId: string): Promise<string[]> {
    const admin = await repo.findAdminById(db, adminId);
    if (!admin) throw new AppError('admins.not_found', 'Admin was not found');
    if (!admin.totpSecret) throw new AppError('admins.totp_required', 'This admin has no authenticator app, so no recovery codes: sign in with the password');
    return db.transaction(async (tx) => {
      const plain = await issueRecoveryCodes(tx, sealer, admin.id);
      await audit.record(
        ctx,
        {
          action: 'admin.recovery_codes_generated',
          target: { type: 'admin', id: admin.id, label: admin.email },
          details: { count: plain.length, reason: 'cli' },
        },
        tx,
      );
      return plain;
    });
  }

  return { state, regenerate, issueFromShell };
}
