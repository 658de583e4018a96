import { sql } from 'drizzle-orm';
import { index, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../db/columns.js';
import { directoryDomains } from '../directory/directory.tables.js';
import { employees } from '../employees/employee.tables.js';

/**
 * A group of employees: imported from a directory (domainId and externalId set: AD objectGUID,
 * Entra object id, so a rename in the directory follows) or local, managed in the console
 * (domainId null). Directory groups are owned by their domain's sync: their members are replaced at
 * every sync, and the console cannot change them.
 */
export const groups = pgTable(
  'groups',
  {
    id: id(),
    name: text('name').notNull(),
    nameNormalized: text('name_normalized').notNull(),
    description: text('description'),
    domainId: uuid('domain_id').references(() => directoryDomains.id, { onDelete: 'cascade' }),
    externalId: text('external_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('groups_domain_external_key').on(t.domainId, t.externalId),
    uniqueIndex('groups_local_name_key').on(t.nameNormalized).where(sql`${t.domainId} IS NULL`),
    index('groups_name_idx').on(t.nameNormalized),
  ],
);

/** Who is in a group: for a directory group, transitively (nested groups resolved by the sync). */
export const groupMembers = pgTable(
  'group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    employeeId: uuid('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.employeeId] }), index('group_members_employee_idx').on(t.employeeId)],
);
