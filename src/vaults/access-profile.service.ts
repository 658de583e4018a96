import type { AuditService } from '../audit/audit.service.js';
import { authenticatorModel } from '../authn/aaguids.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import * as repo from './access-profile.repository.js';
import type { AccessProfileDto, CreateAccessProfileInput, UpdateAccessProfileInput } from './access-profile.schemas.js';

/** The access profile in force for a hardware key (issue 14 §4): what enrolment, sign-in and delivery apply. */
export interface EffectiveAccessProfile {
  /** Null for the built-in default. */
  id: string | null;
  name: string;
  /** The authenticator must verify its user (PIN or biometric): a credential without the UV flag is refused. */
  userVerificationRequired: boolean;
  /** The shortest PIN accepted at enrolment where the authenticator reports it; null: any. */
  minPinLength: number | null;
  /** Lower-case AAGUIDs allowed; empty: any model. */
  allowedAaguids: string[];
  /** After this many minutes a workstation logon requires a fresh key assertion again. */
  reauthMinutes: number;
}

/** What applies when a key has no profile and none is the default. */
export const BUILT_IN_ACCESS_PROFILE: Readonly<EffectiveAccessProfile> = Object.freeze({
  id: null,
  name: 'Built-in default',
  userVerificationRequired: true,
  minPinLength: null,
  allowedAaguids: [],
  reauthMinutes: 480,
});

const toEffective = (p: repo.AccessProfileRow): EffectiveAccessProfile => ({
  id: p.id,
  name: p.name,
  userVerificationRequired: p.userVerificationRequired,
  minPinLength: p.minPinLength,
  allowedAaguids: [...p.allowedAaguids],
  reauthMinutes: p.reauthMinutes,
});

const toDto = (p: repo.AccessProfileRow & { keyCount: number }): AccessProfileDto => ({
  ...toEffective(p),
  id: p.id,
  isDefault: p.isDefault,
  keyCount: p.keyCount,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export type AccessProfileService = ReturnType<typeof createAccessProfileService>;

/**
 * Access profiles of hardware keys: named requirements (user verification, minimum PIN length,
 * allowed models, workstation re-authentication interval) assigned per key or as the default.
 * Every change and assignment is audited.
 */
export function createAccessProfileService(deps: { db: Db; audit: AuditService; clock: Clock }) {
  const { db, audit, clock } = deps;
  const profileTarget = (p: { id: string; name: string }) => ({ type: 'key_access_profile', id: p.id, label: p.name });

  const nameInUse = (err: unknown) =>
    isUniqueViolation(err, 'key_access_profiles_name_key')
      ? new AppError('access_profiles.name_in_use', 'Another access profile has this name', { field: 'name' })
      : err;

  async function get(id: string, tx: Executor = db): Promise<AccessProfileDto> {
    const row = await repo.findAccessProfileById(tx, id);
    if (!row) throw new AppError('access_profiles.not_found', 'Access profile was not found');
    return toDto({ ...row, keyCount: await repo.countKeysWithAccessProfile(tx, id) });
  }

  async function list(): Promise<AccessProfileDto[]> {
    return (await repo.findAccessProfiles(db)).map(toDto);
  }

  async function create(ctx: RequestContext, input: CreateAccessProfileInput): Promise<AccessProfileDto> {
    try {
      return await db.transaction(async (tx) => {
        if (input.isDefault) await repo.clearDefaultAccessProfile(tx);
        const now = clock.now();
        const row = await repo.insertAccessProfile(tx, { ...input, createdAt: now, updatedAt: now });
        await audit.record(ctx, { action: 'access_profile.created', target: profileTarget(row), details: { ...input } }, tx);
        return toDto({ ...row, keyCount: 0 });
      });
    } catch (err) {
      throw nameInUse(err);
    }
  }

  async function update(ctx: RequestContext, id: string, patch: UpdateAccessProfileInput): Promise<AccessProfileDto> {
    try {
      return await db.transaction(async (tx) => {
        const current = await get(id, tx);
        if (patch.isDefault && !current.isDefault) await repo.clearDefaultAccessProfile(tx, id);
        await repo.updateAccessProfileById(tx, id, { ...patch, updatedAt: clock.now() });
        const changes = Object.fromEntries(
          Object.entries(patch)
            .filter(([k, v]) => JSON.stringify(current[k as keyof AccessProfileDto]) !== JSON.stringify(v))
            .map(([k, v]) => [k, { from: current[k as keyof AccessProfileDto], to: v }]),
        );
        await audit.record(ctx, { action: 'access_profile.updated', target: profileTarget(current), details: { changes } }, tx);
        return get(id, tx);
      });
    } catch (err) {
      throw nameInUse(err);
    }
  }

  /** Deletes the profile; its keys fall back to the default one (the foreign key sets them null). */
  async function remove(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await get(id, tx);
      await repo.deleteAccessProfileById(tx, id);
      await audit.record(
        ctx,
        {
          action: 'access_profile.deleted',
          target: profileTarget(current),
          details: { keysFallingBackToDefault: current.keyCount, wasDefault: current.isDefault },
        },
        tx,
      );
    });
  }

  /** Sets the profile of these keys (null: none of their own), in one transaction; one audit event a key. */
  async function assignMany(ctx: RequestContext, keyIds: string[], accessProfileId: string | null): Promise<{ updated: number; notFound: string[] }> {
    const ids = [...new Set(keyIds)];
    return db.transaction(async (tx) => {
      const profile = accessProfileId ? await get(accessProfileId, tx) : null;
      const changed = await repo.setKeysAccessProfile(tx, ids, accessProfileId, clock.now());
      for (const k of changed) {
        await audit.record(
          ctx,
          {
            action: 'access_profile.assigned',
            target: { type: 'hardware_key', id: k.id, label: k.serial },
            details: { from: k.from, to: accessProfileId, profile: profile?.name ?? null },
          },
          tx,
        );
      }
      const found = new Set(changed.map((k) => k.id));
      return { updated: changed.length, notFound: ids.filter((id) => !found.has(id)) };
    });
  }

  /** Sets one key's profile (null: none of its own). */
  async function assign(ctx: RequestContext, keyId: string, accessProfileId: string | null): Promise<void> {
    const r = await assignMany(ctx, [keyId], accessProfileId);
    if (r.updated === 0) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
  }

  /** The default profile, else the built-in one: what a key without a profile of its own gets. */
  async function defaultProfile(tx: Executor = db): Promise<EffectiveAccessProfile> {
    const d = await repo.findDefaultAccessProfile(tx);
    return d ? toEffective(d) : { ...BUILT_IN_ACCESS_PROFILE, allowedAaguids: [] };
  }

  /** The key's own profile, else the default one, else the built-in default. Throws hardware_keys.not_found for an unknown key. */
  async function effectiveForKey(keyId: string, tx: Executor = db): Promise<EffectiveAccessProfile> {
    const found = await repo.findKeyAccessProfile(tx, keyId);
    if (!found) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
    return found.profile ? toEffective(found.profile) : defaultProfile(tx);
  }

  /** effectiveForKey, saying where the profile comes from (the console's key detail). */
  async function effectiveForKeyWithSource(keyId: string): Promise<EffectiveAccessProfile & { source: 'key' | 'default' | 'built_in' }> {
    const found = await repo.findKeyAccessProfile(db, keyId);
    if (!found) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
    if (found.profile) return { ...toEffective(found.profile), source: 'key' };
    const d = await defaultProfile();
    return { ...d, source: d.id ? 'default' : 'built_in' };
  }

  return { list, get, create, update, remove, assign, assignMany, defaultProfile, effectiveForKey, effectiveForKeyWithSource };
}

/** What enrolment learnt about the PIN length: checked against the profile, not required by it, or not reported by the key. */
export interface PinLengthCheck {
  required: number | null;
  /** What the authenticator reported (minPinLength extension), or null. */
  reported: number | null;
  outcome: 'not_required' | 'verified' | 'not_verifiable';
}

/**
 * Checks a new credential's attestation against a profile (enrolment): the UV flag when the profile
 * requires user verification, the model among the allowed AAGUIDs, the reported minimum PIN length.
 * Throws the refusal; answers what it found about the PIN length (recorded with the activation).
 */
export function checkEnrolmentAgainstProfile(
  profile: EffectiveAccessProfile,
  attested: { aaguid: string; userVerified: boolean; minPinLength?: number },
  keyLabel: string,
): PinLengthCheck {
  const named = profile.id ? `the access profile "${profile.name}"` : "your organisation's default access profile";
  if (profile.allowedAaguids.length > 0 && !profile.allowedAaguids.includes(attested.aaguid.toLowerCase())) {
    const model = authenticatorModel(attested.aaguid);
    throw new AppError(
      'access_profiles.aaguid_not_allowed',
      `${model ?? 'This security key model'} (AAGUID ${attested.aaguid}) is not one of the models ${named} allows for ${keyLabel}: use the key you were given`,
      { details: { aaguid: attested.aaguid, allowed: profile.allowedAaguids, profile: profile.name } },
    );
  }
  if (profile.userVerificationRequired && !attested.userVerified) {
    throw new AppError(
      'access_profiles.user_verification_required',
      `${named[0].toUpperCase()}${named.slice(1)} requires ${keyLabel} to verify you with its PIN or fingerprint, and it did not: set a PIN on the key, then enrol again`,
      { details: { profile: profile.name } },
    );
  }
  if (profile.minPinLength === null) return { required: null, reported: attested.minPinLength ?? null, outcome: 'not_required' };
  if (attested.minPinLength === undefined) return { required: profile.minPinLength, reported: null, outcome: 'not_verifiable' };
  if (attested.minPinLength < profile.minPinLength) {
    throw new AppError(
      'access_profiles.pin_too_short',
      `${keyLabel} accepts PINs of ${attested.minPinLength} characters, and ${named} requires at least ${profile.minPinLength}: have the key's minimum PIN length raised (for a YubiKey: ykman fido config set-min-pin-length ${profile.minPinLength}), then enrol again`,
      { details: { required: profile.minPinLength, reported: attested.minPinLength, profile: profile.name } },
    );
  }
  return { required: profile.minPinLength, reported: attested.minPinLength, outcome: 'verified' };
}
