/**
 * Every audit action Tessera records, typed so that a typo is a compile error. The actions of the
 * HTTP layer and the command line are here; each feature declares its own in its
 * `<feature>.codes.ts` (AuditActionLists, by declaration merging).
 */
export const coreAuditActions = [
  'config.applied',
  'api.request_refused',
  'api.csrf_refused',
  'keys.rotated',
  'database.backed_up',
  'database.restored',
] as const;

/** The lists of actions, one a feature, merged in by each feature's codes file. */
export interface AuditActionLists {
  core: typeof coreAuditActions;
}
export type AuditAction = AuditActionLists[keyof AuditActionLists][number];

/** One record to append to the audit log. */
export interface AuditEntry {
  action: AuditAction;
  outcome?: 'success' | 'failure';
  target?: { type: string; id: string | null; label?: string | null };
  /** Never a secret: callers pass what was changed, not the values of secret fields. */
  details?: Record<string, unknown>;
}
