CREATE TABLE "application_icons" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"protocol" text NOT NULL,
	"content_type" text NOT NULL,
	"data" "bytea" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
