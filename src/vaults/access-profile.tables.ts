import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../db/columns.js';

/**
 * Access profiles of hardware keys (issue 14 §4): what a key must prove at enrolment, sign-in and
 * credential delivery. Assigned per key (hardware_keys.access_profile_id); the default one applies
 * to a key without one; with no default, the built-in default (access-profile.service.ts).
 */
export const keyAccessProfiles = pgTable(
  'key_access_profiles',
  {
    id: id(),
    name: text('name').notNull(),
    /** The authenticator must verify its user (PIN or biometric: the UV flag, WebAuthn §6.1). */
    userVerificationRequired: boolean('user_verification_required').notNull().default(true),
    /** The shortest PIN accepted at enrolment, where the authenticator reports it (CTAP 2.1 minPinLength extension); null: any. */
    minPinLength: integer('min_pin_length'),
    /** Lower-case AAGUIDs of the models allowed; empty: any model. */
    allowedAaguids: text('allowed_aaguids').array().notNull().default(sql`'{}'::text[]`),
    /** Minutes a workstation logon with the key stays good; after that a logon needs a fresh key assertion again. */
    reauthMinutes: integer('reauth_minutes').notNull().default(480),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('key_access_profiles_name_key').on(sql`lower(${t.name})`),
    uniqueIndex('key_access_profiles_default_key').on(t.isDefault).where(sql`is_default`),
  ],
);
