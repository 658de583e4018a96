CREATE TABLE "saml_pending" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "saml_seen_requests" (
	"key" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "saml_service_providers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"protocol" text NOT NULL,
	"name" text NOT NULL,
	"entity_id" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"preset" text,
	"acs_endpoints" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"slo_url" text,
	"slo_binding" text,
	"certificates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"name_id_format" text NOT NULL,
	"name_id_field" text NOT NULL,
	"attributes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sign_response" boolean DEFAULT true NOT NULL,
	"sign_assertion" boolean DEFAULT true NOT NULL,
	"encrypt_assertion" boolean DEFAULT false NOT NULL,
	"require_signed_requests" boolean DEFAULT false NOT NULL,
	"clock_skew_seconds" integer DEFAULT 120 NOT NULL,
	"session_lifetime_minutes" integer DEFAULT 480 NOT NULL,
	"idp_initiated" boolean DEFAULT false NOT NULL,
	"start_url" text,
	"token_type" text,
	"source" text DEFAULT 'console' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "saml_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"employee_id" uuid NOT NULL,
	"session_id" text NOT NULL,
	"sp_id" uuid NOT NULL,
	"name_id" text NOT NULL,
	"name_id_format" text NOT NULL,
	"session_index" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "saml_signing_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"private_key" text NOT NULL,
	"certificate" text NOT NULL,
	"activates_at" timestamp with time zone NOT NULL,
	"retires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "saml_sessions" ADD CONSTRAINT "saml_sessions_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saml_sessions" ADD CONSTRAINT "saml_sessions_sp_id_saml_service_providers_id_fk" FOREIGN KEY ("sp_id") REFERENCES "public"."saml_service_providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "saml_pending_expires_idx" ON "saml_pending" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "saml_seen_requests_expires_idx" ON "saml_seen_requests" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "saml_service_providers_entity_key" ON "saml_service_providers" USING btree ("protocol","entity_id");--> statement-breakpoint
CREATE INDEX "saml_sessions_session_idx" ON "saml_sessions" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "saml_sessions_index_key" ON "saml_sessions" USING btree ("session_index");