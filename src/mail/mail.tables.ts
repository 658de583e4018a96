import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, id } from '../db/columns.js';

/** Mail waiting to be sent, sent, or failed: a send that fails is retried and never loses the message. */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
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
  },
  (t) => [index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt), index('mail_outbox_related_idx').on(t.relatedId)],
);

/**
 * The outcome of every attempt to hand a mail to the SMTP server (queued and test mails), for the
 * dashboard's mail health: when, whether it went, and the error in words. No recipient, subject
 * or body: the outbox has those. Rows older than a week are pruned as new ones arrive.
 */
export const mailSendAttempts = pgTable(
  'mail_send_attempts',
  {
    id: id(),
    kind: text('kind').notNull(),
    /** sent | failed */
    outcome: text('outcome').$type<'sent' | 'failed'>().notNull(),
    error: text('error'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('mail_send_attempts_at_idx').on(t.at)],
);
