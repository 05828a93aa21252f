CREATE TABLE "segment_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"status" text DEFAULT 'NEW' NOT NULL,
	"segment_ids" text[] NOT NULL,
	"realized" integer DEFAULT 0 NOT NULL,
	"existing" integer DEFAULT 0 NOT NULL,
	"exited" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"evaluated_at" timestamp (3) with time zone,
	"created_by" text,
	"trace_parent" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp (3) with time zone,
	"creation_time" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"start_time" timestamp (3) with time zone,
	"end_time" timestamp (3) with time zone,
	"update_time" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "segment_jobs_queue_idx" ON "segment_jobs" USING btree ("creation_time","id") WHERE "segment_jobs"."status" in ('NEW', 'PROCESSING');--> statement-breakpoint
CREATE INDEX "segment_jobs_tenant_live_idx" ON "segment_jobs" USING btree ("org_id","sandbox_name","status") WHERE "segment_jobs"."status" in ('NEW', 'PROCESSING');--> statement-breakpoint
CREATE INDEX "segment_jobs_segment_ids_idx" ON "segment_jobs" USING gin ("segment_ids");