CREATE TABLE "experience_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "experience_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"profile_id" text NOT NULL,
	"ingest_time" timestamp (3) with time zone NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profiles" (
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"profile_id" text NOT NULL,
	"identities" jsonb NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"has_profile_record" boolean DEFAULT true NOT NULL,
	CONSTRAINT "profiles_org_id_sandbox_name_profile_id_pk" PRIMARY KEY("org_id","sandbox_name","profile_id")
);
--> statement-breakpoint
CREATE TABLE "segment_memberships" (
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"profile_id" text NOT NULL,
	"segment_id" text NOT NULL,
	"segment_ns" text NOT NULL,
	"status" text NOT NULL,
	"qualification_time" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "segment_memberships_org_id_sandbox_name_profile_id_segment_id_segment_ns_pk" PRIMARY KEY("org_id","sandbox_name","profile_id","segment_id","segment_ns"),
	CONSTRAINT "segment_memberships_status_check" CHECK ("segment_memberships"."status" in ('REALIZED', 'EXISTING', 'EXITED'))
);
--> statement-breakpoint
CREATE INDEX "experience_events_profile_idx" ON "experience_events" USING btree ("org_id","sandbox_name","profile_id","ingest_time");--> statement-breakpoint
CREATE INDEX "segment_memberships_segment_idx" ON "segment_memberships" USING btree ("org_id","sandbox_name","segment_id","profile_id");