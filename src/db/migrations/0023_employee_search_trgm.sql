-- Employee search by index: pg_trgm (a trusted contrib extension since PostgreSQL 13, so the database
-- owner may create it; PGlite loads it as src/db/connection.ts pgliteExtensions says).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "employees_email_trgm_idx" ON "employees" USING gin ("email_normalized" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "employees_full_name_trgm_idx" ON "employees" USING gin (("first_name" || ' ' || "last_name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "employees_phone_trgm_idx" ON "employees" USING gin ("phone" gin_trgm_ops);