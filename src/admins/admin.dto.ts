import { z } from 'zod';
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
