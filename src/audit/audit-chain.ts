import crypto from 'node:crypto';
import { toStorableJson, toStorableText } from '../lib/text.js';

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

/** Longest text kept per column; what is longer is cut (and the cut is what is hashed). */
const TEXT_LIMITS = { actorId: 200, actorLabel: 1000, targetType: 100, targetId: 200, targetLabel: 1000, ip: 100, userAgent: 512 } as const;

/**
 * The fields exactly as both engines store and give them back, so that the hash computed before
 * the insert equals the one `verifyChain` computes over the row read back: text without NUL or
 * lone surrogates (a cut in the middle of a surrogate pair included), details as jsonb returns
 * them (JSON types only, storable strings and keys; jsonb's key order is undone by canonicalJson).
 */
export function storedFields(f: ChainedFields): ChainedFields {
  const text = (s: string | null, max: number) => (s === null ? null : toStorableText(s.slice(0, max)));
  const details = toStorableJson(f.details);
  return {
    at: new Date(f.at.getTime()),
    actorType: toStorableText(f.actorType),
    actorId: text(f.actorId, TEXT_LIMITS.actorId),
    actorLabel: text(f.actorLabel, TEXT_LIMITS.actorLabel),
    action: toStorableText(f.action),
    targetType: text(f.targetType, TEXT_LIMITS.targetType),
    targetId: text(f.targetId, TEXT_LIMITS.targetId),
    targetLabel: text(f.targetLabel, TEXT_LIMITS.targetLabel),
    ip: text(f.ip, TEXT_LIMITS.ip),
    userAgent: text(f.userAgent, TEXT_LIMITS.userAgent),
    outcome: toStorableText(f.outcome),
    details: details && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : {},
  };
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

/**
 * The text a record's hash covers: only the listed fields (a row read back carries id and hashes
 * too, which are not hashed), as canonical JSON. JSON.stringify escapes control characters and
 * lone surrogates, so this text is plain, storable UTF-8 that the database can hash too.
 */
export function chainBody(f: ChainedFields): string {
  return canonicalJson({
    at: f.at.toISOString(),
    actorType: f.actorType,
    actorId: f.actorId,
    actorLabel: f.actorLabel,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    targetLabel: f.targetLabel,
    ip: f.ip,
    userAgent: f.userAgent,
    outcome: f.outcome,
    details: f.details,
  });
}

/**
 * sha256(prevHash + "\n" + body), hex. The append statement (audit.repository.ts appendAuditEvent)
 * computes the same in SQL over the same body; verifyChain recomputes it here.
 */
export function chainHash(prevHash: string, f: ChainedFields): string {
  return crypto.createHash('sha256').update(prevHash).update('\n').update(chainBody(f)).digest('hex');
}
