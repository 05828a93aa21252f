ALTER TABLE "export_jobs" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "cancelled_by" text;