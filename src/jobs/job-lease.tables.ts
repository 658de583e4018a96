import { pgTable, text } from 'drizzle-orm/pg-core';
import { at } from '../db/columns.js';

/**
 * Leases of background jobs: a node runs a job only while it holds the row's lease, so a job runs
 * once across several nodes; a node that dies loses its lease when `lease_until` passes.
 */
export const jobLeases = pgTable('job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder'),
  leaseUntil: at('lease_until'),
  lastStartedAt: at('last_started_at'),
  lastFinishedAt: at('last_finished_at'),
  lastError: text('last_error'),
});
