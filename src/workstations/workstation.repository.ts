import { and, asc, count, desc, eq, gt, gte, ilike, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import type { CommandState, EventMethod, WorkstationStatus } from './workstation.constants.js';
import {
  agentAssertionIds,
  workstationCommands,
  workstationEmergency,
  workstationEnrolmentTokens,
  workstationEvents,
  workstationProfileDepartments,
  workstationProfiles,
  workstations,
  workstationSessions,
} from './workstation.tables.js';

export type WorkstationRow = typeof workstations.$inferSelect;
export type EnrolmentTokenRow = typeof workstationEnrolmentTokens.$inferSelect;
export type ProfileRow = typeof workstationProfiles.$inferSelect;
export type CommandRow = typeof workstationCommands.$inferSelect;
export type EventRow = typeof workstationEvents.$inferSelect;
export type SessionRow = typeof workstationSessions.$inferSelect;
export type EmergencyRow = typeof workstationEmergency.$inferSelect;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

// --- Enrolment tokens -------------------------------------------------------------------------

export async function insertEnrolmentToken(db: Executor, row: typeof workstationEnrolmentTokens.$inferInsert): Promise<EnrolmentTokenRow> {
  const [inserted] = await db.insert(workstationEnrolmentTokens).values(row).returning();
  return inserted;
}

export async function findEnrolmentTokens(db: Executor): Promise<EnrolmentTokenRow[]> {
  return db.select().from(workstationEnrolmentTokens).orderBy(desc(workstationEnrolmentTokens.createdAt));
}

export async function findEnrolmentTokenById(db: Executor, id: string): Promise<EnrolmentTokenRow | undefined> {
  const [row] = await db.select().from(workstationEnrolmentTokens).where(eq(workstationEnrolmentTokens.id, id));
  return row;
}

/**
 * Takes one use of the token with this hash, if it is still good: one conditional UPDATE, so two
 * agents racing for the last use cannot both get it.
 */
export async function consumeEnrolmentToken(db: Executor, secretHash: string, now: Date): Promise<EnrolmentTokenRow | undefined> {
  const t = workstationEnrolmentTokens;
  const [row] = await db
    .update(t)
    .set({ uses: sql`${t.uses} + 1`, lastUsedAt: now })
    .where(and(eq(t.secretHash, secretHash), isNull(t.revokedAt), gt(t.expiresAt, now), lt(t.uses, t.maxUses)))
    .returning();
  return row;
}

export async function revokeEnrolmentToken(db: Executor, id: string, now: Date): Promise<EnrolmentTokenRow | undefined> {
  const t = workstationEnrolmentTokens;
  const [row] = await db
    .update(t)
    .set({ revokedAt: now })
    .where(and(eq(t.id, id), isNull(t.revokedAt)))
    .returning();
  return row;
}

// --- Workstations -----------------------------------------------------------------------------

export async function findWorkstationById(db: Executor, id: string): Promise<WorkstationRow | undefined> {
  const [row] = await db.select().from(workstations).where(eq(workstations.id, id));
  return row;
}

export async function findWorkstationByMachineId(db: Executor, machineId: string): Promise<WorkstationRow | undefined> {
  const [row] = await db.select().from(workstations).where(eq(workstations.machineId, machineId));
  return row;
}

export async function findWorkstationsByIds(db: Executor, ids: string[]): Promise<WorkstationRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(workstations).where(inArray(workstations.id, ids));
}

export async function insertWorkstation(db: Executor, row: typeof workstations.$inferInsert): Promise<WorkstationRow> {
  const [inserted] = await db.insert(workstations).values(row).returning();
  return inserted;
}

export async function updateWorkstationById(db: Executor, id: string, patch: Partial<typeof workstations.$inferInsert>): Promise<WorkstationRow | undefined> {
  const [row] = await db.update(workstations).set(patch).where(eq(workstations.id, id)).returning();
  return row;
}

/** Changes the status of those of `ids` that are in `from`; returns the rows changed. */
export async function updateWorkstationStatuses(
  db: Executor,
  ids: string[],
  from: WorkstationStatus[],
  patch: Partial<typeof workstations.$inferInsert>,
): Promise<WorkstationRow[]> {
  if (ids.length === 0) return [];
  return db
    .update(workstations)
    .set(patch)
    .where(and(inArray(workstations.id, ids), inArray(workstations.status, from)))
    .returning();
}

export async function deleteWorkstationById(db: Executor, id: string): Promise<WorkstationRow | undefined> {
  const [row] = await db.delete(workstations).where(eq(workstations.id, id)).returning();
  return row;
}

export interface WorkstationFilter {
  status?: WorkstationStatus;
  q?: string;
  departmentId?: string;
  profileId?: string;
  /** Online: connected to a node and heard from since `onlineSince`. */
  online?: boolean;
  onlineSince: Date;
}

function workstationWhere(f: WorkstationFilter): SQL | undefined {
  const w = workstations;
  const conditions: (SQL | undefined)[] = [];
  if (f.status) conditions.push(eq(w.status, f.status));
  if (f.departmentId) conditions.push(eq(w.departmentId, f.departmentId));
  // The profile in force: its own, else its department's, else (for the default profile) none at all.
  if (f.profileId) {
    const byDepartment = sql`(select ${workstationProfileDepartments.profileId} from ${workstationProfileDepartments} where ${workstationProfileDepartments.departmentId} = ${w.departmentId})`;
    conditions.push(
      or(
        eq(w.profileId, f.profileId),
        and(isNull(w.profileId), sql`${byDepartment} = ${f.profileId}`),
        and(
          isNull(w.profileId),
          sql`${byDepartment} is null`,
          sql`exists (select 1 from ${workstationProfiles} where ${workstationProfiles.id} = ${f.profileId} and ${workstationProfiles.isDefault})`,
        ),
      ),
    );
  }
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    conditions.push(or(ilike(w.name, like), ilike(w.hostname, like), ilike(w.domain, like), ilike(w.osName, like)));
  }
  const online = and(isNotNull(w.connectedNode), gte(w.lastSeenAt, f.onlineSince));
  if (f.online === true) conditions.push(online);
  if (f.online === false) conditions.push(sql`not coalesce(${online}, false)`);
  return and(...conditions);
}

export async function findWorkstations(db: Executor, f: WorkstationFilter, page: { offset: number; limit: number }) {
  const where = workstationWhere(f);
  const [items, [{ total }]] = await Promise.all([
    db.select().from(workstations).where(where).orderBy(asc(workstations.name), asc(workstations.id)).offset(page.offset).limit(page.limit),
    db.select({ total: count() }).from(workstations).where(where),
  ]);
  return { items, total };
}

export async function countWorkstations(db: Executor, onlineSince: Date, emergencyVersion: number | null) {
  const w = workstations;
  const [row] = await db
    .select({
      total: count(),
      pending: sql<number>`count(*) filter (where ${w.status} = 'pending')`.mapWith(Number),
      denied: sql<number>`count(*) filter (where ${w.status} = 'denied')`.mapWith(Number),
      online: sql<number>`count(*) filter (where ${w.connectedNode} is not null and ${w.lastSeenAt} >= ${onlineSince})`.mapWith(Number),
      blocked:
        emergencyVersion === null
          ? sql<number>`0`.mapWith(Number)
          : sql<number>`count(*) filter (where ${w.emergencyVersion} = ${emergencyVersion})`.mapWith(Number),
    })
    .from(w);
  return row;
}

export async function markConnected(db: Executor, id: string, node: string, address: string | null, now: Date): Promise<void> {
  await db.update(workstations).set({ connectedNode: node, connectedAt: now, lastSeenAt: now, lastAddress: address }).where(eq(workstations.id, id));
}

/** Clears the connection only if this node still holds it (the agent may already be on another). */
export async function markDisconnected(db: Executor, id: string, node: string, now: Date): Promise<void> {
  await db
    .update(workstations)
    .set({ connectedNode: null, lastSeenAt: now })
    .where(and(eq(workstations.id, id), eq(workstations.connectedNode, node)));
}

/** A node that starts again holds no connection: what it held before it stopped is gone. */
export async function clearNodeConnections(db: Executor, node: string): Promise<void> {
  await db.update(workstations).set({ connectedNode: null }).where(eq(workstations.connectedNode, node));
}

/** One UPDATE for every agent heard from since the last flush. */
export async function touchWorkstations(db: Executor, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.update(workstations).set({ lastSeenAt: now }).where(inArray(workstations.id, ids));
}

export async function setEmergencyVersion(db: Executor, ids: string[], version: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(workstations)
    .set({ emergencyVersion: version })
    .where(and(inArray(workstations.id, ids), lt(workstations.emergencyVersion, version)));
}

// --- Profiles ---------------------------------------------------------------------------------

export async function findProfiles(db: Executor): Promise<(ProfileRow & { departmentIds: string[]; workstationCount: number })[]> {
  const [profiles, links, counts] = await Promise.all([
    db.select().from(workstationProfiles).orderBy(desc(workstationProfiles.isDefault), asc(workstationProfiles.nameNormalized)),
    db.select().from(workstationProfileDepartments),
    db.select({ profileId: workstations.profileId, n: count() }).from(workstations).where(isNotNull(workstations.profileId)).groupBy(workstations.profileId),
  ]);
  return profiles.map((p) => ({
    ...p,
    departmentIds: links.filter((l) => l.profileId === p.id).map((l) => l.departmentId),
    workstationCount: counts.find((c) => c.profileId === p.id)?.n ?? 0,
  }));
}

export async function findProfileById(db: Executor, id: string): Promise<ProfileRow | undefined> {
  const [row] = await db.select().from(workstationProfiles).where(eq(workstationProfiles.id, id));
  return row;
}

export async function findDefaultProfile(db: Executor): Promise<ProfileRow | undefined> {
  const [row] = await db.select().from(workstationProfiles).where(eq(workstationProfiles.isDefault, true));
  return row;
}

export async function findProfileDepartments(db: Executor, profileId: string): Promise<string[]> {
  const rows = await db.select().from(workstationProfileDepartments).where(eq(workstationProfileDepartments.profileId, profileId));
  return rows.map((r) => r.departmentId);
}

export async function insertProfile(db: Executor, row: typeof workstationProfiles.$inferInsert): Promise<ProfileRow> {
  const [inserted] = await db.insert(workstationProfiles).values(row).returning();
  return inserted;
}

export async function updateProfileById(db: Executor, id: string, patch: Partial<typeof workstationProfiles.$inferInsert>): Promise<ProfileRow | undefined> {
  const [row] = await db.update(workstationProfiles).set(patch).where(eq(workstationProfiles.id, id)).returning();
  return row;
}

export async function clearDefaultProfile(db: Executor): Promise<void> {
  await db.update(workstationProfiles).set({ isDefault: false }).where(eq(workstationProfiles.isDefault, true));
}

export async function deleteProfileById(db: Executor, id: string): Promise<void> {
  await db.delete(workstationProfiles).where(eq(workstationProfiles.id, id));
}

/** The profile's departments become exactly `departmentIds` (taken from any other profile). */
export async function setProfileDepartments(db: Executor, profileId: string, departmentIds: string[]): Promise<void> {
  const t = workstationProfileDepartments;
  await db.delete(t).where(or(eq(t.profileId, profileId), departmentIds.length ? inArray(t.departmentId, departmentIds) : sql`false`));
  if (departmentIds.length) await db.insert(t).values(departmentIds.map((departmentId) => ({ departmentId, profileId })));
}

/** The profile that applies to each workstation: its own, else its department's, else the default. */
export async function findEffectiveProfileIds(db: Executor, workstationIds: string[]): Promise<Map<string, string | null>> {
  if (workstationIds.length === 0) return new Map();
  const rows = await db
    .select({ id: workstations.id, own: workstations.profileId, department: workstationProfileDepartments.profileId })
    .from(workstations)
    .leftJoin(workstationProfileDepartments, eq(workstationProfileDepartments.departmentId, workstations.departmentId))
    .where(inArray(workstations.id, workstationIds));
  const fallback = (await findDefaultProfile(db))?.id ?? null;
  return new Map(rows.map((r) => [r.id, r.own ?? r.department ?? fallback]));
}

// --- Commands ---------------------------------------------------------------------------------

export async function insertCommands(db: Executor, rows: (typeof workstationCommands.$inferInsert)[]): Promise<CommandRow[]> {
  if (rows.length === 0) return [];
  return db.insert(workstationCommands).values(rows).returning();
}

/** The commands still owed to a workstation, oldest first. */
export async function findOpenCommands(db: Executor, workstationId: string, now: Date): Promise<CommandRow[]> {
  const c = workstationCommands;
  return db
    .select()
    .from(c)
    .where(and(eq(c.workstationId, workstationId), inArray(c.state, ['queued', 'sent']), gt(c.expiresAt, now)))
    .orderBy(asc(c.createdAt))
    .limit(100);
}

/** Workstations with a command not yet sent: a node's safety net for a wake-up it missed. */
export async function findWorkstationsWithQueuedCommands(db: Executor, now: Date): Promise<string[]> {
  const c = workstationCommands;
  const rows = await db
    .selectDistinct({ id: c.workstationId })
    .from(c)
    .where(and(eq(c.state, 'queued'), gt(c.expiresAt, now)))
    .limit(5000);
  return rows.map((r) => r.id);
}

export async function markCommandsSent(db: Executor, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  const c = workstationCommands;
  await db
    .update(c)
    .set({ state: 'sent', sentAt: now, attempts: sql`${c.attempts} + 1` })
    .where(and(inArray(c.id, ids), inArray(c.state, ['queued', 'sent'])));
}

/** A credential delivery's payload (the JWE) lives only until the agent answers or it expires. */
const erasedDeliveryPayload = sql`case when ${workstationCommands.kind} = 'deliver_credentials' then '{}'::jsonb else ${workstationCommands.payload} end`;

/** Records the agent's answer, once: a repeated acknowledgement changes nothing. */
export async function acknowledgeCommand(db: Executor, id: string, workstationId: string, state: CommandState, result: string | null, now: Date) {
  const c = workstationCommands;
  const [row] = await db
    .update(c)
    .set({ state, result, acknowledgedAt: now, payload: erasedDeliveryPayload })
    .where(and(eq(c.id, id), eq(c.workstationId, workstationId), inArray(c.state, ['queued', 'sent'])))
    .returning();
  return row;
}

export async function expireCommands(db: Executor, now: Date): Promise<CommandRow[]> {
  const c = workstationCommands;
  return db
    .update(c)
    .set({ state: 'expired', payload: erasedDeliveryPayload })
    .where(and(inArray(c.state, ['queued', 'sent']), lte(c.expiresAt, now)))
    .returning();
}

export async function findCommands(db: Executor, workstationId: string, limit: number): Promise<CommandRow[]> {
  const c = workstationCommands;
  return db.select().from(c).where(eq(c.workstationId, workstationId)).orderBy(desc(c.createdAt)).limit(limit);
}

// --- Assertion ids ----------------------------------------------------------------------------

/** Claims an assertion id; false when it was used before (a replay). */
export async function claimAssertionId(db: Executor, jti: string, workstationId: string, expiresAt: Date): Promise<boolean> {
  const rows = await db.insert(agentAssertionIds).values({ jti, workstationId, expiresAt }).onConflictDoNothing().returning({ jti: agentAssertionIds.jti });
  return rows.length === 1;
}

export async function purgeAssertionIds(db: Executor, now: Date): Promise<void> {
  await db.delete(agentAssertionIds).where(lt(agentAssertionIds.expiresAt, now));
}

// --- Events and sessions ----------------------------------------------------------------------

/** Stores the events not stored before (by workstation and idempotency key); returns those stored now. */
export async function insertEvents(db: Executor, rows: (typeof workstationEvents.$inferInsert)[]): Promise<EventRow[]> {
  if (rows.length === 0) return [];
  return db.insert(workstationEvents).values(rows).onConflictDoNothing().returning();
}

export interface ActivityFilter {
  workstationId?: string;
  employeeId?: string;
  from?: Date;
  to?: Date;
}

export async function findEvents(db: Executor, f: ActivityFilter & { type?: string }, page: { offset: number; limit: number }) {
  const e = workstationEvents;
  const where = and(
    f.workstationId ? eq(e.workstationId, f.workstationId) : undefined,
    f.employeeId ? eq(e.employeeId, f.employeeId) : undefined,
    f.type ? eq(e.type, f.type as EventRow['type']) : undefined,
    f.from ? gte(e.occurredAt, f.from) : undefined,
    f.to ? lt(e.occurredAt, f.to) : undefined,
  );
  const [items, [{ total }]] = await Promise.all([
    db.select().from(e).where(where).orderBy(desc(e.occurredAt), desc(e.id)).offset(page.offset).limit(page.limit),
    db.select({ total: count() }).from(e).where(where),
  ]);
  return { items, total };
}

/** The open session of an OS session (by id when the agent gave one, else by account). */
export async function findOpenSession(
  db: Executor,
  workstationId: string,
  key: { osSessionId: string | null; account: string | null },
): Promise<SessionRow | undefined> {
  const s = workstationSessions;
  const [row] = await db
    .select()
    .from(s)
    .where(
      and(
        eq(s.workstationId, workstationId),
        isNull(s.endedAt),
        key.osSessionId ? eq(s.osSessionId, key.osSessionId) : key.account ? sql`lower(${s.account}) = ${key.account.toLowerCase()}` : sql`true`,
      ),
    )
    .orderBy(desc(s.startedAt))
    .limit(1);
  return row;
}

/**
 * Ends every session still open at the workstation when its agent starts again: sessions that
 * ended while it was down would otherwise stay open for ever. The agent reports the sessions it
 * still sees as logons right after, which reopen theirs (findSessionEndedByRestart).
 */
export async function endOpenSessionsAtRestart(db: Executor, workstationId: string, at: Date): Promise<void> {
  const s = workstationSessions;
  await db
    .update(s)
    .set({
      endedAt: at,
      endReason: 'agent_restart',
      lockedSeconds: sql`${s.lockedSeconds} + coalesce(greatest(0, extract(epoch from (${at}::timestamptz - ${s.lockedSince})))::int, 0)`,
      lockedSince: null,
    })
    .where(and(eq(s.workstationId, workstationId), isNull(s.endedAt), lte(s.startedAt, at)));
}

/** The session of this OS session and account that the agent's last restart ended, if it is the newest of that OS session. */
export async function findSessionEndedByRestart(db: Executor, workstationId: string, osSessionId: string, account: string): Promise<SessionRow | undefined> {
  const s = workstationSessions;
  const [row] = await db
    .select()
    .from(s)
    .where(and(eq(s.workstationId, workstationId), eq(s.osSessionId, osSessionId)))
    .orderBy(desc(s.startedAt))
    .limit(1);
  return row?.endReason === 'agent_restart' && row.account.toLowerCase() === account.toLowerCase() ? row : undefined;
}

export async function insertSession(db: Executor, row: typeof workstationSessions.$inferInsert): Promise<SessionRow> {
  const [inserted] = await db.insert(workstationSessions).values(row).returning();
  return inserted;
}

export async function updateSessionById(db: Executor, id: string, patch: Partial<typeof workstationSessions.$inferInsert>): Promise<void> {
  await db.update(workstationSessions).set(patch).where(eq(workstationSessions.id, id));
}

function sessionWhere(f: ActivityFilter & { open?: boolean }) {
  const s = workstationSessions;
  return and(
    f.workstationId ? eq(s.workstationId, f.workstationId) : undefined,
    f.employeeId ? eq(s.employeeId, f.employeeId) : undefined,
    // A session counts in a period when it overlaps it.
    f.from ? or(isNull(s.endedAt), gte(s.endedAt, f.from)) : undefined,
    f.to ? lt(s.startedAt, f.to) : undefined,
    f.open === true ? isNull(s.endedAt) : f.open === false ? isNotNull(s.endedAt) : undefined,
  );
}

export async function findSessions(db: Executor, f: ActivityFilter & { open?: boolean }, page: { offset: number; limit: number }) {
  const s = workstationSessions;
  const where = sessionWhere(f);
  const [items, [{ total }]] = await Promise.all([
    db.select().from(s).where(where).orderBy(desc(s.startedAt), desc(s.id)).offset(page.offset).limit(page.limit),
    db.select({ total: count() }).from(s).where(where),
  ]);
  return { items, total };
}

/** Workstations where the employee has a session open now. */
export async function findWorkstationIdsWithOpenSession(db: Executor, employeeId: string): Promise<string[]> {
  const s = workstationSessions;
  const rows = await db
    .selectDistinct({ id: s.workstationId })
    .from(s)
    .where(and(eq(s.employeeId, employeeId), isNull(s.endedAt)));
  return rows.map((r) => r.id);
}

export type SummaryGroup = 'employee' | 'workstation' | 'day';

/**
 * Time signed in, sessions and methods per employee, workstation or day (UTC) over a period: a
 * session's time is cut to the period, and a session still open counts until `now`.
 */
export async function summarizeSessions(db: Executor, group: SummaryGroup, f: ActivityFilter & { from: Date; to: Date }, now: Date) {
  const s = workstationSessions;
  const end = sql`least(coalesce(${s.endedAt}, ${now}), ${f.to})`;
  const start = sql`greatest(${s.startedAt}, ${f.from})`;
  const key =
    group === 'employee'
      ? sql`${s.employeeId}::text`
      : group === 'workstation'
        ? sql`${s.workstationId}::text`
        : sql`to_char(${s.startedAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await db
    .select({
      key: sql<string | null>`${key}`,
      sessions: count(),
      seconds: sql<number>`coalesce(sum(greatest(0, extract(epoch from (${end} - ${start})))), 0)`.mapWith(Number),
      lockedSeconds: sql<number>`coalesce(sum(${s.lockedSeconds}), 0)`.mapWith(Number),
      methodSets: sql<EventMethod[][]>`jsonb_agg(distinct ${s.methods})`,
      employees: sql<number>`count(distinct ${s.employeeId})`.mapWith(Number),
      workstations: sql<number>`count(distinct ${s.workstationId})`.mapWith(Number),
    })
    .from(s)
    .where(sessionWhere(f))
    .groupBy(key)
    .orderBy(sql`1`)
    .limit(10_000);
  return rows.map(({ methodSets, ...r }) => ({ ...r, methods: [...new Set((methodSets ?? []).flat())].sort() }));
}

// --- Emergency block --------------------------------------------------------------------------

export async function findEmergency(db: Executor): Promise<EmergencyRow> {
  const [row] = await db.select().from(workstationEmergency).where(eq(workstationEmergency.id, 1));
  return row ?? { id: 1, active: false, version: 0, reason: null, changedBy: null, changedAt: null };
}

/** Turns the block on or off if it is not already so; returns the new state, or undefined. */
export async function setEmergency(db: Executor, active: boolean, reason: string, by: string | null, now: Date): Promise<EmergencyRow | undefined> {
  const t = workstationEmergency;
  await db.insert(t).values({ id: 1 }).onConflictDoNothing();
  const [row] = await db
    .update(t)
    .set({ active, reason, changedBy: by, changedAt: now, version: sql`${t.version} + 1` })
    .where(and(eq(t.id, 1), eq(t.active, !active)))
    .returning();
  return row;
}
