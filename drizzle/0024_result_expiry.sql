ALTER TABLE "batches" DROP CONSTRAINT "batches_status_check";--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "expires_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "purged_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "batches_expiry_idx" ON "batches" USING btree ("expires_at") WHERE "batches"."purged_at" is null and "batches"."expires_at" is not null;--> statement-breakpoint
ALTER TABLE "batches" ADD CONSTRAINT "batches_status_check" CHECK ("batches"."status" in ('LOADING', 'SUCCESS', 'FAILED', 'ABORTED', 'EXPIRED'));--> statement-breakpoint
-- Results written before expiry existed get the default RESULT_TTL_DAYS (7) from their job's end.
UPDATE "batches" SET "expires_at" = "export_jobs"."finished_at" + interval '7 days'
  FROM "export_jobs" WHERE "export_jobs"."id" = "batches"."job_id" AND "batches"."status" = 'SUCCESS';
