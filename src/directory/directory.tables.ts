import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../db/columns.js';
import { employees } from '../employees/employee.tables.js';
import type { DomainKind, RemovalBehaviour, RotationDelivery } from './directory.constants.js';

/**
 * A directory Tessera imports employees from: an AD domain or an Entra tenant. Settings shared by
 * every kind are columns; what only one kind needs is in `settings` (validated by the zod variant
 * of its kind); the service account's secret (AD bind password, Entra client secret) is `secret`,
 * sealed under `directory_domains.secret:<id>`. No secret: every sync scenario of the domain stops.
 */
export const directoryDomains = pgTable(
  'directory_domains',
  {
    id: id(),
    kind: text('kind').$type<DomainKind>().notNull(),
    name: text('name').notNull(),
    nameNormalized: text('name_normalized').notNull(),
    /** Group whose (transitive) members are imported. */
    syncGroup: text('sync_group').notNull(),
    /** Group whose members holding an active hardware key get their password rotated. */
    rotationGroup: text('rotation_group').notNull(),
    /** Days between automatic password changes; 0 turns rotation off. */
    passwordChangeDays: integer('password_change_days').notNull().default(30),
    /** Who is rotated: holders of an Active key only, or also employees with a passkey for the portal. */
    rotationDelivery: text('rotation_delivery').$type<RotationDelivery>().notNull().default('key'),
    removalBehaviour: text('removal_behaviour').$type<RemovalBehaviour>().notNull().default('deactivate'),
    /** A sync that would deactivate or delete more than this share of the domain's employees waits for confirmation. */
    removalThresholdPercent: integer('removal_threshold_percent').notNull().default(10),
    /** Defaults for imported employees: SSO on or off, and how they sign in. */
    ssoEnabled: boolean('sso_enabled').notNull().default(true),
    ssoMethod: text('sso_method').$type<'passwordless' | 'password_2fa'>().notNull().default('passwordless'),
    /** Minutes between scheduled syncs; 0: only on demand. */
    syncIntervalMinutes: integer('sync_interval_minutes').notNull().default(60),
    /** Hours between full syncs; incremental syncs run in between when the connector can. */
    fullSyncIntervalHours: integer('full_sync_interval_hours').notNull().default(24),
    /** Which directory groups are imported (GroupImport in directory.schemas.ts). */
    groupImport: jsonb('group_import')
      .$type<{ mode: 'none' | 'member_groups' | 'under_ou' | 'list'; ou: string | null; names: string[] }>()
      .notNull()
      .default({ mode: 'member_groups', ou: null, names: [] }),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    secret: text('secret'),
    /** 'console', 'api' or 'config' (declared in the configuration file). */
    source: text('source').notNull().default('console'),
    /** Connector cursor of the last successful sync (AD: highest uSNChanged; Entra: delta link). */
    syncCursor: text('sync_cursor'),
    lastSyncAt: at('last_sync_at'),
    lastFullSyncAt: at('last_full_sync_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('directory_domains_name_key').on(t.nameNormalized)],
);

/**
 * An employee's account in one domain. One employee may have accounts in several domains (matched
 * by external id first, e-mail second).
 */
export const directoryAccounts = pgTable(
  'directory_accounts',
  {
    id: id(),
    domainId: uuid('domain_id')
      .notNull()
      .references(() => directoryDomains.id, { onDelete: 'cascade' }),
    employeeId: uuid('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    username: text('username').notNull(),
    upn: text('upn'),
    /** The directory's record as last seen (DirectoryUser), to tell what changed. */
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    isEnabled: boolean('is_enabled').notNull().default(true),
    /** Member of the domain's sync group at the last sync; false once removed under "keep". */
    isMember: boolean('is_member').notNull().default(true),
    isRotationMember: boolean('is_rotation_member').notNull().default(false),
    passwordChangedAt: at('password_changed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('directory_accounts_domain_external_key').on(t.domainId, t.externalId), index('directory_accounts_employee_idx').on(t.employeeId)],
);

/** One sync (or dry run) of one domain: what it did or would do, how long, and why it failed. */
export const directorySyncRuns = pgTable(
  'directory_sync_runs',
  {
    id: id(),
    domainId: uuid('domain_id')
      .notNull()
      .references(() => directoryDomains.id, { onDelete: 'cascade' }),
    trigger: text('trigger').notNull(),
    mode: text('mode').$type<'full' | 'incremental'>().notNull(),
    isDryRun: boolean('is_dry_run').notNull().default(false),
    /** running | succeeded | failed | awaiting_confirmation | cancelled */
    status: text('status').notNull(),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    /** The change list (dry runs, and syncs stopped by the threshold, which a confirmation applies). */
    changes: jsonb('changes').$type<unknown[]>().notNull().default([]),
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
    error: text('error'),
    errorCode: text('error_code'),
    startedBy: text('started_by'),
    startedAt: at('started_at').notNull().defaultNow(),
    finishedAt: at('finished_at'),
  },
  (t) => [index('directory_sync_runs_domain_idx').on(t.domainId, t.startedAt)],
);

/**
 * Domain passwords Tessera set, sealed under `domain_passwords.password:<id>`. A rotation writes
 * the new password here as `pending` BEFORE it writes it to the directory, so a crash at any step
 * leaves a record of every password the directory may hold; reconciliation resolves pending rows
 * by binding with them. `current` is the one the account has; older ones are `superseded`
 * (their sealed value is erased).
 */
export const domainPasswords = pgTable(
  'domain_passwords',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => directoryAccounts.id, { onDelete: 'cascade' }),
    /** pending | current | superseded | failed */
    state: text('state').notNull(),
    /** rotation | admin_set | admin_generated | key_compromised */
    reason: text('reason').notNull(),
    password: text('password'),
    createdAt: createdAt(),
    resolvedAt: at('resolved_at'),
  },
  (t) => [index('domain_passwords_account_idx').on(t.accountId, t.state)],
);
