import { bigint, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../db/columns.js';
import { employees } from '../employees/employee.tables.js';
import { webauthnCredentials } from '../authn/authn.tables.js';
import { keyAccessProfiles } from './access-profile.tables.js';

/**
 * The hardware key inventory: one row a physical key, whatever its state (hardware-key.states.ts).
 * `status` holds the state (the column kept its first name; the API calls it `state`).
 */
export const hardwareKeys = pgTable(
  'hardware_keys',
  {
    id: id(),
    serial: text('serial').notNull(),
    /** The model as people name it ("YubiKey 5 NFC"); from the import or the enrolling attestation. */
    model: text('model'),
    /** The model's AAGUID (lower-case UUID), when known: an activating credential must carry it. */
    aaguid: text('aaguid'),
    /** The badge or RFID number printed on or paired with the key. */
    badge: text('badge'),
    /** The delivery batch it was imported with. */
    batch: text('batch'),
    employeeId: uuid('employee_id').references(() => employees.id, { onDelete: 'set null' }),
    /** Its own access profile; null: the default one (access-profile.service.ts effectiveForKey). */
    accessProfileId: uuid('access_profile_id').references(() => keyAccessProfiles.id, { onDelete: 'set null' }),
    /** ready | reserved | active | suspended | locked | deactivated | compromised */
    status: text('status').notNull().default('ready'),
    stateChangedAt: at('state_changed_at').notNull().defaultNow(),
    /** SHA-256 of the pending one-time activation code (never the code). */
    activationCodeHash: text('activation_code_hash'),
    activationExpiresAt: at('activation_expires_at'),
    /** Failed tries of the pending code; at the limit the key locks. */
    activationAttempts: integer('activation_attempts').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('hardware_keys_serial_key').on(t.serial),
    index('hardware_keys_employee_idx').on(t.employeeId),
    index('hardware_keys_status_idx').on(t.status),
    index('hardware_keys_access_profile_idx').on(t.accessProfileId),
  ],
);

/** Every state change of a key, with its reason and who made it (the audit log has them too). */
export const hardwareKeyEvents = pgTable(
  'hardware_key_events',
  {
    id: id(),
    /** Order of the changes (two can share a millisecond: an activation and the lock after it). */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    keyId: uuid('key_id')
      .notNull()
      .references(() => hardwareKeys.id, { onDelete: 'cascade' }),
    /** Null for the key's creation (import, registration). */
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    reason: text('reason').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label'),
    employeeId: uuid('employee_id'),
    at: createdAt(),
  },
  (t) => [index('hardware_key_events_key_idx').on(t.keyId, t.seq)],
);

/** The FIDO credentials a key holds: bound at activation, removed with the credential. */
export const hardwareKeyCredentials = pgTable(
  'hardware_key_credentials',
  {
    keyId: uuid('key_id')
      .notNull()
      .references(() => hardwareKeys.id, { onDelete: 'cascade' }),
    credentialId: uuid('credential_id')
      .notNull()
      .references(() => webauthnCredentials.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.credentialId] }), uniqueIndex('hardware_key_credentials_credential_key').on(t.credentialId)],
);
