import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../../db/columns.js';
import { employees } from '../../employees/employee.tables.js';

/**
 * The IdP's signing keys (SAML 2.0 and WS-Fed share them). A key is published in metadata from
 * its creation, signs from `activatesAt`, and stays published until `retiresAt`: a rollover
 * publishes the next certificate ahead of use, and both during the overlap.
 */
export const samlSigningKeys = pgTable('saml_signing_keys', {
  id: id(),
  /** Sealed PKCS#8 PEM (AAD `saml_signing_keys.private_key:<id>`). */
  privateKey: text('private_key').notNull(),
  certificate: text('certificate').notNull(),
  activatesAt: timestamp('activates_at', { withTimezone: true }).notNull(),
  retiresAt: timestamp('retires_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export interface SamlAcsEndpoint {
  url: string;
  binding: 'post' | 'redirect';
  index: number;
  isDefault: boolean;
}
export interface SamlAttributeMapping {
  name: string;
  field: string;
  nameFormat?: string | null;
  friendlyName?: string | null;
}

/** SAML service providers and WS-Fed relying parties (`protocol`): registered the same way. */
export const samlServiceProviders = pgTable(
  'saml_service_providers',
  {
    id: id(),
    protocol: text('protocol').notNull(),
    name: text('name').notNull(),
    entityId: text('entity_id').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    preset: text('preset'),
    acsEndpoints: jsonb('acs_endpoints').$type<SamlAcsEndpoint[]>().notNull().default([]),
    sloUrl: text('slo_url'),
    sloBinding: text('slo_binding'),
    /** The SP's certificates (PEM): verify its requests, encrypt assertions to it. */
    certificates: jsonb('certificates').$type<string[]>().notNull().default([]),
    nameIdFormat: text('name_id_format').notNull(),
    nameIdField: text('name_id_field').notNull(),
    attributes: jsonb('attributes').$type<SamlAttributeMapping[]>().notNull().default([]),
    signResponse: boolean('sign_response').notNull().default(true),
    signAssertion: boolean('sign_assertion').notNull().default(true),
    encryptAssertion: boolean('encrypt_assertion').notNull().default(false),
    requireSignedRequests: boolean('require_signed_requests').notNull().default(false),
    clockSkewSeconds: integer('clock_skew_seconds').notNull().default(120),
    sessionLifetimeMinutes: integer('session_lifetime_minutes').notNull().default(480),
    idpInitiated: boolean('idp_initiated').notNull().default(false),
    /** IdP-initiated RelayState (SAML) or the application's start URL (WS-Fed portal link). */
    startUrl: text('start_url'),
    /** WS-Fed only: 'saml11' or 'saml20'. */
    tokenType: text('token_type'),
    source: text('source').notNull().default('console'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('saml_service_providers_entity_key').on(t.protocol, t.entityId)],
);

/** AuthnRequest/LogoutRequest IDs seen, kept until the request would have expired (replay refusal). */
export const samlSeenRequests = pgTable(
  'saml_seen_requests',
  {
    key: text('key').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('saml_seen_requests_expires_idx').on(t.expiresAt)],
);

/** A request waiting for the employee to sign in, or a logout walking through the SPs. */
export const samlPending = pgTable(
  'saml_pending',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('saml_pending_expires_idx').on(t.expiresAt)],
);

/** Which SPs an employee's Tessera session signed in to (SessionIndex per SP), for single logout. */
export const samlSessions = pgTable(
  'saml_sessions',
  {
    id: id(),
    employeeId: uuid('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    /** The Tessera session (its hashed id) this SAML session hangs off. */
    sessionId: text('session_id').notNull(),
    spId: uuid('sp_id')
      .notNull()
      .references(() => samlServiceProviders.id, { onDelete: 'cascade' }),
    nameId: text('name_id').notNull(),
    nameIdFormat: text('name_id_format').notNull(),
    sessionIndex: text('session_index').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('saml_sessions_session_idx').on(t.sessionId),
    uniqueIndex('saml_sessions_index_key').on(t.sessionIndex),
    // Expired rows are purged as new ones come, and employees' rows go with them.
    index('saml_sessions_expires_idx').on(t.expiresAt),
    index('saml_sessions_employee_idx').on(t.employeeId),
  ],
);
