import { z } from 'zod';
import { directoryErrorCodes } from './connector.js';
import { removalBehaviours, rotationDeliveries } from './directory.constants.js';
import { entraSettings } from './entra/entra.schemas.js';

/**
 * Kind-specific settings of a domain (the `settings` jsonb). A new connector adds its variant to
 * `domainSettingsByKind`; everything else (API, config file, console) follows from it.
 */
const ldapUrl = z
  .string()
  .trim()
  .max(300)
  .regex(/^ldaps?:\/\/[^\s/]+(:\d{1,5})?\/?$/i, 'must be ldaps://host[:port] or ldap://host[:port]');

export const adSettings = z
  .object({
    /**
     * Tried in order: the next one when a server does not answer (failover). Empty: ldaps://<domain
     * name>, which AD's DNS resolves to the domain's controllers.
     */
    urls: z.array(ldapUrl).max(10).default([]),
    /** ldaps:// URLs use TLS from the start; StartTLS upgrades ldap:// URLs; none is plain LDAP (no password operations). */
    transport: z.enum(['ldaps', 'starttls', 'none']).default('ldaps'),
    /** PEM CA certificate(s) that sign the domain controllers' certificates; empty: the system's CAs. */
    caCertificate: z.string().max(20000).nullable().default(null),
    /** Accept any certificate. Dangerous: for tests and first set-up only; the console flags it. */
    skipTlsVerify: z.boolean().default(false),
    /** Name the certificate must carry, when the URLs use addresses or aliases (for example dc1.corp.example). */
    tlsServerName: z.string().trim().max(253).nullable().default(null),
    /** UPN (svc@corp.example), DOMAIN\\user or a DN. */
    bindUser: z.string().trim().min(1).max(300),
    /** Empty: read from the rootDSE's defaultNamingContext. */
    baseDn: z.string().trim().max(500).nullable().default(null),
    pageSize: z.number().int().min(2).max(5000).default(500),
    timeoutMs: z.number().int().min(500).max(120000).default(10000),
  })
  .strict();
export type AdSettings = z.infer<typeof adSettings>;

export const domainSettingsByKind = {
  ad: adSettings,
  entra: entraSettings,
} as const;

/**
 * Which of the directory's groups are imported with the employees (so a large directory does not
 * flood Tessera with thousands of groups). Membership is always transitive (nested groups resolved).
 * - `member_groups` (default): every security group a synced employee belongs to;
 * - `under_ou` (AD only): every group (security or distribution) whose DN lies under `ou`;
 * - `list`: only the groups named in `names` (AD cn or sAMAccountName, Entra displayName; any case);
 * - `none`: no groups (the domain's imported groups are removed at the next sync).
 */
export const groupImportModes = ['none', 'member_groups', 'under_ou', 'list'] as const;
export const groupImport = z
  .object({
    mode: z.enum(groupImportModes).default('member_groups'),
    ou: z.string().trim().min(1).max(500).nullable().default(null).describe('`under_ou`: the OU or container DN, e.g. OU=Groups,DC=corp,DC=example'),
    names: z.array(z.string().trim().min(1).max(256)).max(500).default([]).describe('`list`: the group names to import'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.mode === 'under_ou' && !v.ou) ctx.addIssue({ code: 'custom', path: ['ou'], message: 'under_ou needs the DN of an OU or container' });
    if (v.mode === 'list' && v.names.length === 0) ctx.addIssue({ code: 'custom', path: ['names'], message: 'list needs at least one group name' });
  });
export type GroupImport = z.infer<typeof groupImport>;
export const defaultGroupImport: GroupImport = { mode: 'member_groups', ou: null, names: [] };

const common = {
  name: z.string().trim().min(1).max(253),
  syncGroup: z.string().trim().min(1).max(256).default('Tessera Users Sync'),
  rotationGroup: z.string().trim().min(1).max(256).default('Tessera Key Auto Password Change'),
  passwordChangeDays: z.number().int().min(0).max(3650).default(30),
  rotationDelivery: z
    .enum(rotationDeliveries)
    .default('key')
    .describe(
      'Who is rotated: `key`, only holders of an Active hardware key; `key_or_portal`, also employees who sign in to the portal with a passkey (they reveal the password there)',
    ),
  removalBehaviour: z.enum(removalBehaviours).default('deactivate'),
  removalThresholdPercent: z.number().int().min(0).max(100).default(10),
  ssoEnabled: z.boolean().default(true),
  ssoMethod: z.enum(['passwordless', 'password_2fa']).default('passwordless'),
  syncIntervalMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  fullSyncIntervalHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /**
   * Write-only: a string sets it, null removes it (every sync scenario of the domain stops), absent keeps it.
   * Entra: the client secret, or the client certificate and its private key as one PEM bundle (hence the size).
   */
  secret: z.string().min(1).max(16000).nullable().optional(),
  groupImport: groupImport.default(defaultGroupImport),
};

export const domainCreate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ad'), ...common, settings: adSettings }).strict(),
  z.object({ kind: z.literal('entra'), ...common, settings: entraSettings }).strict(),
]);
export type DomainCreate = z.infer<typeof domainCreate>;

/**
 * Every field optional and without its default: a PATCH (or a test of an edit) changes only what
 * it names. Zod 4 applies a default inside `.optional()`, so `.partial()` alone would reset every
 * field left out to its default.
 */
const partial = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object(
      Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v instanceof z.ZodDefault ? v.unwrap() : v])) as unknown as {
        [K in keyof T]: T[K] extends z.ZodDefault<infer I> ? I : T[K];
      },
    )
    .partial();
/**
 * One object for every kind (a union would hide which field is wrong): `settings` holds the fields
 * to change, checked against the domain's kind (domainSettingsByKind) by the service.
 */
export const domainPatch = partial({ ...common })
  .extend({
    settings: z.record(z.string(), z.unknown()).optional().describe("Fields of the kind's settings to change (see the create body of each kind)"),
  })
  .strict();
export type DomainPatch = z.infer<typeof domainPatch>;

export const domainDto = z.object({
  id: z.string().uuid(),
  kind: z.string(),
  name: z.string(),
  syncGroup: z.string(),
  rotationGroup: z.string(),
  passwordChangeDays: z.number(),
  rotationDelivery: z.enum(rotationDeliveries),
  removalBehaviour: z.enum(removalBehaviours),
  removalThresholdPercent: z.number(),
  ssoEnabled: z.boolean(),
  ssoMethod: z.enum(['passwordless', 'password_2fa']),
  syncIntervalMinutes: z.number(),
  fullSyncIntervalHours: z.number(),
  groupImport: z.object({ mode: z.enum(groupImportModes), ou: z.string().nullable(), names: z.array(z.string()) }),
  settings: z.record(z.string(), z.unknown()),
  secret: z.object({ set: z.boolean() }),
  /** False when the secret is missing: sync, rotation and password changes are stopped. */
  isSyncEnabled: z.boolean(),
  source: z.string(),
  lastSyncAt: z.string().nullable(),
  lastFullSyncAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DomainDto = z.infer<typeof domainDto>;

export const syncChange = z.object({
  action: z.enum(['create', 'link', 'update', 'deactivate', 'reactivate', 'delete', 'unlink', 'keep']),
  externalId: z.string(),
  employeeId: z.string().nullable(),
  label: z.string(),
  fields: z.array(z.string()).optional(),
});
export type SyncChange = z.infer<typeof syncChange>;

export const syncRunDto = z.object({
  id: z.string().uuid(),
  domainId: z.string().uuid(),
  trigger: z.string(),
  mode: z.enum(['full', 'incremental']),
  isDryRun: z.boolean(),
  status: z.enum(['running', 'succeeded', 'failed', 'awaiting_confirmation', 'confirmed', 'cancelled']),
  counts: z.record(z.string(), z.number()),
  changes: z.array(syncChange),
  progress: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  startedBy: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type SyncRunDto = z.infer<typeof syncRunDto>;

/** A run in the dashboard's sync status: what it did, not its change list. */
export const syncRunSummaryDto = syncRunDto.pick({ id: true, trigger: true, status: true, counts: true, error: true, startedAt: true, finishedAt: true });
export type SyncRunSummaryDto = z.infer<typeof syncRunSummaryDto>;
/** One domain's sync at a glance: the last real run, the next scheduled one, and the runs held for confirmation. */
export const syncStatusDto = z.object({
  domain: z.object({ id: z.string().uuid(), name: z.string(), kind: z.string() }),
  schedule: z.enum(['scheduled', 'on_demand', 'not_configured']).describe('on_demand: interval 0; not_configured: no bind password or client secret saved'),
  intervalMinutes: z.number().int(),
  lastSuccessAt: z.string().nullable(),
  lastRun: syncRunSummaryDto.nullable().describe('The latest sync that was not a dry run'),
  nextRunAt: z.string().nullable().describe('When the scheduler starts the next sync (now when one is due); null when none is scheduled'),
  heldRuns: z.array(syncRunSummaryDto).describe('Syncs stopped by the removal threshold: an admin confirms or cancels them on the Domains page'),
});
export type SyncStatusDto = z.infer<typeof syncStatusDto>;

/** An employee's account in a domain, as the console and the portal show it. Never a password. */
export const accountDto = z.object({
  id: z.string().uuid(),
  domainId: z.string().uuid(),
  domainName: z.string(),
  domainKind: z.string(),
  username: z.string(),
  upn: z.string().nullable(),
  isEnabled: z.boolean(),
  isMember: z.boolean(),
  isRotationMember: z.boolean(),
  passwordChangedAt: z.string().nullable(),
  /** Tessera holds the password the directory has (sealed, for the employee's key). */
  hasManagedPassword: z.boolean(),
  hasPendingPassword: z.boolean(),
  /** The employee may change the password themselves (the connector supports it and credentials are saved). */
  canChangePassword: z.boolean(),
});
export type AccountDto = z.infer<typeof accountDto>;

/** Whether the employee's domain passwords rotate, and why not (issue 14 item 8). */
export const rotationStatusDto = z.object({
  eligible: z.boolean(),
  code: z.enum(['eligible', 'employee_inactive', 'no_directory_account', 'rotation_off', 'not_in_rotation_group', 'no_active_key']),
  reason: z.string().nullable(),
});

export const runParams = z.object({ id: z.string().uuid(), runId: z.string().uuid() }).strict();
export const accountParams = z.object({ id: z.string().uuid(), accountId: z.string().uuid() }).strict();
/** The employee's own account, in the portal. */
export const ownAccountParams = z.object({ accountId: z.string().uuid() }).strict();
/** The steps of a connection test, and the first that failed. */
export const testResult = z.object({
  outcome: z.enum(['ok', ...directoryErrorCodes]),
  message: z.string(),
  steps: z.array(z.object({ step: z.string(), ok: z.boolean(), message: z.string() })),
});
/**
 * What the first sync would do with a form's settings (POST /directory/domains/preview): the
 * counts of everything, and the first rows of each list.
 */
export const syncPreviewDto = z.object({
  counts: z.record(z.string(), z.number()),
  changes: z.array(syncChange),
  totalChanges: z.number().int(),
  /** Names of the directory groups that would be imported (first rows, by name). */
  groups: z.array(z.string()),
  totalGroups: z.number().int(),
  skipped: z.array(z.object({ username: z.string(), reason: z.string() })),
  /** The removal threshold would hold this sync for a confirmation. */
  wouldHold: z.boolean(),
  /** False when rotation is on and its group is missing (rotation stops; the import does not). */
  rotationGroupFound: z.boolean(),
});
export type SyncPreviewDto = z.infer<typeof syncPreviewDto>;
const domainPassword = z.string().min(1).max(256);
export const syncStartBody = z.object({ dryRun: z.boolean().default(false), full: z.boolean().default(false), wait: z.boolean().default(false) }).strict();
export const syncRunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();
/** What a rotation pass did: sealed passwords reconciled with the directory, then due passwords rotated. */
export const rotationAnswer = z.object({
  reconciled: z.object({ current: z.number(), failed: z.number(), unresolved: z.number() }),
  rotated: z.number(),
  failed: z.number(),
});
/** An admin sets an account's password, or has Tessera generate one. */
export const accountPasswordBody = z.union([z.object({ password: domainPassword }).strict(), z.object({ generate: z.literal(true) }).strict()]);
export const ownPasswordChangeBody = z.object({ oldPassword: domainPassword, newPassword: domainPassword }).strict();
