import { index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { updatedAt } from '../db/columns.js';

/**
 * Who may use an SSO application (an OIDC client, a SAML service provider or a WS-Fed relying
 * party). An application without a row here is open to every employee: that is the default for
 * applications registered before assignment existed and for new ones. Mode 'assigned' opens it
 * only to the grants in application_assignments (none: nobody). Keyed like application icons by
 * the application's UUID in its protocol's own table; the protocol's removal of the application
 * removes these rows through the access service (no foreign key spans the three tables).
 */
export const applicationAccess = pgTable('application_access', {
  applicationId: uuid('application_id').primaryKey(),
  protocol: text('protocol').notNull(),
  /** 'everyone' | 'assigned'. */
  mode: text('mode').notNull(),
  updatedAt: updatedAt(),
});

/**
 * One grant of an application: to a group (its members, directory or local), a department (its
 * employees) or one employee. The target is a UUID of its own table, never reused; a grant whose
 * target was deleted matches nobody and is left out of every answer.
 */
export const applicationAssignments = pgTable(
  'application_assignments',
  {
    applicationId: uuid('application_id').notNull(),
    protocol: text('protocol').notNull(),
    /** 'group' | 'department' | 'employee'. */
    kind: text('kind').notNull(),
    targetId: uuid('target_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.kind, t.targetId] }), index('application_assignments_target_idx').on(t.kind, t.targetId)],
);
