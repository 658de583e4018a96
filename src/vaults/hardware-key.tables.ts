import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../db/columns.js';
import { employees } from '../employees/employee.tables.js';

/**
 * A hardware key held by an employee: the minimal record rotation needs ("holds an active key").
 * The full key lifecycle (vaults) builds on this table later.
 */
export const hardwareKeys = pgTable(
  'hardware_keys',
  {
    id: id(),
    serial: text('serial').notNull(),
    employeeId: uuid('employee_id').references(() => employees.id, { onDelete: 'set null' }),
    /** active | inactive */
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('hardware_keys_serial_key').on(t.serial), index('hardware_keys_employee_idx').on(t.employeeId)],
);
