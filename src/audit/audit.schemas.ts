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
