import { z } from 'zod';

export const smtpTlsModes = ['none', 'starttls', 'tls'] as const;

/** Settings as stored, with their defaults. Secret fields are absent here: they are sealed apart. */
export const settingsValues = z.object({
  organisationName: z.string().trim().min(1).max(120).default('Tessera'),
  requireAdminTotp: z.boolean().default(false),
  sessionIdleMinutes: z.number().int().min(5).max(24 * 60).default(30),
  sessionAbsoluteHours: z.number().int().min(1).max(24 * 30).default(12),
  lockoutThreshold: z.number().int().min(3).max(100).default(5),
  lockoutMinutes: z.number().int().min(1).max(24 * 60).default(15),
  smtp: z.object({
    host: z.string().trim().min(1).max(253).nullable().default(null),
    port: z.number().int().min(1).max(65535).nullable().default(null),
    tls: z.enum(smtpTlsModes).default('starttls'),
    username: z.string().max(256).nullable().default(null),
    from: z.string().trim().email().max(254).nullable().default(null),
  }).default({ host: null, port: null, tls: 'starttls', username: null, from: null }),
});

export type SettingsValues = z.infer<typeof settingsValues>;

export const secretSet = z.object({ set: z.boolean() });

export const settingsResponse = settingsValues.extend({
  smtp: settingsValues.shape.smtp.unwrap().extend({ password: secretSet }),
});
export type SettingsResponse = z.infer<typeof settingsResponse>;

/** A partial update. `smtp.password`: a string sets it, null clears it, absent keeps it. */
export const settingsPatch = z.object({
  organisationName: z.string().trim().min(1).max(120),
  requireAdminTotp: z.boolean(),
  sessionIdleMinutes: z.number().int().min(5).max(24 * 60),
  sessionAbsoluteHours: z.number().int().min(1).max(24 * 30),
  lockoutThreshold: z.number().int().min(3).max(100),
  lockoutMinutes: z.number().int().min(1).max(24 * 60),
  smtp: z.object({
    host: z.string().trim().min(1).max(253).nullable(),
    port: z.number().int().min(1).max(65535).nullable(),
    tls: z.enum(smtpTlsModes),
    username: z.string().max(256).nullable(),
    password: z.string().min(1).max(1024).nullable(),
    from: z.string().trim().email().max(254).nullable(),
  }).partial().strict(),
}).partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatch>;
