CREATE TABLE "agent_assertion_ids" (
	"jti" text PRIMARY KEY NOT NULL,
	"workstation_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstation_commands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workstation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"reason" text,
	"issued_by" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"result" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstation_emergency" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"reason" text,
	"changed_by" text,
	"changed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workstation_enrolment_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"max_uses" integer DEFAULT 1 NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"auto_approve" boolean DEFAULT false NOT NULL,
	"department_id" uuid,
	"profile_id" uuid,
	"created_by" text,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstation_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workstation_id" uuid NOT NULL,
	"event_key" text NOT NULL,
	"type" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"account" text,
	"method" text,
	"os_session_id" text,
	"remote_address" text,
	"employee_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstation_profile_departments" (
	"department_id" uuid PRIMARY KEY NOT NULL,
	"profile_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstation_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"name_normalized" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"idle_lock_minutes" integer DEFAULT 0 NOT NULL,
	"lock_on_session_end" boolean DEFAULT true NOT NULL,
	"unlock_methods" jsonb NOT NULL,
	"rdp_allowed" boolean DEFAULT true NOT NULL,
	"offline_logon_days" integer DEFAULT 7 NOT NULL,
	"deactivated_employees_may_unlock" boolean DEFAULT true NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstation_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workstation_id" uuid NOT NULL,
	"employee_id" uuid,
	"account" text NOT NULL,
	"os_session_id" text,
	"remote" boolean DEFAULT false NOT NULL,
	"method" text DEFAULT 'unknown' NOT NULL,
	"methods" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"locked_seconds" integer DEFAULT 0 NOT NULL,
	"lock_count" integer DEFAULT 0 NOT NULL,
	"locked_since" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workstations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"hostname" text NOT NULL,
	"domain" text,
	"os_name" text NOT NULL,
	"os_version" text NOT NULL,
	"agent_version" text NOT NULL,
	"machine_id" text NOT NULL,
	"public_key" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"department_id" uuid,
	"profile_id" uuid,
	"enrolment_token_id" uuid,
	"approved_at" timestamp with time zone,
	"approved_by" text,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"connected_node" text,
	"connected_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"last_address" text,
	"emergency_version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workstation_commands" ADD CONSTRAINT "workstation_commands_workstation_id_workstations_id_fk" FOREIGN KEY ("workstation_id") REFERENCES "public"."workstations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_enrolment_tokens" ADD CONSTRAINT "workstation_enrolment_tokens_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_enrolment_tokens" ADD CONSTRAINT "workstation_enrolment_tokens_profile_id_workstation_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."workstation_profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_events" ADD CONSTRAINT "workstation_events_workstation_id_workstations_id_fk" FOREIGN KEY ("workstation_id") REFERENCES "public"."workstations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_events" ADD CONSTRAINT "workstation_events_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_profile_departments" ADD CONSTRAINT "workstation_profile_departments_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_profile_departments" ADD CONSTRAINT "workstation_profile_departments_profile_id_workstation_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."workstation_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_sessions" ADD CONSTRAINT "workstation_sessions_workstation_id_workstations_id_fk" FOREIGN KEY ("workstation_id") REFERENCES "public"."workstations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstation_sessions" ADD CONSTRAINT "workstation_sessions_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstations" ADD CONSTRAINT "workstations_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstations" ADD CONSTRAINT "workstations_profile_id_workstation_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."workstation_profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workstations" ADD CONSTRAINT "workstations_enrolment_token_id_workstation_enrolment_tokens_id_fk" FOREIGN KEY ("enrolment_token_id") REFERENCES "public"."workstation_enrolment_tokens"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_assertion_ids_expiry_idx" ON "agent_assertion_ids" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "workstation_commands_workstation_idx" ON "workstation_commands" USING btree ("workstation_id","created_at");--> statement-breakpoint
CREATE INDEX "workstation_commands_open_idx" ON "workstation_commands" USING btree ("state") WHERE state in ('queued', 'sent');--> statement-breakpoint
CREATE UNIQUE INDEX "workstation_enrolment_tokens_hash_key" ON "workstation_enrolment_tokens" USING btree ("secret_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "workstation_events_key" ON "workstation_events" USING btree ("workstation_id","event_key");--> statement-breakpoint
CREATE INDEX "workstation_events_time_idx" ON "workstation_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "workstation_events_workstation_idx" ON "workstation_events" USING btree ("workstation_id","occurred_at");--> statement-breakpoint
CREATE INDEX "workstation_events_employee_idx" ON "workstation_events" USING btree ("employee_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workstation_profiles_name_key" ON "workstation_profiles" USING btree ("name_normalized");--> statement-breakpoint
CREATE UNIQUE INDEX "workstation_profiles_default_key" ON "workstation_profiles" USING btree ("is_default") WHERE is_default;--> statement-breakpoint
CREATE INDEX "workstation_sessions_workstation_idx" ON "workstation_sessions" USING btree ("workstation_id","started_at");--> statement-breakpoint
CREATE INDEX "workstation_sessions_employee_idx" ON "workstation_sessions" USING btree ("employee_id","started_at");--> statement-breakpoint
CREATE INDEX "workstation_sessions_open_idx" ON "workstation_sessions" USING btree ("workstation_id") WHERE ended_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "workstations_machine_id_key" ON "workstations" USING btree ("machine_id");--> statement-breakpoint
CREATE INDEX "workstations_status_idx" ON "workstations" USING btree ("status");--> statement-breakpoint
CREATE INDEX "workstations_name_idx" ON "workstations" USING btree ("name");--> statement-breakpoint
CREATE INDEX "workstations_department_idx" ON "workstations" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "workstations_profile_idx" ON "workstations" USING btree ("profile_id");