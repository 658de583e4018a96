import { sql } from 'drizzle-orm';
import {
  bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const admins = pgTable('admins', {
  id: id(),
  email: text('email').notNull(),
  emailNormalized: text('email_normalized').notNull(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  /** Sealed base32 TOTP seed once confirmed. */
  totpSecret: text('totp_secret'),
  /** Sealed seed waiting for its first code. */
  totpPendingSecret: text('totp_pending_secret'),
  /** Last accepted TOTP time step: a code is never accepted twice (RFC 6238 §5.2). */
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  failedAttempts: integer('failed_attempts').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  source: text('source').notNull().default('console'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
  passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('admins_email_normalized_key').on(t.emailNormalized)]);

export const sessions = pgTable('sessions', {
  /** SHA-256 of the cookie value: a database read never yields a usable session. */
  id: text('id').primaryKey(),
  subjectType: text('subject_type').notNull(),
  subjectId: uuid('subject_id').notNull(),
  /** 'full', or a partial stage such as 'totp' (password checked, second factor pending). */
  stage: text('stage').notNull(),
  createdAt: createdAt(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  idleSeconds: integer('idle_seconds').notNull(),
  ip: text('ip'),
  userAgent: text('user_agent'),
  data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
}, (t) => [index('sessions_subject_idx').on(t.subjectType, t.subjectId), index('sessions_expires_idx').on(t.expiresAt)]);

export const companies = pgTable('companies', {
  id: id(),
  name: text('name').notNull(),
  nameNormalized: text('name_normalized').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('companies_name_key').on(t.nameNormalized)]);

export const departments = pgTable('departments', {
  id: id(),
  companyId: uuid('company_id').notNull().references(() => companies.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  nameNormalized: text('name_normalized').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('departments_company_name_key').on(t.companyId, t.nameNormalized)]);

export const positions = pgTable('positions', {
  id: id(),
  name: text('name').notNull(),
  nameNormalized: text('name_normalized').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('positions_name_key').on(t.nameNormalized)]);

export const employees = pgTable('employees', {
  id: id(),
  email: text('email').notNull(),
  emailNormalized: text('email_normalized').notNull(),
  firstName: text('first_name').notNull(),
  lastName: text('last_name').notNull(),
  phone: text('phone'),
  companyId: uuid('company_id').references(() => companies.id, { onDelete: 'restrict' }),
  departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'restrict' }),
  positionId: uuid('position_id').references(() => positions.id, { onDelete: 'restrict' }),
  status: text('status').notNull().default('active'),
  /** 'manual', or the id of the directory domain that imported the employee. */
  source: text('source').notNull().default('manual'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('employees_email_normalized_key').on(t.emailNormalized),
  index('employees_last_name_idx').on(t.lastName, t.firstName),
  index('employees_status_idx').on(t.status),
  index('employees_company_idx').on(t.companyId),
  index('employees_created_idx').on(t.createdAt),
]);

export const apiKeys = pgTable('api_keys', {
  id: id(),
  name: text('name').notNull(),
  scope: text('scope').notNull(),
  /** First characters of the key, shown in lists so an admin can tell keys apart. */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the whole key: keys are 256-bit random, so a fast hash is enough. */
  secretHash: text('secret_hash').notNull(),
  source: text('source').notNull().default('console'),
  createdBy: text('created_by'),
  createdAt: createdAt(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
}, (t) => [uniqueIndex('api_keys_secret_hash_key').on(t.secretHash), uniqueIndex('api_keys_name_key').on(t.name)]);

export const auditEvents = pgTable('audit_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
  actorType: text('actor_type').notNull(),
  actorId: text('actor_id'),
  actorLabel: text('actor_label'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  targetLabel: text('target_label'),
  ip: text('ip'),
  userAgent: text('user_agent'),
  outcome: text('outcome').notNull(),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  /** Hash of the previous record: a changed or removed record breaks the chain. */
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
}, (t) => [
  index('audit_events_at_idx').on(t.at),
  index('audit_events_action_idx').on(t.action, t.at),
  index('audit_events_target_idx').on(t.targetId),
]);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

/** Internal server state that is not an admin setting (for example the first-admin setup token). */
export const systemState = pgTable('system_state', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

/** Passkeys and security keys, of employees and of admins (WebAuthn Level 3 §4 "public key credential"). */
export const webauthnCredentials = pgTable('webauthn_credentials', {
  id: id(),
  subjectType: text('subject_type').notNull(),
  subjectId: uuid('subject_id').notNull(),
  /** The credential id, base64url (WebAuthn §6.1 credentialId). */
  credentialId: text('credential_id').notNull(),
  /** COSE public key, base64url. */
  publicKey: text('public_key').notNull(),
  signCount: bigint('sign_count', { mode: 'number' }).notNull().default(0),
  transports: jsonb('transports').$type<string[]>().notNull().default([]),
  aaguid: text('aaguid').notNull(),
  /** 'platform' or 'cross-platform', from the attachment the browser reported at registration. */
  attachment: text('attachment').notNull(),
  isBackupEligible: boolean('is_backup_eligible').notNull().default(false),
  isBackedUp: boolean('is_backed_up').notNull().default(false),
  isUserVerified: boolean('is_user_verified').notNull().default(false),
  name: text('name').notNull(),
  createdAt: createdAt(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('webauthn_credentials_credential_id_key').on(t.credentialId),
  index('webauthn_credentials_subject_idx').on(t.subjectType, t.subjectId),
]);

/** WebAuthn challenges: single-use and short-lived (WebAuthn §13.4.3). */
export const webauthnChallenges = pgTable('webauthn_challenges', {
  id: text('id').primaryKey(),
  purpose: text('purpose').notNull(),
  subjectType: text('subject_type'),
  subjectId: uuid('subject_id'),
  challenge: text('challenge').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
}, (t) => [index('webauthn_challenges_expires_idx').on(t.expiresAt)]);

/** An employee's knowledge factors and lockout state, apart from the directory data. */
export const employeeAuth = pgTable('employee_auth', {
  employeeId: uuid('employee_id').primaryKey().references(() => employees.id, { onDelete: 'cascade' }),
  passwordHash: text('password_hash'),
  /** Sealed base32 TOTP seed. */
  totpSecret: text('totp_secret'),
  totpPendingSecret: text('totp_pending_secret'),
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  failedAttempts: integer('failed_attempts').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updatedAt: updatedAt(),
});

export const invitations = pgTable('invitations', {
  id: id(),
  employeeId: uuid('employee_id').notNull().references(() => employees.id, { onDelete: 'cascade' }),
  /** SHA-256 of the link's token. */
  tokenHash: text('token_hash').notNull(),
  createdBy: text('created_by'),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  mailId: uuid('mail_id'),
}, (t) => [uniqueIndex('invitations_token_hash_key').on(t.tokenHash), index('invitations_employee_idx').on(t.employeeId)]);

/** Mail waiting to be sent, sent, or failed: a send that fails is retried and never loses the message. */
export const mailOutbox = pgTable('mail_outbox', {
  id: id(),
  kind: text('kind').notNull(),
  relatedId: text('related_id'),
  toAddress: text('to_address').notNull(),
  subject: text('subject').notNull(),
  /** Sealed: an invitation mail holds a sign-up link. */
  body: text('body').notNull(),
  status: text('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  lastError: text('last_error'),
  createdAt: createdAt(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
}, (t) => [index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt), index('mail_outbox_related_idx').on(t.relatedId)]);
export * from './schema.saml.js';
export * from './schema.directory.js';
export * from './schema.oidc.js';
export * from './schema.entra.js';
