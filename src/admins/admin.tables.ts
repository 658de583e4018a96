import { bigint, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../db/columns.js';

export const admins = pgTable(
  'admins',
  {
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
    /** Sealed HMAC key of the current set of recovery codes (recovery-codes.ts); a new set gets a new key. */
    recoveryCodeKey: text('recovery_code_key'),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    source: text('source').notNull().default('console'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('admins_email_normalized_key').on(t.emailNormalized)],
);

/**
 * An admin's TOTP recovery codes: only their HMAC (recovery-codes.ts), each used at most once
 * (`used_at` is set by one conditional UPDATE). A new set replaces the old one. The unique index
 * also serves the look-ups by admin (its leading column).
 */
export const adminRecoveryCodes = pgTable(
  'admin_recovery_codes',
  {
    id: id(),
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    usedAt: at('used_at'),
  },
  (t) => [uniqueIndex('admin_recovery_codes_admin_hash_key').on(t.adminId, t.codeHash)],
);
