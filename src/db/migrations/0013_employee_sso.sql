ALTER TABLE "employees" ADD COLUMN "sso_enabled" boolean;--> statement-breakpoint
ALTER TABLE "employees" ADD COLUMN "sso_method" text;