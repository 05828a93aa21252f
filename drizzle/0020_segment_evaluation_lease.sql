ALTER TABLE "segment_definitions" ADD COLUMN "evaluating_by" text;--> statement-breakpoint
ALTER TABLE "segment_definitions" ADD COLUMN "evaluating_until" timestamp (3) with time zone;