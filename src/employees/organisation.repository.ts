import { asc, eq, sql } from 'drizzle-orm';
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
