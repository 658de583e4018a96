import { z } from 'zod';
import { brandingDto, credentialName, employeeSummary, policyDto } from '../authn/authn.schemas.js';

/** The signed-in employee, the organisation's look and policy, and which factors they have. */
export const portalMeAnswer = z.object({ employee: employeeSummary, branding: brandingDto, policy: policyDto, hasPassword: z.boolean(), hasTotp: z.boolean() });
export const credentialRenameBody = z.object({ name: credentialName }).strict();

/** One of the employee's recent sign-ins. */
export const signInDto = z.object({
  at: z.string(),
  method: z.string().nullable(),
  outcome: z.enum(['success', 'failure']),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
/** An application the employee can open from the portal. */
export const applicationDto = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  protocol: z.string(),
  iconUrl: z.string().nullable().describe('Where the portal fetches the icon the administrator uploaded; null when there is none'),
});
