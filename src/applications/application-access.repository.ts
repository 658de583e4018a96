import { eq } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { applicationAccess, applicationAssignments } from './application-access.tables.js';

export type AccessMode = 'everyone' | 'assigned';
export type AssignmentKind = 'group' | 'department' | 'employee';
export type StoredAccess = { mode: AccessMode; grants: { kind: AssignmentKind; targetId: string }[] };

/** The application's access as stored; no row means open to everyone. */
export async function findAccess(db: Executor, applicationId: string): Promise<StoredAccess> {
  const [row] = await db.select({ mode: applicationAccess.mode }).from(applicationAccess).where(eq(applicationAccess.applicationId, applicationId));
  if (!row) return { mode: 'everyone', grants: [] };
  const grants = await db
    .select({ kind: applicationAssignments.kind, targetId: applicationAssignments.targetId })
    .from(applicationAssignments)
    .where(eq(applicationAssignments.applicationId, applicationId));
  return { mode: row.mode === 'assigned' ? 'assigned' : 'everyone', grants: grants as StoredAccess['grants'] };
}

/**
 * Replaces the application's access: its mode and exactly these grants. Grants are kept under mode
 * 'everyone' too (they do not apply then), so an administrator who opens an application for a while
 * gets the same list back when restricting it again.
 */
export async function replaceAccess(db: Executor, app: { protocol: string; id: string }, access: StoredAccess): Promise<void> {
  await deleteAccess(db, app.id);
  if (access.mode === 'everyone' && access.grants.length === 0) return;
  await db.insert(applicationAccess).values({ applicationId: app.id, protocol: app.protocol, mode: access.mode });
  if (access.grants.length > 0)
    await db
      .insert(applicationAssignments)
      .values(access.grants.map((g) => ({ applicationId: app.id, protocol: app.protocol, kind: g.kind, targetId: g.targetId })))
      .onConflictDoNothing();
}

/** The application was removed (or opened to everyone): its access rows go. */
export async function deleteAccess(db: Executor, applicationId: string): Promise<void> {
  await db.delete(applicationAssignments).where(eq(applicationAssignments.applicationId, applicationId));
  await db.delete(applicationAccess).where(eq(applicationAccess.applicationId, applicationId));
}
