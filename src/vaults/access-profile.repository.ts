import { and, asc, count, desc, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { keyAccessProfiles } from './access-profile.tables.js';
import { hardwareKeys } from './hardware-key.tables.js';

export type AccessProfileRow = typeof keyAccessProfiles.$inferSelect;
export type NewAccessProfileRow = typeof keyAccessProfiles.$inferInsert;

/** Every profile (the default first, then by name), with how many keys carry it. */
export async function findAccessProfiles(db: Executor): Promise<(AccessProfileRow & { keyCount: number })[]> {
  const [rows, counts] = await Promise.all([
    db
      .select()
      .from(keyAccessProfiles)
      .orderBy(desc(keyAccessProfiles.isDefault), asc(sql`lower(${keyAccessProfiles.name})`)),
    db
      .select({ profileId: hardwareKeys.accessProfileId, n: count() })
      .from(hardwareKeys)
      .where(isNotNull(hardwareKeys.accessProfileId))
      .groupBy(hardwareKeys.accessProfileId),
  ]);
  return rows.map((p) => ({ ...p, keyCount: counts.find((c) => c.profileId === p.id)?.n ?? 0 }));
}

export async function findAccessProfileById(db: Executor, id: string): Promise<AccessProfileRow | undefined> {
  const [row] = await db.select().from(keyAccessProfiles).where(eq(keyAccessProfiles.id, id));
  return row;
}

export async function findDefaultAccessProfile(db: Executor): Promise<AccessProfileRow | undefined> {
  const [row] = await db.select().from(keyAccessProfiles).where(eq(keyAccessProfiles.isDefault, true));
  return row;
}

export async function countKeysWithAccessProfile(db: Executor, profileId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(hardwareKeys).where(eq(hardwareKeys.accessProfileId, profileId));
  return row?.n ?? 0;
}

export async function insertAccessProfile(db: Executor, row: NewAccessProfileRow): Promise<AccessProfileRow> {
  const [created] = await db.insert(keyAccessProfiles).values(row).returning();
  return created;
}

export async function updateAccessProfileById(db: Executor, id: string, patch: Partial<NewAccessProfileRow>): Promise<AccessProfileRow | undefined> {
  const [row] = await db.update(keyAccessProfiles).set(patch).where(eq(keyAccessProfiles.id, id)).returning();
  return row;
}

export async function deleteAccessProfileById(db: Executor, id: string): Promise<AccessProfileRow | undefined> {
  const [row] = await db.delete(keyAccessProfiles).where(eq(keyAccessProfiles.id, id)).returning();
  return row;
}

/**
 * Takes the default mark off every profile but `exceptId` (at most one default: a unique partial
 * index). Serialised by a transaction lock, so that two admins making two profiles the default at
 * once end with the later one, not with a unique violation.
 */
export async function clearDefaultAccessProfile(db: Executor, exceptId?: string): Promise<void> {
  await db.execute(sql`SELECT pg_advisory_xact_lock(hashtext('key_access_profiles:default'))`);
  await db
    .update(keyAccessProfiles)
    .set({ isDefault: false })
    .where(and(eq(keyAccessProfiles.isDefault, true), exceptId ? ne(keyAccessProfiles.id, exceptId) : undefined));
}

/** The key's own profile: undefined when the key does not exist, `profile: null` when it has none. */
export async function findKeyAccessProfile(db: Executor, keyId: string): Promise<{ profile: AccessProfileRow | null } | undefined> {
  const [row] = await db
    .select({ keyId: hardwareKeys.id, profile: keyAccessProfiles })
    .from(hardwareKeys)
    .leftJoin(keyAccessProfiles, eq(keyAccessProfiles.id, hardwareKeys.accessProfileId))
    .where(eq(hardwareKeys.id, keyId));
  return row ? { profile: row.profile } : undefined;
}

/** Sets the profile of these keys (null: back to the default); the keys changed, with the profile they had. */
export async function setKeysAccessProfile(
  db: Executor,
  keyIds: string[],
  profileId: string | null,
  now: Date,
): Promise<{ id: string; serial: string; from: string | null }[]> {
  if (keyIds.length === 0) return [];
  const before = await db
    .select({ id: hardwareKeys.id, serial: hardwareKeys.serial, from: hardwareKeys.accessProfileId })
    .from(hardwareKeys)
    .where(inArray(hardwareKeys.id, keyIds))
    .for('update');
  if (before.length === 0) return [];
  await db
    .update(hardwareKeys)
    .set({ accessProfileId: profileId, updatedAt: now })
    .where(
      inArray(
        hardwareKeys.id,
        before.map((k) => k.id),
      ),
    );
  return before;
}
