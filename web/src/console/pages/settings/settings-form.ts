import type { SettingsPatchWithBranding, SettingsWithBranding } from '../../api/mail';
import type { Settings, SmtpTls } from '../../../shared/api/types';
import { blankToNull } from '../../../shared/components/format';

export type PasswordMode = 'keep' | 'change' | 'clear';

export interface SettingsFormValues {
  organisationName: string;
  requireAdminTotp: boolean;
  sessionIdleMinutes: number | string;
  sessionAbsoluteHours: number | string;
  lockoutThreshold: number | string;
  lockoutMinutes: number | string;
  smtpHost: string;
  smtpPort: number | string;
  smtpTls: SmtpTls;
  smtpUsername: string;
  smtpFrom: string;
  /** The SMTP password is write-only: keep it, type a new one, or clear it. */
  passwordMode: PasswordMode;
  newPassword: string;
  /** Branding: #rrggbb. */
  primaryColor: string;
}

export type SettingsFormErrors = Partial<Record<keyof SettingsFormValues, string>>;

export function settingsToForm(settings: Settings): SettingsFormValues {
  return {
    organisationName: settings.organisationName,
    requireAdminTotp: settings.requireAdminTotp,
    sessionIdleMinutes: settings.sessionIdleMinutes,
    sessionAbsoluteHours: settings.sessionAbsoluteHours,
    lockoutThreshold: settings.lockoutThreshold,
    lockoutMinutes: settings.lockoutMinutes,
    smtpHost: settings.smtp.host ?? '',
    smtpPort: settings.smtp.port ?? '',
    smtpTls: settings.smtp.tls,
    smtpUsername: settings.smtp.username ?? '',
    smtpFrom: settings.smtp.from ?? '',
    passwordMode: settings.smtp.password.set ? 'keep' : 'change',
    newPassword: '',
    primaryColor: (settings as Partial<SettingsWithBranding>).branding?.primaryColor ?? DEFAULT_PRIMARY_COLOR,
  };
}

export const DEFAULT_PRIMARY_COLOR = '#1c7ed6';

const positiveInt = (value: number | string) => typeof value === 'number' && Number.isInteger(value) && value > 0;

/** Allowed ranges, as the server validates them (also given to the number fields as min / max). */
export const LIMITS = {
  sessionIdleMinutes: { min: 5, max: 24 * 60 },
  sessionAbsoluteHours: { min: 1, max: 24 * 30 },
  lockoutThreshold: { min: 3, max: 100 },
  lockoutMinutes: { min: 1, max: 24 * 60 },
} as const;

export function validateSettings(v: SettingsFormValues): SettingsFormErrors {
  const errors: SettingsFormErrors = {};
  if (!v.organisationName.trim()) errors.organisationName = 'Enter the organisation name';
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const { min, max } = LIMITS[key];
    const value = v[key];
    if (!positiveInt(value) || Number(value) < min || Number(value) > max) errors[key] = `Enter a whole number from ${min} to ${max}`;
  }
  if (v.smtpPort !== '' && !(positiveInt(v.smtpPort) && Number(v.smtpPort) <= 65535)) errors.smtpPort = 'Enter a port between 1 and 65535';
  if (v.smtpFrom.trim() && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v.smtpFrom.trim())) errors.smtpFrom = 'Enter an e-mail address, e.g. no-reply@example.com';
  if (!/^#[0-9a-fA-F]{6}$/.test(v.primaryColor)) errors.primaryColor = 'Enter a colour like #1c7ed6';
  return errors;
}

/**
 * PATCH body. Every visible field is sent; `smtp.password` only when the admin typed a new one
 * (a string) or chose Clear (null), so the saved password is otherwise kept.
 */
export function formToPatch(v: SettingsFormValues): SettingsPatchWithBranding {
  const smtp: NonNullable<SettingsPatchWithBranding['smtp']> = {
    host: blankToNull(v.smtpHost),
    port: v.smtpPort === '' ? null : Number(v.smtpPort),
    tls: v.smtpTls,
    username: blankToNull(v.smtpUsername),
    from: blankToNull(v.smtpFrom),
  };
  if (v.passwordMode === 'clear') smtp.password = null;
  else if (v.passwordMode === 'change' && v.newPassword !== '') smtp.password = v.newPassword;
  return {
    organisationName: v.organisationName.trim(),
    requireAdminTotp: v.requireAdminTotp,
    sessionIdleMinutes: Number(v.sessionIdleMinutes),
    sessionAbsoluteHours: Number(v.sessionAbsoluteHours),
    lockoutThreshold: Number(v.lockoutThreshold),
    lockoutMinutes: Number(v.lockoutMinutes),
    smtp,
    branding: { primaryColor: v.primaryColor.toLowerCase() },
  };
}

/** The sections of the Settings page, each saved on its own: the form fields it holds. */
export const SECTION_FIELDS = {
  general: ['organisationName', 'requireAdminTotp'],
  sessions: ['sessionIdleMinutes', 'sessionAbsoluteHours', 'lockoutThreshold', 'lockoutMinutes'],
  mail: ['smtpHost', 'smtpPort', 'smtpTls', 'smtpUsername', 'smtpFrom', 'passwordMode', 'newPassword'],
  branding: ['primaryColor'],
} as const satisfies Record<string, readonly (keyof SettingsFormValues)[]>;
export type SettingsSectionId = keyof typeof SECTION_FIELDS;

/** The PATCH body of one section: only its own settings, so saving it never sends another's edits. */
export function sectionPatch(section: SettingsSectionId, v: SettingsFormValues): SettingsPatchWithBranding {
  const all = formToPatch(v);
  switch (section) {
    case 'general':
      return { organisationName: all.organisationName, requireAdminTotp: all.requireAdminTotp };
    case 'sessions':
      return {
        sessionIdleMinutes: all.sessionIdleMinutes,
        sessionAbsoluteHours: all.sessionAbsoluteHours,
        lockoutThreshold: all.lockoutThreshold,
        lockoutMinutes: all.lockoutMinutes,
      };
    case 'mail':
      return { smtp: all.smtp };
    case 'branding':
      return { branding: all.branding };
  }
}

/** One section's validation errors. */
export function sectionErrors(section: SettingsSectionId, v: SettingsFormValues): SettingsFormErrors {
  const all = validateSettings(v);
  const keys: readonly string[] = SECTION_FIELDS[section];
  return Object.fromEntries(Object.entries(all).filter(([k]) => keys.includes(k))) as SettingsFormErrors;
}

/**
 * The form's SMTP settings for a test e-mail, unsaved: a password kept (or left blank) is the saved
 * one (absent), Clear sends without one (null).
 */
export function smtpTestSettings(v: SettingsFormValues) {
  const { password: _password, ...smtp } = formToPatch(v).smtp as Required<NonNullable<SettingsPatchWithBranding['smtp']>>;
  const password = v.passwordMode === 'clear' ? null : v.passwordMode === 'change' && v.newPassword !== '' ? v.newPassword : undefined;
  return { ...smtp, ...(password !== undefined ? { password } : {}) };
}
