import { and, asc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { samlSigningKeys } from '../saml/saml.tables.js';

export type SamlSigningKeyRow = typeof samlSigningKeys.$inferSelect;

/** Keys not retired at `now` (active, next, or in their overlap), in activation order. */
export async function findPublishedSigningKeys(db: Executor, now: Date): Promise<SamlSigningKeyRow[]> {
  return db
    .select()
    .from(samlSigningKeys)
    .where(or(isNull(samlSigningKeys.retiresAt), gt(samlSigningKeys.retiresAt, now)))
    .orderBy(asc(samlSigningKeys.activatesAt));
}

export async function findSigningKeyByActivation(db: Executor, activatesAt: Date): Promise<SamlSigningKeyRow | undefined> {
  const [row] = await db.select().from(samlSigningKeys).where(eq(samlSigningKeys.activatesAt, activatesAt));
  return row;
}

export async function insertSigningKey(db: Executor, row: typeof samlSigningKeys.$inferInsert): Promise<void> {
  await db.insert(samlSigningKeys).values(row);
}

/** Sets the retirement of every key already active and not yet retiring. */
export async function retireActiveSigningKeys(db: Executor, now: Date, retiresAt: Date): Promise<void> {
  await db
    .update(samlSigningKeys)
    .set({ retiresAt })
    .where(and(lte(samlSigningKeys.activatesAt, now), isNull(samlSigningKeys.retiresAt)));
}
