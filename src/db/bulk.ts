import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './connection.js';

/** Rows per multi-row statement of a bulk write: few round trips, parameters far below PostgreSQL's 65,535. */
export const BULK_ROWS = 1000;

/** `items` in slices of `size` (the last one shorter). */
export function chunked<T>(items: readonly T[], size = BULK_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Updates many rows by id in multi-row statements: `UPDATE t SET c = v.c … FROM (VALUES …) v WHERE
 * t.id = v.id`, one per set of changed columns and 1,000 rows. `set` holds JS column keys of
 * `table`; each value is mapped and cast as its column (jsonb, uuid, boolean, timestamp). `also`
 * is set on every row (updated_at).
 */
export async function updateRowsById<T extends PgTable>(
  db: Executor,
  table: T,
  rows: readonly { id: string; set: Record<string, unknown> }[],
  also: Record<string, SQL> = {},
): Promise<void> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const idColumn = columns.id;
  const groups = new Map<string, { keys: string[]; rows: { id: string; set: Record<string, unknown> }[] }>();
  for (const row of rows) {
    const keys = Object.keys(row.set)
      .filter((k) => row.set[k] !== undefined)
      .sort();
    if (keys.length === 0) continue;
    for (const k of keys) if (!columns[k] || k === 'id') throw new Error(`updateRowsById: no column ${k}`);
    const name = keys.join(',');
    const group = groups.get(name) ?? { keys, rows: [] };
    group.rows.push(row);
    groups.set(name, group);
  }
  const value = (col: PgColumn, v: unknown) =>
    v === null ? sql`NULL::${sql.raw(col.getSQLType())}` : sql`${col.mapToDriverValue(v)}::${sql.raw(col.getSQLType())}`;
  for (const { keys, rows: groupRows } of groups.values()) {
    const cols = keys.map((k) => columns[k]);
    const sets = [
      ...cols.map((c) => sql`${sql.identifier(c.name)} = v.${sql.identifier(c.name)}`),
      ...Object.entries(also).map(([k, expr]) => sql`${sql.identifier(columns[k].name)} = ${expr}`),
    ];
    const names = sql.join([sql.identifier(idColumn.name), ...cols.map((c) => sql.identifier(c.name))], sql`, `);
    for (const batch of chunked(groupRows)) {
      const values = sql.join(
        batch.map((r) => sql`(${sql.join([value(idColumn, r.id), ...keys.map((k, i) => value(cols[i], r.set[k]))], sql`, `)})`),
        sql`, `,
      );
      await db.execute(
        sql`UPDATE ${table} AS t SET ${sql.join(sets, sql`, `)} FROM (VALUES ${values}) AS v(${names}) WHERE t.${sql.identifier(idColumn.name)} = v.${sql.identifier(idColumn.name)}`,
      );
    }
  }
}
