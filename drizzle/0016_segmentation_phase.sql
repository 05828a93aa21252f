ALTER TABLE "export_jobs" ADD COLUMN "segmentation_started_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "segmentation_finished_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "segmented_profiles" integer DEFAULT 0 NOT NULL;