-- Sharded exports (issue 15): a big export is split at its start into parts, key ranges of the
-- profile id, each claimed and run by any runner with its own lease, checkpoint and counters.
CREATE TABLE "export_job_parts" (
	"job_id" bigint NOT NULL,
	"part" integer NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"after_profile_id" text,
	"up_to_profile_id" text,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"checkpoint_profile_id" text,
	"processed_profiles" integer DEFAULT 0 NOT NULL,
	"exported_profiles" integer DEFAULT 0 NOT NULL,
	"exported_profiles_by_namespace" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"records_by_batch" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp (3) with time zone,
	"error" text,
	CONSTRAINT "export_job_parts_job_id_part_pk" PRIMARY KEY("job_id","part"),
	CONSTRAINT "export_job_parts_status_check" CHECK ("export_job_parts"."status" in ('PENDING', 'RUNNING', 'DONE', 'FAILED', 'ENDED'))
);
--> statement-breakpoint
ALTER TABLE "export_job_parts" ADD CONSTRAINT "export_job_parts_job_id_export_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."export_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "export_job_parts_queue_idx" ON "export_job_parts" USING btree ("job_id") WHERE "export_job_parts"."status" in ('PENDING', 'RUNNING');