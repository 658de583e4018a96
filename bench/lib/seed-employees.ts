import type { Database } from '../../src/db/connection.js';

const FIRST_NAMES = [
  'Anna',
  'Ben',
  'Carla',
  'David',
  'Elena',
  'Farid',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Karin',
  'Liam',
  'Maria',
  'Noah',
  'Olga',
  'Pavel',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
  'Uma',
  'Victor',
  'Wendy',
  'Xavier',
  'Yara',
  'Zoe',
  'Adam',
  'Bianca',
  'Chen',
  'Dana',
  'Emil',
  'Fatima',
  'Gabriel',
  'Hannah',
  'Ivan',
  'Julia',
  'Kenji',
  'Lena',
  'Marco',
  'Nina',
];
const LAST_NAMES = [
  'Anderson',
  'Baker',
  'Castro',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Martin',
  'Nakamura',
  'Olsen',
  'Petrov',
  'Quintero',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Urban',
  'Vasquez',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zimmermann',
  'Almeida',
  'Becker',
  'Costa',
  'Dvorak',
  'Esposito',
  'Ferrari',
  'Gruber',
  'Horvat',
  'Ibrahim',
  'Johansson',
  'Keller',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Oliveira',
  'Popescu',
  'Richter',
  'Santos',
  'Thomsen',
  'Varga',
  'Wagner',
  'Young',
  'Zhang',
  'Bianchi',
  'Morgan',
  'Nielsen',
  'Andersson',
  'Brown',
  'Clarke',
  'Davies',
  'Evans',
  'Fraser',
  'Green',
  'Hughes',
];
const COMPANIES = ['Northwind Traders', 'Contoso', 'Fabrikam', 'Tailspin Toys', 'Wide World Importers'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'Support'];
const POSITIONS = ['Engineer', 'Senior Engineer', 'Manager', 'Director', 'Analyst', 'Account Executive', 'Support Agent', 'Accountant'];

export interface SeedSummary {
  employees: number;
  companies: number;
  departments: number;
  positions: number;
}

/**
 * A directory that looks like a real one: 5 companies of 4 departments, 8 positions, and
 * `count` employees spread over them (a few without a department or position, a tenth not
 * active, some with phones). Deterministic, so every run and both engines hold the same rows.
 * Plain multi-row INSERTs of 1,000 rows: seeding through the service (one transaction and one
 * audit event per employee) would take longer than the whole benchmark.
 */
export async function seedEmployees(database: Database, count: number): Promise<SeedSummary> {
  const insertNamed = async (table: string, names: string[], extra?: { column: string; value: string }) => {
    const cols = ['name', 'name_normalized', ...(extra ? [extra.column] : [])];
    const params: string[] = [];
    const rows = names.map((name) => {
      params.push(name, name.toLowerCase(), ...(extra ? [extra.value] : []));
      return `(${cols.map((_, i) => `$${params.length - cols.length + i + 1}`).join(', ')})`;
    });
    const inserted = await database.query<{ id: string }>(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${rows.join(', ')} RETURNING id`, params);
    return inserted.map((r) => r.id);
  };

  const companyIds = await insertNamed('companies', COMPANIES);
  const departments: { id: string; companyId: string }[] = [];
  for (const companyId of companyIds) {
    const ids = await insertNamed('departments', DEPARTMENTS, { column: 'company_id', value: companyId });
    departments.push(...ids.map((id) => ({ id, companyId })));
  }
  const positionIds = await insertNamed('positions', POSITIONS);

  const columns = ['email', 'email_normalized', 'first_name', 'last_name', 'phone', 'company_id', 'department_id', 'position_id', 'status', 'source'];
  const BATCH = 1000;
  for (let start = 0; start < count; start += BATCH) {
    const params: unknown[] = [];
    const rows: string[] = [];
    for (let i = start; i < Math.min(start + BATCH, count); i++) {
      // Multiplicative hashing spreads names so that neighbours in the table are not neighbours alphabetically.
      const h = Math.imul(i + 1, 2654435761) >>> 0;
      const first = FIRST_NAMES[h % FIRST_NAMES.length];
      const last = LAST_NAMES[(h >>> 8) % LAST_NAMES.length];
      const email = `${first}.${last}.${i}@example.com`;
      const dept = i % 25 === 0 ? null : departments[(h >>> 16) % departments.length];
      const companyId = dept?.companyId ?? companyIds[i % companyIds.length];
      const status = i % 10 === 0 ? (i % 30 === 0 ? 'disabled' : 'deactivated') : 'active';
      params.push(
        email,
        email.toLowerCase(),
        first,
        last,
        i % 3 === 0 ? `+41 44 ${String(1_000_000 + i).slice(1)}` : null,
        companyId,
        dept?.id ?? null,
        i % 20 === 0 ? null : positionIds[(h >>> 4) % positionIds.length],
        status,
        i % 2 ? 'directory' : 'manual',
      );
      rows.push(`(${columns.map((_, c) => `$${params.length - columns.length + c + 1}`).join(', ')})`);
    }
    await database.query(`INSERT INTO employees (${columns.join(', ')}) VALUES ${rows.join(', ')}`, params);
  }
  return { employees: count, companies: companyIds.length, departments: departments.length, positions: positionIds.length };
}
