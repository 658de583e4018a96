import { customType, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { updatedAt } from '../db/columns.js';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/**
 * The icon an administrator uploaded for an SSO application (an OIDC client, a SAML service
 * provider or a WS-Fed relying party), shown on the employee's portal. Keyed by the application's
 * id, which is a UUID in each protocol's own table; the protocol's removal of the application
 * removes its icon (through the icon service), so no foreign key spans the three tables.
 */
export const applicationIcons = pgTable('application_icons', {
  applicationId: uuid('application_id').primaryKey(),
  protocol: text('protocol').notNull(),
  contentType: text('content_type').notNull(),
  data: bytea('data').notNull(),
  updatedAt: updatedAt(),
});
