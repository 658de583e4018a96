import { z } from 'zod';
import type { AuditRow } from './audit.repository.js';

/** An audit record as the API answers it (the list, the CSV export, the dashboard). */
export const auditEventDto = z.object({
  id: z.number().int(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetLabel: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  outcome: z.enum(['success', 'failure']),
  details: z.record(z.string(), z.unknown()),
});

export const toAuditDto = (r: AuditRow) => ({
  id: r.id,
  at: r.at.toISOString(),
  actorType: r.actorType,
  actorId: r.actorId,
  actorLabel: r.actorLabel,
  action: r.action,
  targetType: r.targetType,
  targetId: r.targetId,
  targetLabel: r.targetLabel,
  ip: r.ip,
  userAgent: r.userAgent,
  outcome: r.outcome as 'success' | 'failure',
  details: r.details ?? {},
});

/**
 * A time bound: ISO 8601 with an offset, in years 1 to 9999 once in UTC. PostgreSQL has no year 0
 * (what JavaScript makes of 0000-01-01), and a bound it refuses would be a 500 or, in the CSV
 * export, a connection dropped mid-stream.
 */
const timeBound = z.iso.datetime({ offset: true }).refine((v) => {
  const year = new Date(v).getUTCFullYear();
  return year >= 1 && year <= 9999;
}, 'must be a time between the years 1 and 9999 (UTC)');

export const auditFilterQuery = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().max(254).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  targetId: z.string().max(100).optional(),
  from: timeBound.optional(),
  to: timeBound.optional(),
  q: z.string().max(200).optional(),
});
/** One page of the audit log, with the filter. */
export const auditPageQuery = auditFilterQuery
  .extend({ page: z.coerce.number().int().min(1).max(1_000_000).default(1), pageSize: z.coerce.number().int().min(1).max(500).default(50) })
  .strict();
export type AuditFilterQuery = z.infer<typeof auditFilterQuery>;
/** Every matching record, as CSV. */
export const auditExportQuery = auditFilterQuery.strict();
/** An action name that occurs in the log. */
export const auditActionName = z.string();
