import { boolean, index, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, id } from '../../db/columns.js';
import { directoryDomains } from '../directory.tables.js';
import { employees } from '../../employees/employee.tables.js';
import type { PairingState } from './entra.constants.js';

/**
 * One employee's passkey pairing with one Entra tenant: pending (eligible, nothing enrolled),
 * paired with Tessera (holds a Tessera passkey or security key), paired with Entra (holds a
 * passkey Tessera provisioned into Entra). `mirroredState` is the state last mirrored into the
 * tenant's pairing groups, so only changes cause Graph writes. The outstanding creation options'
 * challenge is kept to refuse an attestation made for other options before asking Graph.
 */
export const entraPairings = pgTable(
  'entra_pairings',
  {
    id: id(),
    domainId: uuid('domain_id')
      .notNull()
      .references(() => directoryDomains.id, { onDelete: 'cascade' }),
    employeeId: uuid('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    /** Entra object id of the user. */
    entraUserId: text('entra_user_id').notNull(),
    state: text('state').$type<PairingState>().notNull().default('pending'),
    mirroredState: text('mirrored_state').$type<PairingState>(),
    /** The user was not found in Entra at the last refresh. */
    isMissingInEntra: boolean('is_missing_in_entra').notNull().default(false),
    /** Set when the employee fell back from a paired state (they unpaired): the console flags it. */
    unpairedAt: at('unpaired_at'),
    pendingChallenge: text('pending_challenge'),
    challengeExpiresAt: at('challenge_expires_at'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('entra_pairings_domain_employee_key').on(t.domainId, t.employeeId), index('entra_pairings_state_idx').on(t.domainId, t.state)],
);

/** Passkeys registered in Entra for a paired employee (the fido2AuthenticationMethod as Graph reported it). */
export const entraPasskeys = pgTable(
  'entra_passkeys',
  {
    id: id(),
    pairingId: uuid('pairing_id')
      .notNull()
      .references(() => entraPairings.id, { onDelete: 'cascade' }),
    /** The fido2AuthenticationMethod id in Entra. */
    methodId: text('method_id').notNull(),
    displayName: text('display_name').notNull(),
    aaguid: text('aaguid'),
    model: text('model'),
    /** Registered through Tessera (false: found in Entra, registered elsewhere). */
    isProvisionedByTessera: boolean('is_provisioned_by_tessera').notNull().default(true),
    createdAt: at('created_at').notNull(),
    lastUsedAt: at('last_used_at'),
  },
  (t) => [uniqueIndex('entra_passkeys_pairing_method_key').on(t.pairingId, t.methodId)],
);

/** The Entra object ids of a tenant's three pairing groups (created by Tessera when missing). */
export const entraPairingGroups = pgTable(
  'entra_pairing_groups',
  {
    domainId: uuid('domain_id')
      .notNull()
      .references(() => directoryDomains.id, { onDelete: 'cascade' }),
    state: text('state').$type<PairingState>().notNull(),
    groupId: text('group_id').notNull(),
    displayName: text('display_name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.domainId, t.state] })],
);
