import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { apiKeys } from './api-key.tables.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function findApiKeys(db: Executor): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt));
}

export async function findApiKeyById(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row;
}

export async function findApiKeyByName(db: Executor, name: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.name, name));
  return row;
}

export async function findApiKeyBySecretHash(db: Executor, secretHash: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.secretHash, secretHash));
  return row;
}

export async function insertApiKey(db: Executor, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [inserted] = await db.insert(apiKeys).values(row).returning();
  return inserted;
}

export async function updateApiKeyById(db: Executor, id: string, patch: Partial<typeof apiKeys.$inferInsert>): Promise<ApiKeyRow | undefined> {
  const [row] = await db.update(apiKeys).set(patch).where(eq(apiKeys.id, id)).returning();
  return row;
}

export async function touchApiKey(db: Executor, id: string, at: Date): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: at }).where(sql`${apiKeys.id} = ${id}`);
}
