import { z } from 'zod';

export const smtpTlsModes = ['none', 'starttls', 'tls'] as const;
export const secondFactors = ['totp', 'passkey'] as const;

const smtp = z.object({
  host: z.string().trim().min(1).max(253).nullable(),
  port: z.number().int().min(1).max(65535).nullable(),
  tls: z.enum(smtpTlsModes),
  username: z.string().max(256).nullable(),
  from: z.string().trim().email().max(254).nullable(),
});

/** Authenticator policy: which sign-in methods employees (and admins' passkeys) may use. */
const authenticators = z.object({
  /** Platform authenticators (Windows Hello, Touch ID, phone passkeys). Off: only roaming security keys. */
  allowPlatform: z.boolean(),
  userVerification: z.enum(['required', 'preferred']),
  attestation: z.enum(['none', 'direct']),
  /** When not empty, only authenticators of these models (AAGUIDs) may be registered. */
  aaguidAllowList: z.array(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an AAGUID (lower-case UUID)')).max(200),
  maxCredentialsPerEmployee: z.number().int().min(1).max(50),
  /** Whether e-mail + password (always with a second factor) is offered at all. */
  allowPasswordSignIn: z.boolean(),
  secondFactors: z.array(z.enum(secondFactors)).min(1).max(2),
  /** A signature counter that goes backwards suggests a cloned key (WebAuthn §6.1.1): refuse or only flag. */
  signCountPolicy: z.enum(['refuse', 'flag']),
});

const invitations = z.object({ validityDays: z.number().int().min(1).max(90) });

const branding = z.object({
  /** Accent colour of the sign-in pages and e-mails. */
  primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1c7ed6'),
});

/** Settings as stored, with their defaults. Secret fields are absent here: they are sealed apart. */
/**
 * A resource server (an API) that clients may ask tokens for with RFC 8707's `resource`
 * parameter. `identifier` is the resource indicator and the tokens' audience; `jwt` tokens are
 * RFC 9068 JWT access tokens (typ at+jwt, signed with the OIDC keys, checked by the API against
 * the JWKS with no call back and no row per token); `opaque` ones are checked by introspection.
 * Only the listed clients get tokens for it (default deny).
 */
export const oidcResource = z.object({
  identifier: z
    .string()
    .trim()
    .max(500)
    .url("must be an absolute URL (the API's resource indicator, RFC 8707)")
    .refine((v) => /^https?:\/\//.test(v) && !v.includes('#'), 'must be an http(s) URL without a fragment'),
  name: z.string().trim().min(1).max(120),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'must be a scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)')).max(50),
  accessTokenFormat: z.enum(['jwt', 'opaque']),
  accessTokenMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  clientIds: z.array(z.string().min(1).max(200)).max(200),
});
export type OidcResource = z.infer<typeof oidcResource>;
const oidcResources = z
  .array(oidcResource)
  .max(50)
  .refine((list) => new Set(list.map((r) => r.identifier)).size === list.length, 'each resource identifier appears once');

export const settingsValues = z.object({
  organisationName: z.string().trim().min(1).max(120).default('Tessera'),
  requireAdminTotp: z.boolean().default(false),
  sessionIdleMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(30),
  sessionAbsoluteHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  lockoutThreshold: z.number().int().min(3).max(100).default(5),
  lockoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  smtp: smtp.default({ host: null, port: null, tls: 'starttls', username: null, from: null }),
  authenticators: authenticators.default({
    allowPlatform: false,
    userVerification: 'required',
    attestation: 'none',
    aaguidAllowList: [],
    maxCredentialsPerEmployee: 5,
    allowPasswordSignIn: false,
    secondFactors: ['totp', 'passkey'],
    signCountPolicy: 'refuse',
  }),
  invitations: invitations.default({ validityDays: 7 }),
  branding: branding.default({ primaryColor: '#1c7ed6' }),
  oidcResources: oidcResources.default([]),
});

export type SettingsValues = z.infer<typeof settingsValues>;
/** Settings that are objects of their own; a patch changes some of their fields and keeps the rest. */
export const SETTINGS_GROUPS = ['smtp', 'authenticators', 'invitations', 'branding'] as const;

export const secretSet = z.object({ set: z.boolean() });

export const settingsResponse = settingsValues.extend({
  smtp: smtp.extend({ password: secretSet }),
  authenticators,
  invitations,
  branding: branding.extend({ hasLogo: z.boolean() }),
});
export type SettingsResponse = z.infer<typeof settingsResponse>;

/** A partial update. `smtp.password`: a string sets it, null clears it, absent keeps it. */
export const settingsPatch = z
  .object({
    organisationName: z.string().trim().min(1).max(120),
    requireAdminTotp: z.boolean(),
    sessionIdleMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60),
    sessionAbsoluteHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
    lockoutThreshold: z.number().int().min(3).max(100),
    lockoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    smtp: smtp
      .extend({ password: z.string().min(1).max(1024).nullable() })
      .partial()
      .strict(),
    authenticators: authenticators.partial().strict(),
    invitations: invitations.partial().strict(),
    branding: branding.partial().strict(),
    oidcResources,
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof settingsPatch>;
