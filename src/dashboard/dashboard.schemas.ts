import { z } from 'zod';
import { auditEventDto } from '../audit/audit.schemas.js';
import { syncStatusDto } from '../directory/directory.schemas.js';
import { mailHealthDto } from '../mail/mail.schemas.js';
import { enrolmentStates } from '../employees/employee.schemas.js';
import { hardwareKeyStates } from '../vaults/hardware-key.states.js';

const int = z.number().int();
/** Active employees per rollout state (employee.schemas.ts enrolmentStates), and the share enrolled in whole per cent, rounded down. */
const enrolmentCounts = {
  total: int,
  enrolledPercent: int.min(0).max(100),
  counts: z.object(Object.fromEntries(enrolmentStates.map((s) => [s, int])) as Record<(typeof enrolmentStates)[number], z.ZodNumber>),
};
/** The passwordless rollout among active employees: overall, and for the largest departments (null: no department). */
export const rolloutDto = z.object({
  ...enrolmentCounts,
  byDepartment: z.array(z.object({ department: z.object({ id: z.string().uuid(), name: z.string() }).nullable(), ...enrolmentCounts })),
});

/** A certificate or key Tessera signs with that an admin must renew before it expires. */
export const expiringCertificateDto = z.object({
  kind: z.enum(['saml_signing']).describe('saml_signing: the SAML 2.0 and WS-Federation IdP signing certificate'),
  label: z.string(),
  subject: z.string(),
  fingerprint: z.string().describe('SHA-256, colon-separated hex'),
  expiresAt: z.string(),
  daysLeft: z.number().int().describe('Whole days until expiry (negative once expired)'),
  /** The next certificate, published in metadata and signing from `activatesAt`: a rollover under way. */
  next: z.object({ publishedAt: z.string(), activatesAt: z.string() }).nullable(),
  isExpiringSoon: z.boolean().describe('Expires within 30 days and no next certificate is published: start a rollover'),
  /** The console page that renews it. */
  renewPath: z.string(),
});

/** The console's first page: how many employees and admins, today's sign-ins, the latest events, hardware keys by state, the rollout. */
export const dashboardDto = z.object({
  employees: z.object({ total: z.number().int(), active: z.number().int(), deactivated: z.number().int(), disabled: z.number().int() }),
  admins: z.number().int(),
  signInsToday: z.object({ success: z.number().int(), failure: z.number().int() }),
  recentEvents: z.array(auditEventDto),
  /** Hardware keys in each lifecycle state (hardware-key.states.ts), zero included. */
  hardwareKeys: z.object(Object.fromEntries(hardwareKeyStates.map((s) => [s, z.number().int()])) as Record<(typeof hardwareKeyStates)[number], z.ZodNumber>),
  rollout: rolloutDto,
  /** Each directory domain's sync: last run, next scheduled run, runs held for confirmation. */
  directorySync: z.array(syncStatusDto),
  mail: mailHealthDto,
  /** The signing certificates (OIDC signing keys rotate on their own schedule and do not expire). */
  certificates: z.array(expiringCertificateDto),
});
