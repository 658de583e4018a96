// The form of a vault account (a personal one in the portal, a shared one in the console): its
// values, their checks, and the body they become. A stored secret is never in the form: the form
// only says whether to keep it, replace it (with a new value typed or generated) or remove it.
import type { VaultAccount, VaultAccountInput, VaultAccountPatch } from '../api/vault-types';

export type SecretAction = 'keep' | 'replace' | 'remove';
/** One secret field: whether a value is stored, what to do with it, and the new value. */
export interface SecretEdit {
  stored: boolean;
  action: SecretAction;
  value: string;
}
export type SecretKey = 'password' | 'otp' | 'notes';

export interface AccountFormValues {
  name: string;
  /** One address a line. */
  urls: string;
  login: string;
  workstationUse: boolean;
  password: SecretEdit;
  otp: SecretEdit;
  notes: SecretEdit;
}
export type AccountFormErrors = Partial<Record<'name' | 'urls' | 'login' | SecretKey, string>>;

const fresh = (): SecretEdit => ({ stored: false, action: 'replace', value: '' });
const stored = (has: boolean): SecretEdit => (has ? { stored: true, action: 'keep', value: '' } : fresh());

export const emptyAccountForm = (): AccountFormValues => ({
  name: '',
  urls: '',
  login: '',
  workstationUse: false,
  password: fresh(),
  otp: fresh(),
  notes: fresh(),
});

export function accountToForm(a: Pick<VaultAccount, 'name' | 'urls' | 'login' | 'workstationUse' | 'hasPassword' | 'hasOtp' | 'hasNotes'>): AccountFormValues {
  return {
    name: a.name,
    urls: a.urls.join('\n'),
    login: a.login ?? '',
    workstationUse: a.workstationUse,
    password: stored(a.hasPassword),
    otp: stored(a.hasOtp),
    notes: stored(a.hasNotes),
  };
}

export const urlLines = (text: string) =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

function isWebAddress(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

// Control characters in a name or login: the server refuses them too (they are shown in lists and typed at logon).
const CONTROL = /[\u0000-\u001f\u007f]/;

export function validateAccount(v: AccountFormValues): AccountFormErrors {
  const errors: AccountFormErrors = {};
  if (!v.name.trim()) errors.name = 'Enter a name, e.g. the application’s';
  else if (v.name.trim().length > 200) errors.name = 'At most 200 characters';
  else if (CONTROL.test(v.name)) errors.name = 'Line breaks and control characters are not allowed';
  const urls = urlLines(v.urls);
  const bad = urls.find((u) => !isWebAddress(u));
  if (bad) errors.urls = `“${bad.slice(0, 80)}” is not an http:// or https:// address`;
  else if (urls.length > 20) errors.urls = 'At most 20 addresses';
  if (CONTROL.test(v.login)) errors.login = 'Line breaks and control characters are not allowed';
  else if (v.login.trim().length > 500) errors.login = 'At most 500 characters';
  if (v.password.action === 'replace' && v.password.value.length > 1000) errors.password = 'At most 1000 characters';
  if (v.password.stored && v.password.action === 'replace' && !v.password.value) errors.password = 'Type or generate the new password, or keep the current one';
  if (v.otp.stored && v.otp.action === 'replace' && !v.otp.value.trim()) errors.otp = 'Paste the new secret, or keep the current one';
  if (v.notes.action === 'replace' && v.notes.value.length > 10_000) errors.notes = 'At most 10,000 characters';
  if (v.notes.stored && v.notes.action === 'replace' && !v.notes.value) errors.notes = 'Type the new notes, or keep the current ones';
  return errors;
}

const secretValue = (key: SecretKey, s: SecretEdit) => (key === 'otp' ? s.value.trim() : s.value);

/** The body of a new account: only what was filled in. */
export function formToInput(v: AccountFormValues): VaultAccountInput {
  const body: VaultAccountInput = { name: v.name.trim(), urls: urlLines(v.urls), workstationUse: v.workstationUse };
  if (v.login.trim()) body.login = v.login.trim();
  for (const key of ['password', 'otp', 'notes'] as const) {
    const value = secretValue(key, v[key]);
    if (value) body[key] = value;
  }
  return body;
}

/** The change: what differs from `initial`; a secret replaced is sent, one removed is null, one kept is left out. */
export function formToPatch(initial: AccountFormValues, v: AccountFormValues): VaultAccountPatch {
  const patch: VaultAccountPatch = {};
  if (v.name.trim() !== initial.name) patch.name = v.name.trim();
  const urls = urlLines(v.urls);
  if (urls.join('\n') !== urlLines(initial.urls).join('\n')) patch.urls = urls;
  if (v.login.trim() !== initial.login) patch.login = v.login.trim() || null;
  if (v.workstationUse !== initial.workstationUse) patch.workstationUse = v.workstationUse;
  for (const key of ['password', 'otp', 'notes'] as const) {
    const s = v[key];
    if (s.action === 'remove' && s.stored) patch[key] = null;
    else if (s.action === 'replace' && secretValue(key, s)) patch[key] = secretValue(key, s);
  }
  return patch;
}
