import crypto from 'node:crypto';

/** The fields of a record that its hash covers. */
export interface ChainedFields {
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so jsonb's own key order does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function chainHash(prevHash: string, f: ChainedFields): string {
  // Only the listed fields: a row read back carries id and hashes too, which are not hashed.
  const body = canonicalJson({
    at: f.at.toISOString(), actorType: f.actorType, actorId: f.actorId, actorLabel: f.actorLabel, action: f.action,
    targetType: f.targetType, targetId: f.targetId, targetLabel: f.targetLabel, ip: f.ip, userAgent: f.userAgent,
    outcome: f.outcome, details: f.details,
  });
  return crypto.createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
