import pg from 'pg';

let count = 0;
let installed = false;

/**
 * Counts the statements node-postgres sends (every `Client.query`, BEGIN and COMMIT included): the
 * round trips to PostgreSQL. PGlite runs inside the process and is not counted.
 */
export function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: number }> {
  if (!installed) {
    installed = true;
    const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      count++;
      return query.apply(this, args);
    } as typeof pg.Client.prototype.query;
  }
  const before = count;
  return fn().then((result) => ({ result, queries: count - before }));
}
