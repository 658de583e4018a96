import { bigint, boolean, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { at, createdAt, updatedAt } from '../db/columns.js';

/**
 * Where the audit log is forwarded (Splunk HEC, syslog, a webhook). The audit_events table is the
 * outbox: a record is queued by being written, and each destination keeps a cursor, the id of the
 * last record its receiver acknowledged. Delivery runs on one node at a time per destination, by
 * the lease columns (src/audit/audit-forward.worker.ts).
 */
export const auditDestinations = pgTable('audit_destinations', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** splunk | syslog | webhook */
  kind: text('kind').$type<'splunk' | 'syslog' | 'webhook'>().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** What the kind needs besides its secret (URL, host and port, TLS, index, facility...). */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  /** The Splunk HEC token or the webhook signing key, sealed and bound to this row; null for syslog. */
  secret: text('secret'),
  /** Which records go: action names or prefixes, and the outcome. */
  filter: jsonb('filter').$type<{ actions: string[]; outcome: 'any' | 'success' | 'failure' }>().notNull(),
  /** The id of the last audit record the receiver acknowledged (or that the filter passed over). */
  cursor: bigint('cursor', { mode: 'number' }).notNull().default(0),
  lastDeliveredAt: at('last_delivered_at'),
  lastErrorAt: at('last_error_at'),
  lastError: text('last_error'),
  /** retryable (the receiver was down or busy) | permanent (bad token, refused data: needs a fix) */
  lastErrorKind: text('last_error_kind').$type<'retryable' | 'permanent'>(),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  leaseHolder: text('lease_holder'),
  leaseUntil: at('lease_until'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
