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
ALTER TABLE "hardware_keys" ADD COLUMN "access_profile_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "key_access_profiles_name_key" ON "key_access_profiles" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "key_access_profiles_default_key" ON "key_access_profiles" USING btree ("is_default") WHERE is_default;--> statement-breakpoint
ALTER TABLE "hardware_keys" ADD CONSTRAINT "hardware_keys_access_profile_id_key_access_profiles_id_fk" FOREIGN KEY ("access_profile_id") REFERENCES "public"."key_access_profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hardware_keys_access_profile_idx" ON "hardware_keys" USING btree ("access_profile_id");