import { z } from 'zod';
import { brandingDto, creationOptionsAnswer, credentialDto, credentialRegistrationBody, employeeSummary, policyDto } from '../authn/authn.schemas.js';

export const invitationStatuses = ['open', 'used', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

export const invitationDto = z.object({
  id: z.string().uuid(),
  employeeId: z.string().uuid(),
  status: z.enum(invitationStatuses),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  mail: z
    .object({
      status: z.enum(['pending', 'sent', 'failed']),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      sentAt: z.string().nullable(),
    })
    .nullable(),
});
export type InvitationDto = z.infer<typeof invitationDto>;

/** What the enrolment page learns from a valid link. */
export const enrolmentDto = z.object({
  employee: employeeSummary.omit({ id: true }),
  branding: brandingDto,
  policy: policyDto,
  expiresAt: z.string(),
});

/** Our links carry 256-bit tokens: 43 base64url characters. */
export const enrolTokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the token of an invitation link') }).strict();
/**
 * The steps after the page opened the link take the token as it comes: one that is not ours
 * simply finds no invitation (404), and the body is validated first.
 */
export const enrolStepParams = z.object({ token: z.string().min(1).max(200) }).strict();

/** Invite several employees at once. */
export const invitationBatchBody = z.object({ employeeIds: z.array(z.string().uuid()).max(500) }).strict();

/** The enrolment page's answers and its password step. */
export const enrolCredentialAnswer = z.object({ credential: credentialDto });
export const enrolPasswordBody = z.object({ password: z.string().min(1).max(256), totpCode: z.string().trim().min(1).max(10) }).strict();
export const enrolDoneAnswer = z.object({ status: z.enum(['ok']) });

/** Enrolment of a reserved hardware key with its activation code (docs/sign-in-api.md "Activation codes"). */
export const keyActivationBody = z
  .object({
    email: z.string().trim().min(3).max(254),
    code: z.string().trim().min(1).max(64),
  })
  .strict();
export const keyActivationOptionsAnswer = creationOptionsAnswer.extend({ key: z.object({ serial: z.string(), model: z.string().nullable() }) });
export const keyActivationVerifyBody = keyActivationBody.extend(credentialRegistrationBody.shape).strict();
