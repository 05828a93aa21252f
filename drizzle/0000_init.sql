CREATE TABLE "datasets" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"name" text NOT NULL,
	"schema_ref_id" text NOT NULL,
	"schema_ref_content_type" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "export_jobs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "export_jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1),
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"job_type" text DEFAULT 'BATCH' NOT NULL,
	"status" text DEFAULT 'NEW' NOT NULL,
	"fields" text,
	"schema_name" text NOT NULL,
	"merge_policy_id" text NOT NULL,
	"merge_policy_version" integer NOT NULL,
	"filter" jsonb NOT NULL,
	"additional_fields" jsonb,
	"dataset_id" text NOT NULL,
	"segment_per_batch" boolean DEFAULT false NOT NULL,
	"batch_id" text,
	"batches" jsonb,
	"evaluate_segments" boolean DEFAULT false NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"profile_export_started_at" timestamp (3) with time zone,
	"profile_export_finished_at" timestamp (3) with time zone,
	"dataset_write_started_at" timestamp (3) with time zone,
	"dataset_write_finished_at" timestamp (3) with time zone,
	"finished_at" timestamp (3) with time zone,
	"exported_profiles" integer DEFAULT 0 NOT NULL,
	"exported_profiles_by_namespace" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"processed_profiles" integer DEFAULT 0 NOT NULL,
	"total_profiles" integer,
	"compute_export_job_id" text,
	"compute_push_job_id" text,
	"profile_instance_id" text DEFAULT 'ups' NOT NULL,
	"request_id" text NOT NULL,
	"idempotency_key" text,
	"created_by_token_sha256" text,
	"creation_time" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"update_time" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "export_jobs_status_check" CHECK ("export_jobs"."status" in ('NEW', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'))
);
--> statement-breakpoint
CREATE INDEX "datasets_tenant_page_idx" ON "datasets" USING btree ("org_id","sandbox_name","created_at","id");--> statement-breakpoint
CREATE INDEX "export_jobs_tenant_page_idx" ON "export_jobs" USING btree ("org_id","sandbox_name","creation_time","id");--> statement-breakpoint
CREATE UNIQUE INDEX "export_jobs_idempotency_key_idx" ON "export_jobs" USING btree ("org_id","sandbox_name","idempotency_key") WHERE "export_jobs"."idempotency_key" is not null;