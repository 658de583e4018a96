import { and, asc, eq, inArray, isNull, lt, notInArray, or, type SQLWrapper, sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { webauthnChallenges, webauthnCredentials } from './authn.tables.js';

export type CredentialRow = typeof webauthnCredentials.$inferSelect;
export type NewCredentialRow = typeof webauthnCredentials.$inferInsert;
export type ChallengeRow = typeof webauthnChallenges.$inferSelect;

export async function insertChallenge(db: Executor, row: typeof webauthnChallenges.$inferInsert): Promise<void> {
  await db.insert(webauthnChallenges).values(row);
}

/**
 * Marks a challenge used and returns it, in one statement: of two requests that present the same
 * ceremony at once, exactly one gets the row (WebAuthn §13.4.3, challenges are single-use).
 */
export async function claimChallenge(db: Executor, id: string, at: Date): Promise<ChallengeRow | undefined> {
  const [row] = await db
    .update(webauthnChallenges)
    .set({ usedAt: at })
    .where(and(eq(webauthnChallenges.id, id), isNull(webauthnChallenges.usedAt)))
    .returning();
  return row;
}

/**
 * claimChallenge and, in the same statement, the credential an answer names (by its WebAuthn
 * credential id): the sign-in path's one round trip before the signature check. The credential
 * comes only with a claimed challenge (no claim, no row): the caller looks at it only after the
 * challenge checks.
 */
export async function claimChallengeWithCredential(
  db: Executor,
  id: string,
  at: Date,
  credentialId: string,
): Promise<{ challenge: ChallengeRow | undefined; credential: CredentialRow | undefined }> {
  const claimed = db.$with('claimed').as(
    db
      .update(webauthnChallenges)
      .set({ usedAt: at })
      .where(and(eq(webauthnChallenges.id, id), isNull(webauthnChallenges.usedAt)))
      .returning(),
  );
  const [row] = await db.with(claimed).select().from(claimed).leftJoin(webauthnCredentials, eq(webauthnCredentials.credentialId, credentialId));
  return { challenge: row?.claimed, credential: row?.webauthn_credentials ?? undefined };
}

/** Challenges past their expiry are useless; used ones are kept until then only to refuse a replay. */
export async function deleteExpiredChallenges(db: Executor, before: Date): Promise<number> {
  const rows = await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, before)).returning({ id: webauthnChallenges.id });
  return rows.length;
}

export async function findCredentialsBySubject(db: Executor, subjectType: string, subjectId: string): Promise<CredentialRow[]> {
  return db
    .select()
    .from(webauthnCredentials)
    .where(and(eq(webauthnCredentials.subjectType, subjectType), eq(webauthnCredentials.subjectId, subjectId)))
    .orderBy(asc(webauthnCredentials.createdAt), asc(webauthnCredentials.id));
}

/** Which of these subjects hold at least one credential. */
export async function findSubjectsWithCredentials(
  db: Executor,
  subjectType: string,
  subjectIds: string[],
  exceptIds: string[] = [],
  opts: { standalone?: boolean } = {},
): Promise<Set<string>> {
  if (subjectIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ id: webauthnCredentials.subjectId })
    .from(webauthnCredentials)
    .where(
      and(
        eq(webauthnCredentials.subjectType, subjectType),
        inArray(webauthnCredentials.subjectId, subjectIds),
        exceptIds.length > 0 ? notInArray(webauthnCredentials.id, exceptIds) : undefined,
        opts.standalone ? eq(webauthnCredentials.isSecondFactorOnly, false) : undefined,
      ),
    );
  return new Set(rows.map((r) => r.id));
}

export async function countCredentialsBySubject(db: Executor, subjectType: string, subjectId: string): Promise<number> {
  const [{ count }] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(webauthnCredentials)
    .where(and(eq(webauthnCredentials.subjectType, subjectType), eq(webauthnCredentials.subjectId, subjectId)));
  return count;
}

/** By the WebAuthn credential id (base64url), which is unique across all subjects. */
export async function findCredentialByCredentialId(db: Executor, credentialId: string): Promise<CredentialRow | undefined> {
  const [row] = await db.select().from(webauthnCredentials).where(eq(webauthnCredentials.credentialId, credentialId));
  return row;
}

/** By our row id, only within the subject's own credentials: one subject never reaches another's. */
export async function findCredentialOfSubject(db: Executor, subjectType: string, subjectId: string, id: string): Promise<CredentialRow | undefined> {
  const [row] = await db
    .select()
    .from(webauthnCredentials)
    .where(and(eq(webauthnCredentials.id, id), eq(webauthnCredentials.subjectType, subjectType), eq(webauthnCredentials.subjectId, subjectId)));
  return row;
}

export async function insertCredential(db: Executor, row: NewCredentialRow): Promise<CredentialRow> {
  const [inserted] = await db.insert(webauthnCredentials).values(row).returning();
  return inserted;
}

export async function updateCredentialById(
  db: Executor,
  id: string,
  patch: Partial<Pick<CredentialRow, 'name' | 'signCount' | 'lastUsedAt' | 'isBackedUp'>>,
): Promise<CredentialRow | undefined> {
  const [row] = await db.update(webauthnCredentials).set(patch).where(eq(webauthnCredentials.id, id)).returning();
  return row;
}

export async function deleteCredentialById(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(webauthnCredentials).where(eq(webauthnCredentials.id, id)).returning({ id: webauthnCredentials.id });
  return rows.length > 0;
}

export async function deleteCredentialsBySubject(db: Executor, subjectType: string, subjectId: string): Promise<number> {
  const rows = await db
    .delete(webauthnCredentials)
    .where(and(eq(webauthnCredentials.subjectType, subjectType), eq(webauthnCredentials.subjectId, subjectId)))
    .returning({ id: webauthnCredentials.id });
  return rows.length;
}

/** Serialises registrations of one subject, so that parallel ones cannot pass the per-subject limit. */
export async function lockSubjectCredentials(tx: Executor, subjectType: string, subjectId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`webauthn:${subjectType}:${subjectId}`}))`);
}

/**
 * A subquery of the employee ids that hold a credential of this kind (authn.schemas.ts credentialType:
 * a passkey is a platform or backup-eligible credential, a security key the rest), for the
 * employees list's rollout state.
 */
export function employeeIdsWithCredentialKind(db: Executor, kind: 'passkey' | 'security_key' | 'second_factor_key', exceptCredentialIds?: SQLWrapper) {
  const c = webauthnCredentials;
  const passkey = or(eq(c.attachment, 'platform'), eq(c.isBackupEligible, true));
  const which =
    kind === 'second_factor_key' ? eq(c.isSecondFactorOnly, true) : and(eq(c.isSecondFactorOnly, false), kind === 'passkey' ? passkey : sql`NOT (${passkey})`);
  return db
    .select({ id: c.subjectId })
    .from(c)
    .where(and(eq(c.subjectType, 'employee'), which, exceptCredentialIds ? notInArray(c.id, exceptCredentialIds) : undefined));
}
