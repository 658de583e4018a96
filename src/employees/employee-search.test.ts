/**
 * The employees list's search and count as an admin's console drives them: `q` matched anywhere in
 * the e-mail, full name or phone with hostile input taken literally or refused with a 400; the
 * count stopping at 10,000; and on PostgreSQL at 100,000 employees, the plan served by the trigram
 * indexes instead of a scan of the table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asc } from 'drizzle-orm';
import { ENGINES } from '../../test/helpers/db.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { EMPLOYEE_COUNT_CAP, searchCondition } from './employee.repository.js';
import { employees } from './employee.tables.js';

/** Inserts `n` employees in one statement: bulk<i>@load.example, "Load<i> Person", no phone. */
async function insertMany(t: TestApp, n: number, from = 0) {
  await t.db.database.query(
    `INSERT INTO employees (email, email_normalized, first_name, last_name, status, source)
     SELECT 'bulk' || i || '@load.example', 'bulk' || i || '@load.example', 'Load' || i, 'Person', 'active', 'manual'
     FROM generate_series($1::int, $2::int) AS i`,
    [from, from + n - 1],
  );
}

const search = async (c: Client, q: string) => {
  const res = await c.get(`/api/employees?pageSize=100&q=${encodeURIComponent(q)}`);
  assert.equal(res.status, 200, `q=${JSON.stringify(q)} answers 200 (${JSON.stringify(res.body)})`);
  return (res.body.items as { lastName: string }[]).map((e) => e.lastName).sort();
};

for (const engine of ENGINES) {
  describe(`employee search (${engine})`, () => {
    let t: TestApp;
    let c: Client;
    before(async () => {
      t = await createTestApp({ engine });
      c = await signedInAdmin(t);
      const people = [
        ['Percy', '100%', 'percy@corp.example', '+1 555 0100'],
        ['Una', 'O_Neil', 'una.oneil@corp.example', null],
        ['Bea', 'Back\\Slash', 'bea@corp.example', '+1 555 0199'],
        ['Xavier', 'Plain', 'x_plain@corp.example', null],
        ['Zoë', 'Ångström', 'zoe@corp.example', '+46 8 123 456'],
      ];
      for (const [firstName, lastName, email, phone] of people) {
        const res = await c.post('/api/employees', { firstName, lastName, email, ...(phone ? { phone } : {}) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
    });
    after(() => t.close());

    it('matches anywhere in the e-mail, the full name or the phone, ignoring case', async () => {
      assert.deepEqual(await search(c, 'PERCY'), ['100%'], 'the first name, in any case');
      assert.deepEqual(await search(c, 'cy 10'), ['100%'], 'across first and last name');
      assert.deepEqual(await search(c, 'oneil@'), ['O_Neil'], 'the e-mail');
      assert.deepEqual(await search(c, '555 01'), ['100%', 'Back\\Slash'], 'the phone');
      assert.deepEqual(await search(c, 'ångström'), ['Ångström'], 'letters outside ASCII, any case');
      assert.deepEqual(await search(c, 'nobody'), []);
    });

    it('takes %, _ and backslash literally', async () => {
      assert.deepEqual(await search(c, '%'), ['100%']);
      assert.deepEqual(await search(c, '_'), ['O_Neil', 'Plain'], 'O_Neil, and x_plain in the e-mail');
      assert.deepEqual(await search(c, 'O_N'), ['O_Neil']);
      assert.deepEqual(await search(c, 'O%N'), [], '% is not a wildcard');
      assert.deepEqual(await search(c, 'P_rcy'), [], '_ is not a wildcard');
      assert.deepEqual(await search(c, '\\'), ['Back\\Slash']);
      assert.deepEqual(await search(c, 'k\\S'), ['Back\\Slash']);
      assert.deepEqual(await search(c, '\\%'), [], 'a backslash does not escape the next character');
      assert.deepEqual(await search(c, "'; DROP TABLE employees; --"), []);
    });

    it('refuses a NUL character and a search longer than 200 characters with a 400', async () => {
      const nul = await c.get('/api/employees?q=a%00b');
      assert.equal(nul.status, 400);
      assert.equal(nul.body.error.code, 'request.invalid_text');
      const long = await c.get(`/api/employees?q=${'a'.repeat(201)}`);
      assert.equal(long.status, 400);
      assert.equal(long.body.error.code, 'request.validation_failed', JSON.stringify(long.body));
      assert.deepEqual(await search(c, 'a'.repeat(200)), [], '200 characters is a search like any other');
    });

    it('counts up to 10,000 and then says there are more', { timeout: 120_000 }, async () => {
      await insertMany(t, EMPLOYEE_COUNT_CAP + 5);
      const all = await c.get('/api/employees?pageSize=50');
      assert.equal(all.status, 200);
      assert.equal(all.body.total, EMPLOYEE_COUNT_CAP);
      assert.equal(all.body.isTotalCapped, true, 'more match than were counted');
      assert.equal(all.body.items.length, 50);
      const last = await c.get(`/api/employees?pageSize=500&page=${Math.ceil((EMPLOYEE_COUNT_CAP + 10) / 500)}`);
      assert.equal(last.body.items.length, (EMPLOYEE_COUNT_CAP + 10) % 500, 'pages past the cap still list the rest');
      const narrowed = await c.get('/api/employees?q=load999');
      assert.deepEqual([narrowed.body.total, narrowed.body.isTotalCapped], [11, false], 'load999 and load9990–load9999: counted exactly');
      const few = await c.get('/api/employees?q=corp.example');
      assert.deepEqual([few.body.total, few.body.isTotalCapped], [5, false]);
    });
  });
}

describe('employee search plan (postgres, 100,000 employees)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ engine: 'postgres' });
    await insertMany(t, 100_000);
    await t.db.database.query('ANALYZE employees');
  });
  after(() => t.close());

  it('is answered from the trigram indexes, not by reading the table', { timeout: 120_000 }, async () => {
    const query = t.services.db
      .select({ id: employees.id })
      .from(employees)
      .where(searchCondition('load4242'))
      .orderBy(asc(employees.lastName), asc(employees.firstName), asc(employees.id))
      .limit(50)
      .toSQL();
    const [row] = await t.db.database.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${query.sql}`, query.params);
    const plan = JSON.stringify(row['QUERY PLAN']);
    for (const index of ['employees_email_trgm_idx', 'employees_full_name_trgm_idx', 'employees_phone_trgm_idx']) {
      assert.ok(plan.includes(`"Index Name":"${index}"`), `the plan uses ${index}: ${plan}`);
    }
    assert.ok(!plan.includes('"Node Type":"Seq Scan"'), `no sequential scan of employees: ${plan}`);
    const c = await signedInAdmin(t);
    const found = await c.get('/api/employees?q=load4242');
    assert.deepEqual(
      found.body.items.map((e: { email: string }) => e.email).sort(),
      ['bulk4242@load.example', ...Array.from({ length: 10 }, (_, k) => `bulk4242${k}@load.example`)].sort(),
    );
  });
});
