CREATE TABLE "batch_records" (
	"batch_id" text NOT NULL,
	"profile_id" text NOT NULL,
	"record" jsonb NOT NULL,
	CONSTRAINT "batch_records_batch_id_profile_id_pk" PRIMARY KEY("batch_id","profile_id")
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"dataset_id" text NOT NULL,
	"job_id" bigint NOT NULL,
	"segment_id" text,
	"segment_ns" text,
	"status" text DEFAULT 'LOADING' NOT NULL,
	"record_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "batches_status_check" CHECK ("batches"."status" in ('LOADING', 'SUCCESS', 'FAILED', 'ABORTED'))
);
--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "locked_by" text;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "locked_until" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "batches_dataset_page_idx" ON "batches" USING btree ("org_id","sandbox_name","dataset_id","created_at","id");--> statement-breakpoint
CREATE INDEX "batches_job_idx" ON "batches" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "export_jobs_queue_idx" ON "export_jobs" USING btree ("creation_time","id") WHERE "export_jobs"."status" in ('NEW', 'PROCESSING', 'CANCELLING');