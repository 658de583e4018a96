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

const SMTP_FIELDS = ['smtpHost', 'smtpPort', 'smtpTls', 'smtpUsername', 'smtpFrom'] as const;

/** Whether the SMTP fields differ from the saved settings (the test e-mail uses the saved ones). */
export function hasUnsavedSmtp(v: SettingsFormValues, settings: Settings): boolean {
  const saved = settingsToForm(settings);
  return SMTP_FIELDS.some((k) => String(v[k]) !== String(saved[k])) || v.passwordMode !== saved.passwordMode || v.newPassword !== '';
}

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
