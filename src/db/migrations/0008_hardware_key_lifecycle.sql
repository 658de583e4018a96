CREATE TABLE "hardware_key_credentials" (
	"key_id" uuid NOT NULL,
	"credential_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hardware_key_credentials_key_id_credential_id_pk" PRIMARY KEY("key_id","credential_id")
);
--> statement-breakpoint
CREATE TABLE "hardware_key_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "hardware_key_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"key_id" uuid NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"reason" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor_label" text,
	"employee_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hardware_keys" ALTER COLUMN "status" SET DEFAULT 'ready';--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "aaguid" text;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "badge" text;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "batch" text;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "state_changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "activation_code_hash" text;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "activation_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD COLUMN "activation_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hardware_key_credentials" ADD CONSTRAINT "hardware_key_credentials_key_id_hardware_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."hardware_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hardware_key_credentials" ADD CONSTRAINT "hardware_key_credentials_credential_id_webauthn_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."webauthn_credentials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hardware_key_events" ADD CONSTRAINT "hardware_key_events_key_id_hardware_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."hardware_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hardware_key_credentials_credential_key" ON "hardware_key_credentials" USING btree ("credential_id");--> statement-breakpoint
CREATE INDEX "hardware_key_events_key_idx" ON "hardware_key_events" USING btree ("key_id","seq");--> statement-breakpoint
CREATE INDEX "hardware_keys_status_idx" ON "hardware_keys" USING btree ("status");--> statement-breakpoint
-- Existing keys keep their meaning. "active" was "held by the employee, rotation applies": it is
-- Active. "inactive" (and an "active" key whose employee was deleted) was a key taken out of use
-- after it had been handed out: Deactivated, not Ready, because nobody confirmed it was reset and
-- a key goes back to stock only after that confirmation. Each gets one history line saying so.
UPDATE "hardware_keys" SET "status" = 'deactivated' WHERE "status" <> 'active' OR "employee_id" IS NULL;--> statement-breakpoint
UPDATE "hardware_keys" SET "state_changed_at" = "updated_at";--> statement-breakpoint
INSERT INTO "hardware_key_events" ("key_id", "from_state", "to_state", "reason", "actor_type", "actor_label", "employee_id", "created_at")
SELECT "id", NULL, "status", 'registered before the key lifecycle existed (migration 0008)', 'system', 'migration', "employee_id", "updated_at" FROM "hardware_keys";
