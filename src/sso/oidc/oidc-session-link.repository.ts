import { inArray, lt } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { oidcSessionLinks } from './oidc.tables.js';

export type SessionLinkRow = typeof oidcSessionLinks.$inferSelect;

/** Records (or extends) that a provider session hangs off a Tessera session; expired links are purged on the way. */
export async function upsertSessionLink(db: Executor, row: SessionLinkRow, now: Date): Promise<void> {
  await db.delete(oidcSessionLinks).where(lt(oidcSessionLinks.expiresAt, now));
  await db
    .insert(oidcSessionLinks)
    .values(row)
    .onConflictDoUpdate({ target: [oidcSessionLinks.tesseraSessionId, oidcSessionLinks.providerSessionUid], set: { expiresAt: row.expiresAt } });
}

export async function findSessionLinksBySessions(db: Executor, tesseraSessionIds: string[]): Promise<SessionLinkRow[]> {
  if (!tesseraSessionIds.length) return [];
  return db.select().from(oidcSessionLinks).where(inArray(oidcSessionLinks.tesseraSessionId, tesseraSessionIds));
}

export async function deleteSessionLinksBySessions(db: Executor, tesseraSessionIds: string[]): Promise<void> {
  if (!tesseraSessionIds.length) return;
  await db.delete(oidcSessionLinks).where(inArray(oidcSessionLinks.tesseraSessionId, tesseraSessionIds));
}
