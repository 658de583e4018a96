import { sql } from 'drizzle-orm';
import { timestamp, uuid } from 'drizzle-orm/pg-core';

/** Column helpers every feature's tables file shares, so a column reads the same in every table. */

/** A random UUID primary key, assigned by the database. */
export const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
/** A nullable point in time (`timestamptz`). */
export const at = (name: string) => timestamp(name, { withTimezone: true });
