CREATE TABLE "segment_definitions" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"expression_type" text NOT NULL,
	"expression_format" text NOT NULL,
	"expression_value" text NOT NULL,
	"merge_policy_id" text NOT NULL,
	"segment_ns" text DEFAULT 'ups' NOT NULL,
	"schema" jsonb NOT NULL,
	"creation_time" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"update_time" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "segment_definitions_tenant_page_idx" ON "segment_definitions" USING btree ("org_id","sandbox_name","creation_time","id");