import { invalidTextReason } from '../../lib/text.js';
import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { oidcClients } from './oidc.tables.js';

export type OidcClientRow = typeof oidcClients.$inferSelect;
export type OidcClientInsert = typeof oidcClients.$inferInsert;

export const findClients = (db: Executor) => db.select().from(oidcClients).orderBy(asc(oidcClients.name));

export async function findClientById(db: Executor, id: string): Promise<OidcClientRow | undefined> {
  return (await db.select().from(oidcClients).where(eq(oidcClients.id, id)).limit(1))[0];
}

export async function findClientByClientId(db: Executor, clientId: string): Promise<OidcClientRow | undefined> {
  // A client_id oidc-provider read from a form may hold what no row can (NUL, a lone surrogate).
  if (invalidTextReason(clientId)) return undefined;
  return (await db.select().from(oidcClients).where(eq(oidcClients.clientId, clientId)).limit(1))[0];
}

export async function insertClient(db: Executor, row: OidcClientInsert): Promise<OidcClientRow> {
  return (await db.insert(oidcClients).values(row).returning())[0];
}

export async function updateClientById(db: Executor, id: string, patch: Partial<OidcClientInsert>, now: Date): Promise<OidcClientRow | undefined> {
  return (
    await db
      .update(oidcClients)
      .set({ ...patch, updatedAt: now })
      .where(eq(oidcClients.id, id))
      .returning()
  )[0];
}

export async function deleteClientById(db: Executor, id: string): Promise<void> {
  await db.delete(oidcClients).where(eq(oidcClients.id, id));
}
