import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { chunked, updateRowsById } from '../db/bulk.js';
import { containsPattern } from '../db/sql.js';
import { companies, departments, employees, positions } from './employee.tables.js';
import { enrolmentMethods, type EmployeeQuery, type EnrolmentMethod, type EnrolmentState } from './employee.schemas.js';

export type EmployeeRow = typeof employees.$inferSelect;
export type EmployeeWithRefs = EmployeeRow & {
  companyName: string | null;
  departmentName: string | null;
  positionName: string | null;
};

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const withRefs = {
  employee: employees,
  companyName: companies.name,
  departmentName: departments.name,
  positionName: positions.name,
};

function selectWithRefs(db: Executor) {
  return db
    .select(withRefs)
    .from(employees)
    .leftJoin(companies, eq(companies.id, employees.companyId))
    .leftJoin(departments, eq(departments.id, employees.departmentId))
    .leftJoin(positions, eq(positions.id, employees.positionId));
}

const flatten = (r: { employee: EmployeeRow; companyName: string | null; departmentName: string | null; positionName: string | null }): EmployeeWithRefs => ({
  ...r.employee,
  companyName: r.companyName,
  departmentName: r.departmentName,
  positionName: r.positionName,
});

export async function findEmployeeById(db: Executor, id: string): Promise<EmployeeWithRefs | undefined> {
  const [row] = await selectWithRefs(db).where(eq(employees.id, id));
  return row && flatten(row);
}

export async function findEmployeeByEmail(db: Executor, email: string): Promise<EmployeeRow | undefined> {
  const [row] = await db
    .select()
    .from(employees)
    .where(eq(employees.emailNormalized, normalizeEmail(email)));
  return row;
}

const sortColumns = {
  lastName: [employees.lastName, employees.firstName],
  firstName: [employees.firstName, employees.lastName],
  email: [employees.emailNormalized],
  status: [employees.status, employees.lastName],
  createdAt: [employees.createdAt],
  company: [companies.name, employees.lastName],
} as const;

/** A subquery of employee ids that another feature builds (a group's members), to narrow a list to. */
export type EmployeeIdSubquery = SQLWrapper;

/**
 * What the rollout state is computed from, as subqueries of employee ids the features that own the
 * data build (src/authn, src/invitations): the holders of each kind of credential, the employees
 * with an open invitation and those with any invitation at all.
 */
export interface EnrolmentSources {
  methods: Record<EnrolmentMethod, EmployeeIdSubquery>;
  openInvitation: EmployeeIdSubquery;
  anyInvitation: EmployeeIdSubquery;
}

/** Per method, whether the employee holds it; and the state, in one CASE (uncorrelated IN subqueries: hashed once per query). */
function enrolmentExpressions(s: EnrolmentSources) {
  const has = Object.fromEntries(enrolmentMethods.map((m) => [m, sql<boolean>`(${inArray(employees.id, s.methods[m])})`])) as Record<
    EnrolmentMethod,
    SQL<boolean>
  >;
  // TOTP alone is not a passwordless sign-in: an employee with only a TOTP seed still has a key to enrol.
  const enrolled = or(...enrolmentMethods.filter((m) => m !== 'totp').map((m) => inArray(employees.id, s.methods[m])));
  const state = sql<EnrolmentState>`CASE WHEN ${enrolled} THEN 'enrolled' WHEN ${inArray(employees.id, s.openInvitation)} THEN 'invited' WHEN ${inArray(
    employees.id,
    s.anyInvitation,
  )} THEN 'invitation_expired' ELSE 'never_invited' END`;
  return { has, state };
}

/**
 * The list counts its matches up to this many and then says "more": an exact count(*) reads every
 * matching row on every page (all 100,000 for the unfiltered list of a large company), and beyond
 * ten thousand an admin narrows the search rather than reads the number.
 */
export const EMPLOYEE_COUNT_CAP = 10_000;

/**
 * `q` anywhere in the e-mail, the full name ("first last", which holds any part of either) or the
 * phone, with the user's %, _ and \ taken literally. Each expression is exactly one of the trigram
 * indexes of migration 0023 (employee.tables.ts), so PostgreSQL answers with a BitmapOr of index
 * scans instead of reading every row.
 */
export function searchCondition(text: string): SQL | undefined {
  const pattern = containsPattern(text);
  return or(
    ilike(employees.emailNormalized, containsPattern(text.toLowerCase())),
    ilike(sql`(${employees.firstName} || ' ' || ${employees.lastName})`, pattern),
    ilike(employees.phone, pattern),
  );
}

export type EmployeeWithEnrolment = EmployeeWithRefs & { enrolment: { state: EnrolmentState; methods: EnrolmentMethod[] } };

export async function findEmployees(
  db: Executor,
  q: Omit<EmployeeQuery, 'groupId'>,
  opts: { idsIn?: EmployeeIdSubquery; enrolment: EnrolmentSources },
): Promise<{ items: EmployeeWithEnrolment[]; total: number; isTotalCapped: boolean }> {
  const enrolment = enrolmentExpressions(opts.enrolment);
  const conditions: (SQL | undefined)[] = [
    opts.idsIn ? inArray(employees.id, opts.idsIn) : undefined,
    q.enrolment ? sql`${enrolment.state} = ${q.enrolment}` : undefined,
    q.status ? eq(employees.status, q.status) : undefined,
    q.companyId ? eq(employees.companyId, q.companyId) : undefined,
    q.departmentId ? eq(employees.departmentId, q.departmentId) : undefined,
    q.positionId ? eq(employees.positionId, q.positionId) : undefined,
    q.source ? eq(employees.source, q.source) : undefined,
    q.q ? searchCondition(q.q) : undefined,
  ];
  const where = and(...conditions.filter(Boolean));
  const dir = q.order === 'desc' ? desc : asc;
  const order = [...sortColumns[q.sort].map((c) => dir(c)), asc(employees.id)];
  const [rows, [{ count }]] = await Promise.all([
    db
      .select({ ...withRefs, enrolmentState: enrolment.state, ...enrolment.has })
      .from(employees)
      .leftJoin(companies, eq(companies.id, employees.companyId))
      .leftJoin(departments, eq(departments.id, employees.departmentId))
      .leftJoin(positions, eq(positions.id, employees.positionId))
      .where(where)
      .orderBy(...order)
      .offset((q.page - 1) * q.pageSize)
      .limit(q.pageSize),
    // Counted up to the cap, not every match: past it the list says "more than 10,000".
    db.select({ count: sql<number>`count(*)::int` }).from(
      db
        .select({ one: sql`1` })
        .from(employees)
        .where(where)
        .limit(EMPLOYEE_COUNT_CAP + 1)
        .as('matched'),
    ),
  ]);
  const items = rows.map(
    (r): EmployeeWithEnrolment => ({ ...flatten(r), enrolment: { state: r.enrolmentState, methods: enrolmentMethods.filter((m) => r[m] === true) } }),
  );
  return { items, total: Math.min(count, EMPLOYEE_COUNT_CAP), isTotalCapped: count > EMPLOYEE_COUNT_CAP };
}

/** Active employees by department and rollout state: what the dashboard's rollout card adds up. */
export async function countActiveByDepartmentAndEnrolment(
  db: Executor,
  sources: EnrolmentSources,
): Promise<{ departmentId: string | null; departmentName: string | null; state: EnrolmentState; count: number }[]> {
  const { state } = enrolmentExpressions(sources);
  return (
    db
      .select({ departmentId: employees.departmentId, departmentName: departments.name, state, count: sql<number>`count(*)::int` })
      .from(employees)
      .leftJoin(departments, eq(departments.id, employees.departmentId))
      .where(eq(employees.status, 'active'))
      // By position: the CASE holds bound parameters, which PostgreSQL would not match between SELECT and GROUP BY.
      .groupBy(sql`1, 2, 3`)
  );
}

export async function insertEmployee(db: Executor, row: Omit<typeof employees.$inferInsert, 'emailNormalized'>): Promise<EmployeeRow> {
  const [inserted] = await db
    .insert(employees)
    .values({ ...row, emailNormalized: normalizeEmail(row.email) })
    .returning();
  return inserted;
}

export async function updateEmployeeById(db: Executor, id: string, patch: Partial<typeof employees.$inferInsert>): Promise<EmployeeRow | undefined> {
  const set = { ...patch, updatedAt: sql`now()` } as Record<string, unknown>;
  if (patch.email) set.emailNormalized = normalizeEmail(patch.email);
  const [row] = await db.update(employees).set(set).where(eq(employees.id, id)).returning();
  return row;
}

export async function deleteEmployeeById(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(employees).where(eq(employees.id, id)).returning({ id: employees.id });
  return rows.length > 0;
}

/** Every employee's id, normalised e-mail and status: what a directory sync matches accounts against. */
export async function findEmployeesForMatching(db: Executor): Promise<{ id: string; emailNormalized: string; status: string }[]> {
  return db.select({ id: employees.id, emailNormalized: employees.emailNormalized, status: employees.status }).from(employees);
}

/** Those of the ids whose employee is active. */
/** Who the employees are (id, e-mail, name, status), by last and first name: for lists other features show. */
export async function findEmployeeSummariesByIds(db: Executor, ids: string[]): Promise<EmployeeSummary[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: employees.id, email: employees.email, firstName: employees.firstName, lastName: employees.lastName, status: employees.status })
    .from(employees)
    .where(inArray(employees.id, ids))
    .orderBy(asc(employees.lastName), asc(employees.firstName));
}
export type EmployeeSummary = { id: string; email: string; firstName: string; lastName: string; status: string };

export async function findActiveEmployeeIds(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: employees.id })
    .from(employees)
    .where(and(inArray(employees.id, ids), eq(employees.status, 'active')));
  return new Set(rows.map((r) => r.id));
}

export async function countEmployeesByStatus(db: Executor): Promise<Record<string, number>> {
  const rows = await db.select({ status: employees.status, count: sql<number>`count(*)::int` }).from(employees).groupBy(employees.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
}

/** Inserts employees in multi-row statements of 1,000; returns each one's id and e-mail (no re-read). */
export async function insertEmployees(
  db: Executor,
  rows: readonly Omit<typeof employees.$inferInsert, 'emailNormalized'>[],
): Promise<{ id: string; email: string; emailNormalized: string; source: string }[]> {
  const out: { id: string; email: string; emailNormalized: string; source: string }[] = [];
  for (const batch of chunked(rows)) {
    out.push(
      ...(await db
        .insert(employees)
        .values(batch.map((r) => ({ ...r, emailNormalized: normalizeEmail(r.email) })))
        .returning({ id: employees.id, email: employees.email, emailNormalized: employees.emailNormalized, source: employees.source })),
    );
  }
  return out;
}

/** These employees' rows, read 1,000 ids a statement. */
export async function findEmployeesByIds(db: Executor, ids: readonly string[]): Promise<EmployeeRow[]> {
  const out: EmployeeRow[] = [];
  for (const batch of chunked([...new Set(ids)])) out.push(...(await db.select().from(employees).where(inArray(employees.id, batch))));
  return out;
}

/** Many employees' changes in multi-row UPDATEs (src/db/bulk.ts); `updated_at` becomes now(). */
export async function updateEmployeesByIds(db: Executor, rows: readonly { id: string; set: Partial<typeof employees.$inferInsert> }[]): Promise<void> {
  await updateRowsById(
    db,
    employees,
    rows.map((r) => ({ id: r.id, set: r.set.email ? { ...r.set, emailNormalized: normalizeEmail(r.set.email) } : r.set })),
    { updatedAt: sql`now()` },
  );
}
