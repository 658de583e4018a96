import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../db/columns.js';
import { employees } from '../employees/employee.tables.js';

/** Passkeys and security keys, of employees and of admins (WebAuthn Level 3 §4 "public key credential"). */
export const webauthnCredentials = pgTable(
  'webauthn_credentials',
  {
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
    /**
     * Enrolled as a second factor only (a non-discoverable credential, e.g. a U2F-era key): accepted
     * only after the employee's password, never for a passwordless sign-in nor as a first factor.
     */
    isSecondFactorOnly: boolean('is_second_factor_only').notNull().default(false),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('webauthn_credentials_credential_id_key').on(t.credentialId), index('webauthn_credentials_subject_idx').on(t.subjectType, t.subjectId)],
);

/** WebAuthn challenges: single-use and short-lived (WebAuthn §13.4.3). */
export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose').notNull(),
    subjectType: text('subject_type'),
    subjectId: uuid('subject_id'),
    challenge: text('challenge').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('webauthn_challenges_expires_idx').on(t.expiresAt)],
);

/** An employee's knowledge factors and lockout state, apart from the directory data. */
export const employeeAuth = pgTable('employee_auth', {
  employeeId: uuid('employee_id')
    .primaryKey()
    .references(() => employees.id, { onDelete: 'cascade' }),
  passwordHash: text('password_hash'),
  /** Sealed base32 TOTP seed. */
  totpSecret: text('totp_secret'),
  totpPendingSecret: text('totp_pending_secret'),
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  failedAttempts: integer('failed_attempts').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updatedAt: updatedAt(),
});
