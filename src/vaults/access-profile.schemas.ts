import { z } from 'zod';

const iso = z.string();

/** A model's AAGUID as WebAuthn writes it (§6.5.1): a UUID, kept lower-case. */
export const aaguidSchema = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'an AAGUID: a UUID such as ee882879-721c-4913-9775-3dfcce97072a')
  .transform((s) => s.toLowerCase());

/** The settings of a profile, as the API takes them. */
export const accessProfileSettings = {
  userVerificationRequired: z.boolean(),
  /** CTAP 2.1 allows PINs of 4 to 63 bytes; null: any length. */
  minPinLength: z.number().int().min(4).max(63).nullable(),
  /** Empty: any model. Duplicates are dropped. */
  allowedAaguids: z
    .array(aaguidSchema)
    .max(100)
    .transform((a) => [...new Set(a)]),
  /** Re-authentication interval for workstation logon, 5 minutes to 30 days. */
  reauthMinutes: z
    .number()
    .int()
    .min(5)
    .max(30 * 24 * 60),
};

export const accessProfileDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  userVerificationRequired: z.boolean(),
  minPinLength: z.number().int().nullable(),
  allowedAaguids: z.array(z.string()),
  reauthMinutes: z.number().int(),
  isDefault: z.boolean(),
  /** Keys that carry this profile as their own. */
  keyCount: z.number().int(),
  createdAt: iso,
  updatedAt: iso,
});
export type AccessProfileDto = z.infer<typeof accessProfileDto>;

/** The profile in force for a key: its own, else the default one, else the built-in default (id null). */
export const effectiveAccessProfileDto = z.object({
  id: z.string().uuid().nullable(),
  name: z.string(),
  userVerificationRequired: z.boolean(),
  minPinLength: z.number().int().nullable(),
  allowedAaguids: z.array(z.string()),
  reauthMinutes: z.number().int(),
  /** key: the key's own; default: the default profile; built_in: no profile applies. */
  source: z.enum(['key', 'default', 'built_in']),
});

const profileName = z.string().trim().min(1).max(100);

export const createAccessProfileBody = z
  .object({
    name: profileName,
    userVerificationRequired: accessProfileSettings.userVerificationRequired.default(true),
    minPinLength: accessProfileSettings.minPinLength.default(null),
    allowedAaguids: accessProfileSettings.allowedAaguids.default([]),
    reauthMinutes: accessProfileSettings.reauthMinutes.default(480),
    /** Make it the default (the one that was loses the mark). */
    isDefault: z.boolean().default(false),
  })
  .strict();
export type CreateAccessProfileInput = z.infer<typeof createAccessProfileBody>;

export const updateAccessProfileBody = z
  .object({ name: profileName, ...accessProfileSettings, isDefault: z.boolean() })
  .partial()
  .strict();
export type UpdateAccessProfileInput = z.infer<typeof updateAccessProfileBody>;

/** The profile of one key; null: none of its own (the default applies). */
export const assignAccessProfileBody = z.object({ accessProfileId: z.string().uuid().nullable() }).strict();

export const bulkAssignAccessProfileBody = z
  .object({
    accessProfileId: z.string().uuid().nullable(),
    keyIds: z.array(z.string().uuid()).min(1).max(500),
  })
  .strict();

export const bulkAssignAccessProfileAnswer = z.object({
  /** The keys whose profile was set (unknown ids are left out). */
  updated: z.number().int(),
  notFound: z.array(z.string().uuid()),
});
