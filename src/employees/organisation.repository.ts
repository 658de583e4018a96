import { asc, eq, inArray, sql } from 'drizzle-orm';
import { chunked } from '../db/bulk.js';
import type { Executor } from '../db/connection.js';
import { companies, departments, employees, positions } from './employee.tables.js';

export const normalizeName = (name: string): string => name.trim().toLowerCase();

// The queries below run one after the other, not with Promise.all: db may be a transaction (a
// directory sync resolves companies and positions inside its own), whose one connection cannot run
// two queries at once (node-postgres warns, and pg 9 will refuse).
export async function findCompaniesWithDepartments(db: Executor) {
  const companyRows = await db.select().from(companies).orderBy(asc(companies.nameNormalized));
  const departmentRows = await db.select().from(departments).orderBy(asc(departments.nameNormalized));
  const companyCounts = await db.select({ id: employees.companyId, n: sql<number>`count(*)::int` }).from(employees).groupBy(employees.companyId);
  const departmentCounts = await db.select({ id: employees.departmentId, n: sql<number>`count(*)::int` }).from(employees).groupBy(employees.departmentId);
  const cc = new Map(companyCounts.map((r) => [r.id, r.n]));
  const dc = new Map(departmentCounts.map((r) => [r.id, r.n]));
  return companyRows.map((c) => ({
    id: c.id,
    name: c.name,
    employeeCount: cc.get(c.id) ?? 0,
    departments: departmentRows.filter((d) => d.companyId === c.id).map((d) => ({ id: d.id, name: d.name, employeeCount: dc.get(d.id) ?? 0 })),
  }));
}

export async function findCompanyById(db: Executor, id: string) {
  const [row] = await db.select().from(companies).where(eq(companies.id, id));
  return row;
}

export async function findCompanyByName(db: Executor, name: string) {
  const [row] = await db
    .select()
    .from(companies)
    .where(eq(companies.nameNormalized, normalizeName(name)));
  return row;
}

export async function insertCompany(db: Executor, name: string) {
  const [row] = await db
    .insert(companies)
    .values({ name: name.trim(), nameNormalized: normalizeName(name) })
    .returning();
  return row;
}

export async function updateCompanyName(db: Executor, id: string, name: string) {
  const [row] = await db
    .update(companies)
    .set({ name: name.trim(), nameNormalized: normalizeName(name), updatedAt: sql`now()` })
    .where(eq(companies.id, id))
    .returning();
  return row;
}

export async function deleteCompanyById(db: Executor, id: string) {
  await db.delete(companies).where(eq(companies.id, id));
}

export async function findDepartmentById(db: Executor, id: string) {
  const [row] = await db.select().from(departments).where(eq(departments.id, id));
  return row;
}

export async function insertDepartment(db: Executor, companyId: string, name: string) {
  const [row] = await db
    .insert(departments)
    .values({ companyId, name: name.trim(), nameNormalized: normalizeName(name) })
    .returning();
  return row;
}

export async function updateDepartmentName(db: Executor, id: string, name: string) {
  const [row] = await db
    .update(departments)
    .set({ name: name.trim(), nameNormalized: normalizeName(name), updatedAt: sql`now()` })
    .where(eq(departments.id, id))
    .returning();
  return row;
}

export async function deleteDepartmentById(db: Executor, id: string) {
  await db.delete(departments).where(eq(departments.id, id));
}

export async function findPositions(db: Executor) {
  // Sequential: db may be a transaction (see findCompaniesWithDepartments).
  const rows = await db.select().from(positions).orderBy(asc(positions.nameNormalized));
  const counts = await db.select({ id: employees.positionId, n: sql<number>`count(*)::int` }).from(employees).groupBy(employees.positionId);
  const pc = new Map(counts.map((r) => [r.id, r.n]));
  return rows.map((p) => ({ id: p.id, name: p.name, employeeCount: pc.get(p.id) ?? 0 }));
}

export async function findPositionById(db: Executor, id: string) {
  const [row] = await db.select().from(positions).where(eq(positions.id, id));
  return row;
}

export async function insertPosition(db: Executor, name: string) {
  const [row] = await db
    .insert(positions)
    .values({ name: name.trim(), nameNormalized: normalizeName(name) })
    .returning();
  return row;
}

export async function updatePositionName(db: Executor, id: string, name: string) {
  const [row] = await db
    .update(positions)
    .set({ name: name.trim(), nameNormalized: normalizeName(name), updatedAt: sql`now()` })
    .where(eq(positions.id, id))
    .returning();
  return row;
}

export async function deletePositionById(db: Executor, id: string) {
  await db.delete(positions).where(eq(positions.id, id));
}

export async function countEmployeesReferencing(db: Executor, column: 'companyId' | 'departmentId' | 'positionId', id: string): Promise<number> {
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(employees).where(eq(employees[column], id));
  return n;
}

/** Every company, department and position by normalised name, without counts: what an import resolves names against. */
export async function findOrganisationNames(db: Executor) {
  // Sequential: db may be a transaction (see findCompaniesWithDepartments).
  const companyRows = await db.select({ id: companies.id, nameNormalized: companies.nameNormalized }).from(companies);
  const departmentRows = await db
    .select({ id: departments.id, companyId: departments.companyId, nameNormalized: departments.nameNormalized })
    .from(departments);
  const positionRows = await db.select({ id: positions.id, nameNormalized: positions.nameNormalized }).from(positions);
  return { companies: companyRows, departments: departmentRows, positions: positionRows };
}

/**
 * Inserts the companies (or positions) of these names in multi-row statements; a name another
 * transaction created meanwhile is not inserted again but read. Returns every one of them.
 */
async function insertNamed(db: Executor, table: typeof companies | typeof positions, names: readonly string[]) {
  const out: { id: string; name: string; nameNormalized: string; isNew: boolean }[] = [];
  for (const batch of chunked(names)) {
    const rows = batch.map((name) => ({ name: name.trim(), nameNormalized: normalizeName(name) }));
    const inserted = await db
      .insert(table)
      .values(rows)
      .onConflictDoNothing()
      .returning({ id: table.id, name: table.name, nameNormalized: table.nameNormalized });
    out.push(...inserted.map((r) => ({ ...r, isNew: true })));
    const got = new Set(inserted.map((r) => r.nameNormalized));
    const raced = rows.filter((r) => !got.has(r.nameNormalized)).map((r) => r.nameNormalized);
    if (raced.length > 0) {
      const existing = await db
        .select({ id: table.id, name: table.name, nameNormalized: table.nameNormalized })
        .from(table)
        .where(inArray(table.nameNormalized, raced));
      out.push(...existing.map((r) => ({ ...r, isNew: false })));
    }
  }
  return out;
}

export const insertCompanies = (db: Executor, names: readonly string[]) => insertNamed(db, companies, names);
export const insertPositions = (db: Executor, names: readonly string[]) => insertNamed(db, positions, names);

/** Departments by company and name, in multi-row statements (as insertCompanies). */
export async function insertDepartments(db: Executor, items: readonly { companyId: string; name: string }[]) {
  const out: { id: string; companyId: string; name: string; nameNormalized: string; isNew: boolean }[] = [];
  for (const batch of chunked(items)) {
    const rows = batch.map((d) => ({ companyId: d.companyId, name: d.name.trim(), nameNormalized: normalizeName(d.name) }));
    const cols = { id: departments.id, companyId: departments.companyId, name: departments.name, nameNormalized: departments.nameNormalized };
    const inserted = await db.insert(departments).values(rows).onConflictDoNothing().returning(cols);
    out.push(...inserted.map((r) => ({ ...r, isNew: true })));
    const got = new Set(inserted.map((r) => `${r.companyId}\n${r.nameNormalized}`));
    const raced = rows.filter((r) => !got.has(`${r.companyId}\n${r.nameNormalized}`));
    if (raced.length > 0) {
      const existing = await db
        .select(cols)
        .from(departments)
        .where(inArray(departments.nameNormalized, [...new Set(raced.map((r) => r.nameNormalized))]));
      const wanted = new Set(raced.map((r) => `${r.companyId}\n${r.nameNormalized}`));
      out.push(...existing.filter((r) => wanted.has(`${r.companyId}\n${r.nameNormalized}`)).map((r) => ({ ...r, isNew: false })));
    }
  }
  return out;
}

/** The company of each of these departments (for checking that references agree, in bulk). */
export async function findDepartmentCompanies(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const batch of chunked([...new Set(ids)])) {
    for (const r of await db.select({ id: departments.id, companyId: departments.companyId }).from(departments).where(inArray(departments.id, batch)))
      out.set(r.id, r.companyId);
  }
  return out;
}
