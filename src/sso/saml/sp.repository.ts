import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { samlServiceProviders } from './saml.tables.js';

export type ServiceProviderRow = typeof samlServiceProviders.$inferSelect;
export type ServiceProviderInsert = typeof samlServiceProviders.$inferInsert;
export type SsoProtocol = 'saml' | 'wsfed';

export async function findServiceProviders(db: Executor, protocol: SsoProtocol): Promise<ServiceProviderRow[]> {
  return db.select().from(samlServiceProviders).where(eq(samlServiceProviders.protocol, protocol)).orderBy(asc(samlServiceProviders.name));
}

export async function findServiceProviderById(db: Executor, protocol: SsoProtocol, id: string): Promise<ServiceProviderRow | undefined> {
  const [row] = await db
    .select()
    .from(samlServiceProviders)
    .where(and(eq(samlServiceProviders.protocol, protocol), eq(samlServiceProviders.id, id)));
  return row;
}

export async function findServiceProviderByEntityId(db: Executor, protocol: SsoProtocol, entityId: string): Promise<ServiceProviderRow | undefined> {
  const [row] = await db
    .select()
    .from(samlServiceProviders)
    .where(and(eq(samlServiceProviders.protocol, protocol), eq(samlServiceProviders.entityId, entityId)));
  return row;
}

export async function insertServiceProvider(db: Executor, row: ServiceProviderInsert): Promise<ServiceProviderRow> {
  const [inserted] = await db.insert(samlServiceProviders).values(row).returning();
  return inserted;
}

export async function updateServiceProviderById(db: Executor, id: string, patch: Partial<ServiceProviderInsert>): Promise<ServiceProviderRow | undefined> {
  const [row] = await db.update(samlServiceProviders).set(patch).where(eq(samlServiceProviders.id, id)).returning();
  return row;
}

export async function deleteServiceProviderById(db: Executor, id: string): Promise<void> {
  await db.delete(samlServiceProviders).where(eq(samlServiceProviders.id, id));
}
