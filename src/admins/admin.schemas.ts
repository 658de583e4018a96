import { z } from 'zod';
import { settingsValues } from '../settings/settings.schemas.js';
import type { AdminRow } from './admin.repository.js';

export const adminDto = z.object({
  id: z.string().uuid(),
  email: z.string(),
  name: z.string(),
  totpEnabled: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});
export type AdminDto = z.infer<typeof adminDto>;

export const toAdminDto = (a: AdminRow): AdminDto => ({
  id: a.id,
  email: a.email,
  name: a.name,
  totpEnabled: a.totpSecret !== null,
  createdAt: a.createdAt.toISOString(),
  lastSignInAt: a.lastSignInAt?.toISOString() ?? null,
});

export const adminEmail = z.string().trim().email().max(254);
export const adminName = z.string().trim().min(1).max(120);
export const adminPassword = z.string().min(1).max(256);

/** The answer of every console sign-in step: signed in, or which second factor is owed. */
export const signInAnswer = z.object({
  status: z.enum(['ok', 'totp_required', 'totp_enrollment_required']),
  admin: adminDto.optional(),
  /** After a sign-in with a recovery code: how many unused codes are left. */
  recoveryCodesRemaining: z.number().int().optional(),
});

export const csrfAnswer = z.object({ csrfToken: z.string() });
/** Whether the first admin still has to be created. */
export const setupStateAnswer = z.object({ needsSetup: z.boolean() });
/** The first admin, created with the one-time setup token. */
export const setupBody = z.object({ token: z.string().min(1).max(200), email: adminEmail, name: adminName, password: adminPassword }).strict();
export const newAdminBody = z.object({ email: adminEmail, name: adminName, password: adminPassword }).strict();
/** The signed-in admin and the settings the console needs before it loads any page. */
export const meAnswer = z.object({
  admin: adminDto,
  settings: settingsValues.pick({ organisationName: true, requireAdminTotp: true }),
  /** Unused recovery codes of the admin's set; null while TOTP is off. */
  recoveryCodesRemaining: z.number().int().nullable(),
});
export const adminAnswer = z.object({ admin: adminDto });
/** The admin's current password, to confirm a sensitive change. */
export const passwordBody = z.object({ password: z.string().min(1).max(256) }).strict();

/** A recovery code typed at the second sign-in step (case, spaces and hyphens do not matter). */
export const recoveryCodeBody = z.object({ code: z.string().trim().min(1).max(64) }).strict();
/** "Generate new recovery codes": the current TOTP code, which may be left out right after signing in. */
export const regenerateRecoveryCodesBody = z.object({ code: z.string().trim().min(1).max(10).optional() }).strict();
/** The one answer that shows recovery codes: save them now, they are never shown again. */
export const recoveryCodesAnswer = z.object({ recoveryCodes: z.array(z.string()), remaining: z.number().int() });
export const recoveryCodeStateAnswer = z.object({ totpEnabled: z.boolean(), remaining: z.number().int(), generatedAt: z.string().nullable() });
/** TOTP is on; the first set of recovery codes, shown once. */
export const totpConfirmAnswer = z.object({ admin: adminDto, recoveryCodes: z.array(z.string()) });
