import { z } from 'zod';

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

export const testMailBody = z.object({ to: z.string().trim().email().max(254) }).strict();
