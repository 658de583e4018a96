CREATE TABLE "group_members" (
	"group_id" uuid NOT NULL,
	"employee_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_members_group_id_employee_id_pk" PRIMARY KEY("group_id","employee_id")
);
--> statement-breakpoint
CREATE TABLE "groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"name_normalized" text NOT NULL,
	"description" text,
	"domain_id" uuid,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_domain_id_directory_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."directory_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_members_employee_idx" ON "group_members" USING btree ("employee_id");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_domain_external_key" ON "groups" USING btree ("domain_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_local_name_key" ON "groups" USING btree ("name_normalized") WHERE "groups"."domain_id" IS NULL;--> statement-breakpoint
CREATE INDEX "groups_name_idx" ON "groups" USING btree ("name_normalized");