import type { SignInMethod, WorkstationProfile, WorkstationProfileInput, WorkstationProfilePatch } from '../../../shared/api/types';

/** The profile form's values: what the API takes, with the numbers as their inputs hold them. */
export interface ProfileFormValues {
  name: string;
  description: string;
  idleLockMinutes: number | string;
  lockOnSessionEnd: boolean;
  unlockMethods: SignInMethod[];
  rdpAllowed: boolean;
  offlineLogonDays: number | string;
  deactivatedEmployeesMayUnlock: boolean;
  isDefault: boolean;
  departmentIds: string[];
}

/**
 * A new profile starts as the server's built-in default profile (BUILT_IN_PROFILE in
 * src/workstations/profile.service.ts), which are also the API's defaults (createProfileBody).
 */
export const NEW_PROFILE: ProfileFormValues = {
  name: '',
  description: '',
  idleLockMinutes: 15,
  lockOnSessionEnd: true,
  unlockMethods: ['security_key', 'passkey', 'password', 'smart_card', 'phone'],
  rdpAllowed: true,
  offlineLogonDays: 7,
  deactivatedEmployeesMayUnlock: true,
  isDefault: false,
  departmentIds: [],
};

export const profileToForm = (p: WorkstationProfile): ProfileFormValues => ({
  name: p.name,
  description: p.description,
  idleLockMinutes: p.idleLockMinutes,
  lockOnSessionEnd: p.lockOnSessionEnd,
  unlockMethods: p.unlockMethods,
  rdpAllowed: p.rdpAllowed,
  offlineLogonDays: p.offlineLogonDays,
  deactivatedEmployeesMayUnlock: p.deactivatedEmployeesMayUnlock,
  isDefault: p.isDefault,
  departmentIds: p.departmentIds,
});

const whole = (v: number | string, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

export function validateProfile(v: ProfileFormValues): Partial<Record<keyof ProfileFormValues, string>> {
  const errors: Partial<Record<keyof ProfileFormValues, string>> = {};
  if (!v.name.trim()) errors.name = 'Enter a name';
  if (!whole(v.idleLockMinutes, 0, 1440)) errors.idleLockMinutes = 'Enter whole minutes from 0 to 1440';
  if (!whole(v.offlineLogonDays, 0, 365)) errors.offlineLogonDays = 'Enter whole days from 0 to 365';
  if (v.unlockMethods.length === 0) errors.unlockMethods = 'Allow at least one method';
  return errors;
}

export const formToInput = (v: ProfileFormValues): WorkstationProfileInput => ({
  ...v,
  name: v.name.trim(),
  description: v.description.trim(),
  idleLockMinutes: Number(v.idleLockMinutes),
  offlineLogonDays: Number(v.offlineLogonDays),
});

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** What changed since `initial`. The default flag can only be turned on: another profile taking it turns it off here. */
export function formToPatch(initial: ProfileFormValues, v: ProfileFormValues): WorkstationProfilePatch {
  const next = formToInput(v);
  const before = formToInput(initial);
  const patch: WorkstationProfilePatch = {};
  if (next.name !== before.name) patch.name = next.name;
  if (next.description !== before.description) patch.description = next.description;
  if (next.idleLockMinutes !== before.idleLockMinutes) patch.idleLockMinutes = next.idleLockMinutes;
  if (next.lockOnSessionEnd !== before.lockOnSessionEnd) patch.lockOnSessionEnd = next.lockOnSessionEnd;
  if (!sameSet(next.unlockMethods ?? [], before.unlockMethods ?? [])) patch.unlockMethods = next.unlockMethods;
  if (next.rdpAllowed !== before.rdpAllowed) patch.rdpAllowed = next.rdpAllowed;
  if (next.offlineLogonDays !== before.offlineLogonDays) patch.offlineLogonDays = next.offlineLogonDays;
  if (next.deactivatedEmployeesMayUnlock !== before.deactivatedEmployeesMayUnlock) patch.deactivatedEmployeesMayUnlock = next.deactivatedEmployeesMayUnlock;
  if (next.isDefault && !before.isDefault) patch.isDefault = true;
  if (!sameSet(next.departmentIds ?? [], before.departmentIds ?? [])) patch.departmentIds = next.departmentIds;
  return patch;
}
