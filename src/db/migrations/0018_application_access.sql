CREATE TABLE "application_access" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"protocol" text NOT NULL,
	"mode" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "application_assignments" (
	"application_id" uuid NOT NULL,
	"protocol" text NOT NULL,
	"kind" text NOT NULL,
	"target_id" uuid NOT NULL,
	CONSTRAINT "application_assignments_application_id_kind_target_id_pk" PRIMARY KEY("application_id","kind","target_id")
);
--> statement-breakpoint
CREATE INDEX "application_assignments_target_idx" ON "application_assignments" USING btree ("kind","target_id");