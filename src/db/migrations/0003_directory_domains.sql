CREATE TABLE "directory_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"employee_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"username" text NOT NULL,
	"upn" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_enabled" boolean DEFAULT true NOT NULL,
	"is_member" boolean DEFAULT true NOT NULL,
	"is_rotation_member" boolean DEFAULT false NOT NULL,
	"password_changed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_domains" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"name_normalized" text NOT NULL,
	"sync_group" text NOT NULL,
	"rotation_group" text NOT NULL,
	"password_change_days" integer DEFAULT 30 NOT NULL,
	"removal_behaviour" text DEFAULT 'deactivate' NOT NULL,
	"removal_threshold_percent" integer DEFAULT 10 NOT NULL,
	"sso_enabled" boolean DEFAULT true NOT NULL,
	"sso_method" text DEFAULT 'passwordless' NOT NULL,
	"sync_interval_minutes" integer DEFAULT 60 NOT NULL,
	"full_sync_interval_hours" integer DEFAULT 24 NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secret" text,
	"source" text DEFAULT 'console' NOT NULL,
	"sync_cursor" text,
	"last_sync_at" timestamp with time zone,
	"last_full_sync_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"mode" text NOT NULL,
	"is_dry_run" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"error_code" text,
	"started_by" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "domain_passwords" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hardware_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"serial" text NOT NULL,
	"employee_id" uuid,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text,
	"lease_until" timestamp with time zone,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "directory_accounts" ADD CONSTRAINT "directory_accounts_domain_id_directory_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."directory_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_accounts" ADD CONSTRAINT "directory_accounts_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_sync_runs" ADD CONSTRAINT "directory_sync_runs_domain_id_directory_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."directory_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_passwords" ADD CONSTRAINT "domain_passwords_account_id_directory_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."directory_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD CONSTRAINT "hardware_keys_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "directory_accounts_domain_external_key" ON "directory_accounts" USING btree ("domain_id","external_id");--> statement-breakpoint
CREATE INDEX "directory_accounts_employee_idx" ON "directory_accounts" USING btree ("employee_id");--> statement-breakpoint
CREATE UNIQUE INDEX "directory_domains_name_key" ON "directory_domains" USING btree ("name_normalized");--> statement-breakpoint
CREATE INDEX "directory_sync_runs_domain_idx" ON "directory_sync_runs" USING btree ("domain_id","started_at");--> statement-breakpoint
CREATE INDEX "domain_passwords_account_idx" ON "domain_passwords" USING btree ("account_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "hardware_keys_serial_key" ON "hardware_keys" USING btree ("serial");--> statement-breakpoint
CREATE INDEX "hardware_keys_employee_idx" ON "hardware_keys" USING btree ("employee_id");