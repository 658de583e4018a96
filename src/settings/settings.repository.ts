import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { settings } from './settings.tables.js';
import { systemState } from '../db/system-state.tables.js';

export async function findAllSettings(db: Executor): Promise<Map<string, unknown>> {
  const rows = await db.select().from(settings);
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function upsertSetting(db: Executor, key: string, value: unknown): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: sql`now()` } });
}

export async function deleteSettings(db: Executor, keys: string[]): Promise<void> {
  if (keys.length) await db.delete(settings).where(inArray(settings.key, keys));
}

export async function findSystemState<T>(db: Executor, key: string): Promise<T | undefined> {
  const [row] = await db.select().from(systemState).where(eq(systemState.key, key));
  return row?.value as T | undefined;
}

export async function upsertSystemState(db: Executor, key: string, value: unknown): Promise<void> {
  await db
    .insert(systemState)
    .values({ key, value })
    .onConflictDoUpdate({ target: systemState.key, set: { value, updatedAt: sql`now()` } });
}

export async function deleteSystemState(db: Executor, key: string): Promise<void> {
  await db.delete(systemState).where(eq(systemState.key, key));
}
