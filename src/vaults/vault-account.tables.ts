import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../db/columns.js';
import { departments, employees } from '../employees/employee.tables.js';

/**
 * Templates: an application's name and URLs, ready for an employee (or an admin) to fill in with a
 * login and a password. `source` is 'console' or 'config' (declared in the declarative file, which
 * then owns it).
 */
export const vaultTemplates = pgTable(
  'vault_templates',
  {
    id: id(),
    name: text('name').notNull(),
    nameNormalized: text('name_normalized').notNull(),
    urls: text('urls').array().notNull().default(sql`'{}'::text[]`),
    /** What to type as the login ("your e-mail address", "first.last"), shown when filling in. */
    loginHint: text('login_hint'),
    source: text('source').notNull().default('console'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('vault_templates_name_key').on(t.nameNormalized)],
);

/**
 * Vault accounts (issue 14 item 5). `kind` personal: one employee's own (`employee_id` their
 * owner); shared: one record an admin assigns to many employees (vault_account_assignments), so a
 * change reaches all of them at once. The three secrets are sealed with the server's sealer under
 * `vault_accounts.<column>:<id>` (vaultAad), never stored or logged in clear.
 */
export const vaultAccounts = pgTable(
  'vault_accounts',
  {
    id: id(),
    /** personal | shared */
    kind: text('kind').$type<'personal' | 'shared'>().notNull(),
    /** The owner of a personal account; null for a shared one. */
    employeeId: uuid('employee_id').references(() => employees.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    urls: text('urls').array().notNull().default(sql`'{}'::text[]`),
    login: text('login'),
    /** Sealed (vault_accounts.password:<id>). */
    password: text('password'),
    /** Sealed base32 TOTP secret with its parameters, as JSON (vault_accounts.otp_secret:<id>). */
    otpSecret: text('otp_secret'),
    /** Sealed (vault_accounts.notes:<id>). */
    notes: text('notes'),
    /** Delivered to the workstation at logon with the directory password (issue 14 item 6). */
    workstationUse: boolean('workstation_use').notNull().default(false),
    templateId: uuid('template_id').references(() => vaultTemplates.id, { onDelete: 'set null' }),
    /** 'console', 'portal' or 'config' (a shared account the declarative file declares). */
    source: text('source').notNull().default('console'),
    passwordChangedAt: at('password_changed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('vault_accounts_employee_idx').on(t.employeeId),
    check('vault_accounts_owner_check', sql`(${t.kind} = 'personal' AND ${t.employeeId} IS NOT NULL) OR (${t.kind} = 'shared' AND ${t.employeeId} IS NULL)`),
  ],
);

/**
 * Who holds a shared account: an employee, or every employee of a department (exactly one of the
 * two a row). Deleting the row revokes at once: every read goes through this table.
 */
export const vaultAccountAssignments = pgTable(
  'vault_account_assignments',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => vaultAccounts.id, { onDelete: 'cascade' }),
    employeeId: uuid('employee_id').references(() => employees.id, { onDelete: 'cascade' }),
    departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('vault_account_assignments_employee_key').on(t.accountId, t.employeeId),
    uniqueIndex('vault_account_assignments_department_key').on(t.accountId, t.departmentId),
    index('vault_account_assignments_employee_idx').on(t.employeeId),
    index('vault_account_assignments_department_idx').on(t.departmentId),
    check('vault_account_assignments_one_check', sql`(${t.employeeId} IS NULL) <> (${t.departmentId} IS NULL)`),
  ],
);
