import { z } from 'zod';
import { smtpTlsModes } from '../settings/settings.schemas.js';

export const mailStatuses = ['pending', 'sent', 'failed'] as const;

/** An outgoing mail as the API answers it (never its body). */
export const mailDto = z.object({
  id: z.string().uuid(),
  kind: z.string(),
  relatedId: z.string().nullable(),
  toAddress: z.string(),
  subject: z.string(),
  status: z.enum(mailStatuses),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  /** When the next attempt is due (pending mails only). */
  nextAttemptAt: z.string().nullable(),
  sentAt: z.string().nullable(),
});
export type MailDto = z.infer<typeof mailDto>;

/** Filters and page of the outgoing mail list. */
export const mailListQuery = z
  .object({
    status: z.enum(mailStatuses).optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();

/**
 * The SMTP settings of the form, unsaved (as the settings PATCH takes them). `password`: a string
 * is used for this test only, null sends without one, absent uses the saved one.
 */
export const smtpTestSettings = z
  .object({
    host: z.string().trim().min(1).max(253).nullable(),
    port: z.number().int().min(1).max(65535).nullable(),
    tls: z.enum(smtpTlsModes),
    username: z.string().max(256).nullable(),
    from: z.string().trim().email().max(254).nullable(),
    password: z.string().min(1).max(1024).nullable().optional(),
  })
  .strict();
export type SmtpTestSettings = z.infer<typeof smtpTestSettings>;

export const testMailBody = z
  .object({
    to: z.string().trim().email().max(254),
    smtp: smtpTestSettings.optional().describe('Test these settings instead of the saved ones (nothing is saved)'),
  })
  .strict();

/** Outgoing mail at a glance (the dashboard): whether SMTP is set, how the last attempt went, the last failure in words. */
export const mailHealthDto = z.object({
  isConfigured: z.boolean().describe('The SMTP host and the from address are saved'),
  lastAttempt: z
    .object({ at: z.string(), outcome: z.enum(['sent', 'failed']), kind: z.string() })
    .nullable()
    .describe('The latest hand-over to the SMTP server'),
  lastFailure: z
    .object({ at: z.string(), error: z.string(), kind: z.string() })
    .nullable()
    .describe('The latest failed attempt, with the SMTP server’s answer'),
  failuresLast24h: z.number().int().describe('Failed attempts in the last 24 hours (a retried mail counts once per attempt)'),
  pending: z.number().int().describe('Mails waiting to be sent (first try, retry, or SMTP not configured)'),
});
export type MailHealthDto = z.infer<typeof mailHealthDto>;
