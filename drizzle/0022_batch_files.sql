CREATE TABLE "batch_files" (
	"id" text PRIMARY KEY NOT NULL,
	"batch_id" text NOT NULL,
	"job_id" bigint NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"file_index" integer NOT NULL,
	"name" text NOT NULL,
	"format" text NOT NULL,
	"compression" text NOT NULL,
	"records" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "output_format" text DEFAULT 'JSONL' NOT NULL;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "output_compression" text DEFAULT 'GZIP' NOT NULL;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "output_max_records_per_file" integer DEFAULT 1000000 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "batch_files_batch_idx" ON "batch_files" USING btree ("batch_id","file_index");--> statement-breakpoint
CREATE INDEX "batch_files_job_idx" ON "batch_files" USING btree ("job_id");