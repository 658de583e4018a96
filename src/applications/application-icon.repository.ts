import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { applicationIcons } from './application-icon.tables.js';

export type ApplicationIconRow = typeof applicationIcons.$inferSelect;

export async function findIcon(db: Executor, applicationId: string): Promise<ApplicationIconRow | undefined> {
  const [row] = await db.select().from(applicationIcons).where(eq(applicationIcons.applicationId, applicationId));
  return row;
}

/** When each of these applications' icons last changed (applications without one are absent). */
export async function findIconVersions(db: Executor, applicationIds: string[]): Promise<Map<string, Date>> {
  if (applicationIds.length === 0) return new Map();
  const rows = await db
    .select({ applicationId: applicationIcons.applicationId, updatedAt: applicationIcons.updatedAt })
    .from(applicationIcons)
    .where(inArray(applicationIcons.applicationId, applicationIds));
  return new Map(rows.map((r) => [r.applicationId, r.updatedAt]));
}

export async function upsertIcon(db: Executor, icon: { applicationId: string; protocol: string; contentType: string; data: Buffer }): Promise<void> {
  await db
    .insert(applicationIcons)
    .values(icon)
    .onConflictDoUpdate({
      target: applicationIcons.applicationId,
      set: { protocol: icon.protocol, contentType: icon.contentType, data: icon.data, updatedAt: sql`now()` },
    });
}

/** Whether there was an icon to delete. */
export async function deleteIcon(db: Executor, applicationId: string): Promise<boolean> {
  const rows = await db.delete(applicationIcons).where(eq(applicationIcons.applicationId, applicationId)).returning({ id: applicationIcons.applicationId });
  return rows.length > 0;
}
