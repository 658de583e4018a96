CREATE TABLE "oidc_session_links" (
	"tessera_session_id" text NOT NULL,
	"provider_session_uid" text NOT NULL,
	"account_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "oidc_session_links_tessera_session_id_provider_session_uid_pk" PRIMARY KEY("tessera_session_id","provider_session_uid")
);
--> statement-breakpoint
CREATE INDEX "oidc_session_links_expires_idx" ON "oidc_session_links" USING btree ("expires_at");