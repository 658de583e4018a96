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
export const signInAnswer = z.object({ status: z.enum(['ok', 'totp_required', 'totp_enrollment_required']), admin: adminDto.optional() });

export const csrfAnswer = z.object({ csrfToken: z.string() });
/** Whether the first admin still has to be created. */
export const setupStateAnswer = z.object({ needsSetup: z.boolean() });
/** The first admin, created with the one-time setup token. */
export const setupBody = z.object({ token: z.string().min(1).max(200), email: adminEmail, name: adminName, password: adminPassword }).strict();
export const newAdminBody = z.object({ email: adminEmail, name: adminName, password: adminPassword }).strict();
/** The signed-in admin and the settings the console needs before it loads any page. */
export const meAnswer = z.object({ admin: adminDto, settings: settingsValues.pick({ organisationName: true, requireAdminTotp: true }) });
export const adminAnswer = z.object({ admin: adminDto });
/** The admin's current password, to confirm a sensitive change. */
export const passwordBody = z.object({ password: z.string().min(1).max(256) }).strict();
