import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import type { EmployeeLookup, EmployeeRow } from '../employees/employee.service.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import { safeEqual } from '../security/tokens.js';
import { ACTIVATION_MAX_ATTEMPTS, hashActivationCode, normalizeActivationCode } from './activation-code.js';
import * as repo from './hardware-key.repository.js';
import type { HardwareKeyService } from './hardware-key.service.js';
import { type AccessProfileService, checkEnrolmentAgainstProfile, type EffectiveAccessProfile, type PinLengthCheck } from './access-profile.service.js';

const INVALID = 'The e-mail address or activation code is wrong, or the code was used or has expired: ask your administrator for a new one';

export type KeyActivationService = ReturnType<typeof createKeyActivationService>;

/**
 * Activation of a reserved key by its employee (issue 14 §3), the `/enroll` code path:
 * 1. `open` proves the e-mail address and code. A wrong code counts against every code pending for
 *    that employee; the ACTIVATION_MAX_ATTEMPTS-th failure locks the key (an admin unlocks it, which
 *    issues a new code). An unknown address, a wrong, expired or used code all answer the same.
 *    Each failure also spends the caller's per-IP credential budget.
 * 2. `checkCredential` (inside the registration's transaction, before the credential is stored)
 *    re-checks the key is still reserved with that code, that the new credential's AAGUID is
 *    the reserved model's when the inventory knows it (WebAuthn §6.5.1: the AAGUID names the model),
 *    and that it meets the key's access profile (UV flag, allowed AAGUIDs, reported PIN length).
 * 3. `bind` (same transaction, after the insert) binds the credential and makes the key Active,
 *    recording whether the PIN length could be verified.
 */
export function createKeyActivationService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  employees: EmployeeLookup;
  hardwareKeys: HardwareKeyService;
  accessProfiles: AccessProfileService;
  credentialLimiter?: CredentialLimiter;
}) {
  const { db, audit, clock, employees, hardwareKeys } = deps;
  const target = (k: { id: string; serial: string }) => ({ type: 'hardware_key', id: k.id, label: k.serial });

  async function open(ctx: RequestContext, email: string, code: string): Promise<{ employee: EmployeeRow; key: repo.HardwareKeyRow }> {
    const reservation = ctx.ip && deps.credentialLimiter ? await deps.credentialLimiter.reserve(ctx.ip) : undefined;
    const employee = await employees.findByEmail(email);
    const canonical = normalizeActivationCode(code);
    const hash = canonical ? hashActivationCode(canonical) : '';
    const now = clock.now();
    const pending = employee && employee.status === 'active' ? await repo.findPendingActivations(db, employee.id) : [];
    const match = pending.find((k) => safeEqual(k.activationCodeHash ?? '', hash));
    if (employee && match?.activationExpiresAt && match.activationExpiresAt > now) {
      await reservation?.release();
      return { employee, key: match };
    }
    for (const k of pending) {
      if (match && k.id !== match.id) continue;
      const attempts = await repo.incrementActivationAttempts(db, k.id);
      const isLocking = attempts >= ACTIVATION_MAX_ATTEMPTS;
      await audit.record(ctx, {
        action: 'hardware_key.activation_failed',
        outcome: 'failure',
        target: target(k),
        details: { employee: employee?.email, reason: match ? 'code expired' : 'wrong code', attempts, locked: isLocking },
      });
      if (isLocking) {
        await db.transaction((tx) =>
          hardwareKeys.applyTransition(
            { ...ctx, actor: { type: 'system', id: null, label: 'activation attempts' } },
            tx,
            k.id,
            { to: 'locked', reason: `${attempts} failed activation attempts` },
            'system',
          ),
        );
      }
    }
    if (pending.length === 0) {
      await audit.record(ctx, {
        action: 'hardware_key.activation_failed',
        outcome: 'failure',
        target: { type: 'hardware_key', id: null },
        details: { email: email.slice(0, 254), reason: employee ? 'no key awaiting activation' : 'unknown account' },
      });
    }
    throw new AppError('hardware_keys.activation_invalid', INVALID);
  }

  /** What the registration options must ask for: the key's access profile (UV, minPinLength extension). */
  const profileFor = (keyId: string): Promise<EffectiveAccessProfile> => deps.accessProfiles.effectiveForKey(keyId);

  /** Step 2: inside the registration's transaction, before the insert. */
  async function checkCredential(
    tx: Executor,
    keyId: string,
    codeHash: string,
    attested: { aaguid: string; userVerified: boolean; minPinLength?: number },
  ): Promise<PinLengthCheck & { profile: string }> {
    const aaguid = attested.aaguid;
    const key = await repo.lockHardwareKeyById(tx, keyId);
    if (
      key?.status !== 'reserved' ||
      !key.activationCodeHash ||
      !safeEqual(key.activationCodeHash, codeHash) ||
      !key.activationExpiresAt ||
      key.activationExpiresAt <= clock.now()
    ) {
      throw new AppError('hardware_keys.activation_invalid', INVALID);
    }
    if (key.aaguid && key.aaguid !== aaguid.toLowerCase()) {
      throw new AppError(
        'hardware_keys.model_mismatch',
        `This is not the key that was reserved for you: key ${key.serial} is ${key.model ?? 'another model'} (AAGUID ${key.aaguid}), this authenticator's AAGUID is ${aaguid}`,
        { details: { expected: key.aaguid, actual: aaguid } },
      );
    }
    const profile = await deps.accessProfiles.effectiveForKey(keyId, tx);
    return { ...checkEnrolmentAgainstProfile(profile, attested, `key ${key.serial}`), profile: profile.name };
  }

  const pinNote = (pin?: PinLengthCheck) =>
    pin?.outcome === 'not_verifiable'
      ? ` (minimum PIN length ${pin.required} not verifiable: the key does not report it)`
      : pin?.outcome === 'verified'
        ? ` (minimum PIN length ${pin.reported}, at least ${pin.required} required)`
        : '';

  /** Step 3: after the insert, same transaction. */
  async function bind(ctx: RequestContext, tx: Executor, keyId: string, credentialId: string, check?: PinLengthCheck & { profile: string }): Promise<void> {
    await repo.insertKeyCredential(tx, keyId, credentialId);
    await hardwareKeys.applyTransition(
      ctx,
      tx,
      keyId,
      { to: 'active', reason: `activated by the employee with the activation code${pinNote(check)}` },
      'system',
    );
    const key = await repo.findHardwareKeyById(tx, keyId);
    await audit.record(
      ctx,
      {
        action: 'hardware_key.activated',
        target: target(key!),
        details: {
          credential: credentialId,
          ...(check ? { accessProfile: check.profile, pinLength: { required: check.required, reported: check.reported, outcome: check.outcome } } : {}),
        },
      },
      tx,
    );
  }

  /** Audits a refused activation (model mismatch, code gone) after its transaction rolled back. */
  async function recordFailure(ctx: RequestContext, keyId: string, err: AppError): Promise<void> {
    const key = await repo.findHardwareKeyById(db, keyId);
    await audit.record(ctx, {
      action: 'hardware_key.activation_failed',
      outcome: 'failure',
      target: key ? target(key) : { type: 'hardware_key', id: keyId },
      details: { reason: err.code, ...(err.details && typeof err.details === 'object' ? err.details : {}) },
    });
  }

  return { open, profileFor, checkCredential, bind, recordFailure };
}
