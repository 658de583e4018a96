CREATE TABLE "key_access_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"user_verification_required" boolean DEFAULT true NOT NULL,
	"min_pin_length" integer,
	"allowed_aaguids" text[] DEFAULT '{}'::text[] NOT NULL,
	"reauth_minutes" integer DEFAULT 480 NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vault_account_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"employee_id" uuid,
	"department_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vault_account_assignments_one_check" CHECK (("vault_account_assignments"."employee_id" IS NULL) <> ("vault_account_assignments"."department_id" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "vault_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"employee_id" uuid,
	"name" text NOT NULL,
	"urls" text[] DEFAULT '{}'::text[] NOT NULL,
	"login" text,
	"password" text,
	"otp_secret" text,
	"notes" text,
	"workstation_use" boolean DEFAULT false NOT NULL,
	"template_id" uuid,
	"source" text DEFAULT 'console' NOT NULL,
	"password_changed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vault_accounts_owner_check" CHECK (("vault_accounts"."kind" = 'personal' AND "vault_accounts"."employee_id" IS NOT NULL) OR ("vault_accounts"."kind" = 'shared' AND "vault_accounts"."employee_id" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "vault_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"name_normalized" text NOT NULL,
	"urls" text[] DEFAULT '{}'::text[] NOT NULL,
	"login_hint" text,
	"source" text DEFAULT 'console' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "access_profile_id" uuid;--> statement-breakpoint
ALTER TABLE "vault_account_assignments" ADD CONSTRAINT "vault_account_assignments_account_id_vault_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."vault_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vault_account_assignments" ADD CONSTRAINT "vault_account_assignments_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vault_account_assignments" ADD CONSTRAINT "vault_account_assignments_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vault_accounts" ADD CONSTRAINT "vault_accounts_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vault_accounts" ADD CONSTRAINT "vault_accounts_template_id_vault_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."vault_templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "key_access_profiles_name_key" ON "key_access_profiles" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "key_access_profiles_default_key" ON "key_access_profiles" USING btree ("is_default") WHERE is_default;--> statement-breakpoint
CREATE UNIQUE INDEX "vault_account_assignments_employee_key" ON "vault_account_assignments" USING btree ("account_id","employee_id");--> statement-breakpoint
CREATE UNIQUE INDEX "vault_account_assignments_department_key" ON "vault_account_assignments" USING btree ("account_id","department_id");--> statement-breakpoint
CREATE INDEX "vault_account_assignments_employee_idx" ON "vault_account_assignments" USING btree ("employee_id");--> statement-breakpoint
CREATE INDEX "vault_account_assignments_department_idx" ON "vault_account_assignments" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "vault_accounts_employee_idx" ON "vault_accounts" USING btree ("employee_id");--> statement-breakpoint
CREATE UNIQUE INDEX "vault_templates_name_key" ON "vault_templates" USING btree ("name_normalized");--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD CONSTRAINT "hardware_keys_access_profile_id_key_access_profiles_id_fk" FOREIGN KEY ("access_profile_id") REFERENCES "public"."key_access_profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hardware_keys_access_profile_idx" ON "hardware_keys" USING btree ("access_profile_id");