import { z } from 'zod';

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hostname = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const httpsBase = z
  .string()
  .trim()
  .max(300)
  .regex(/^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i, 'must be an https:// URL')
  .transform((s) => s.replace(/\/+$/, ''));

/**
 * Kind-specific settings of an Entra ID domain (the domain's `name` is the tenant's domain, e.g.
 * contoso.onmicrosoft.com). The credential is the domain's sealed `secret`: the client secret, or
 * the client certificate and its private key as one PEM bundle (`credentialType` says which).
 */
export const entraSettings = z
  .object({
    /** Directory (tenant) id: a GUID, or a verified domain of the tenant. */
    tenantId: z
      .string()
      .trim()
      .refine((s) => guid.test(s) || hostname.test(s), 'must be the tenant GUID or one of its domains'),
    /** Application (client) id of the app registration. */
    clientId: z.string().trim().regex(guid, 'must be the application (client) id, a GUID'),
    credentialType: z.enum(['secret', 'certificate']).default('secret'),
    /** National clouds use other hosts (e.g. https://login.microsoftonline.us, https://graph.microsoft.us). */
    loginBaseUrl: httpsBase.default('https://login.microsoftonline.com'),
    graphBaseUrl: httpsBase.default('https://graph.microsoft.com'),
    /** $top for member listings (Graph allows up to 999). */
    pageSize: z.number().int().min(1).max(999).default(999),
    timeoutMs: z.number().int().min(1000).max(120000).default(30000),
    /** Passkey provisioning into Entra (FIDO2 provisioning API). */
    passkeys: z
      .object({
        enabled: z.boolean().default(false),
        /** Only employees whose e-mail is in one of these domains may be provisioned; empty: any. */
        allowedEmailDomains: z.array(z.string().trim().toLowerCase().regex(hostname, 'must be a domain name')).max(50).default([]),
      })
      .strict()
      .default({ enabled: false, allowedEmailDomains: [] }),
  })
  .strict();
export type EntraSettings = z.infer<typeof entraSettings>;

/**
 * Application permissions each feature needs; any one permission of a set is enough, the first is
 * the least-privileged one (what the console asks for). `why` and `when` are shown to the admin
 * who sets up the app registration.
 */
export const requiredPermissions = {
  users: {
    label: 'read users',
    anyOf: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    why: "Reads the sync group's members (name, e-mail, department, whether the account is enabled) to import them as employees.",
    when: 'always',
  },
  groups: {
    label: 'read groups and their members',
    anyOf: ['Group.Read.All', 'GroupMember.Read.All', 'Group.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    why: 'Finds the sync and rotation groups by name, lists their members (nested groups included) and the groups the employees belong to.',
    when: 'always',
  },
  rotation: {
    label: 'password rotation',
    anyOf: ['User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
    why: 'Writes the new password (passwordProfile) of members of the rotation group.',
    when: 'when auto password change is on (more than 0 days)',
  },
  passkeys: {
    label: 'passkey provisioning',
    anyOf: ['UserAuthMethod-Passkey.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
    why: "Registers employees' passkeys in Entra ID (FIDO2 creation options and methods), lists and deletes them.",
    when: 'when passkey provisioning is on',
  },
  pairingGroups: {
    label: 'pairing groups: create them, change members',
    anyOf: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    why: 'Creates the three pairing groups and moves each employee between them as their passkey state changes.',
    when: 'when passkey provisioning is on',
  },
} as const;
export type Feature = keyof typeof requiredPermissions;

/** The features' permissions the token lacks, each named by its least-privileged permission. */
export function missingPermissions(roles: string[], features: Feature[]): { feature: Feature; permission: string; label: string }[] {
  return features
    .filter((f) => !requiredPermissions[f].anyOf.some((p) => roles.includes(p)))
    .map((f) => ({ feature: f, permission: requiredPermissions[f].anyOf[0], label: requiredPermissions[f].label }));
}

/** The permissions as the console lists them for the app registration. */
export const entraPermissionDto = z.object({
  feature: z.string(),
  label: z.string(),
  permission: z.string().describe('The least-privileged application permission to grant'),
  alternatives: z.array(z.string()).describe('Broader permissions that also do'),
  why: z.string(),
  when: z.string(),
});
export const entraPermissionList = () =>
  (Object.entries(requiredPermissions) as [Feature, (typeof requiredPermissions)[Feature]][]).map(([feature, p]) => ({
    feature,
    label: p.label,
    permission: p.anyOf[0],
    alternatives: p.anyOf.slice(1),
    why: p.why,
    when: p.when,
  }));
