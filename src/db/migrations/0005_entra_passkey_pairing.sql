CREATE TABLE "entra_pairing_groups" (
	"domain_id" uuid NOT NULL,
	"state" text NOT NULL,
	"group_id" text NOT NULL,
	"display_name" text NOT NULL,
	CONSTRAINT "entra_pairing_groups_domain_id_state_pk" PRIMARY KEY("domain_id","state")
);
--> statement-breakpoint
CREATE TABLE "entra_pairings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"employee_id" uuid NOT NULL,
	"entra_user_id" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"mirrored_state" text,
	"is_missing_in_entra" boolean DEFAULT false NOT NULL,
	"unpaired_at" timestamp with time zone,
	"pending_challenge" text,
	"challenge_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entra_passkeys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pairing_id" uuid NOT NULL,
	"method_id" text NOT NULL,
	"display_name" text NOT NULL,
	"aaguid" text,
	"model" text,
	"is_provisioned_by_tessera" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "entra_pairing_groups" ADD CONSTRAINT "entra_pairing_groups_domain_id_directory_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."directory_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entra_pairings" ADD CONSTRAINT "entra_pairings_domain_id_directory_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."directory_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entra_pairings" ADD CONSTRAINT "entra_pairings_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entra_passkeys" ADD CONSTRAINT "entra_passkeys_pairing_id_entra_pairings_id_fk" FOREIGN KEY ("pairing_id") REFERENCES "public"."entra_pairings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "entra_pairings_domain_employee_key" ON "entra_pairings" USING btree ("domain_id","employee_id");--> statement-breakpoint
CREATE INDEX "entra_pairings_state_idx" ON "entra_pairings" USING btree ("domain_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "entra_passkeys_pairing_method_key" ON "entra_passkeys" USING btree ("pairing_id","method_id");