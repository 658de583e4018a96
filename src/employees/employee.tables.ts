import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../db/columns.js';

export const companies = pgTable(
  'companies',
  {
    id: id(),
    name: text('name').notNull(),
    nameNormalized: text('name_normalized').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('companies_name_key').on(t.nameNormalized)],
);

export const departments = pgTable(
  'departments',
  {
    id: id(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nameNormalized: text('name_normalized').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('departments_company_name_key').on(t.companyId, t.nameNormalized)],
);

export const positions = pgTable(
  'positions',
  {
    id: id(),
    name: text('name').notNull(),
    nameNormalized: text('name_normalized').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('positions_name_key').on(t.nameNormalized)],
);

export const employees = pgTable(
  'employees',
  {
    id: id(),
    email: text('email').notNull(),
    emailNormalized: text('email_normalized').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    phone: text('phone'),
    companyId: uuid('company_id').references(() => companies.id, { onDelete: 'restrict' }),
    departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'restrict' }),
    positionId: uuid('position_id').references(() => positions.id, { onDelete: 'restrict' }),
    status: text('status').notNull().default('active'),
    /** 'manual', or the id of the directory domain that imported the employee. */
    source: text('source').notNull().default('manual'),
    /**
     * The employee's own SSO settings, each null = "follow the domain default" (the importing
     * domain's ssoEnabled / ssoMethod; see src/sso/app-access.ts). A value set here sticks when
     * the domain default changes.
     */
    ssoEnabled: boolean('sso_enabled'),
    ssoMethod: text('sso_method').$type<'passwordless' | 'password_2fa'>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('employees_email_normalized_key').on(t.emailNormalized),
    index('employees_last_name_idx').on(t.lastName, t.firstName),
    index('employees_status_idx').on(t.status),
    index('employees_company_idx').on(t.companyId),
    index('employees_created_idx').on(t.createdAt),
    // The list's search (`q`, ILIKE '%…%'): trigram indexes (pg_trgm, created by migration 0023)
    // on what it matches, the full name as the one expression the repository writes.
    index('employees_email_trgm_idx').using('gin', sql`${t.emailNormalized} gin_trgm_ops`),
    index('employees_full_name_trgm_idx').using('gin', sql`(${t.firstName} || ' ' || ${t.lastName}) gin_trgm_ops`),
    index('employees_phone_trgm_idx').using('gin', sql`${t.phone} gin_trgm_ops`),
  ],
);
