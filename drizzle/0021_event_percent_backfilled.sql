-- Events stored before migration 0019 have no percent: they get the figure their
-- job's progress_percent would have given them then (no such job evaluated its
-- segments: an export's share alone), so every event carries its own and no code
-- keeps a second copy of the formula.
UPDATE "export_job_events" SET "percent" = (case
    when status = 'SUCCEEDED' then 100
    when total_profiles > 0 then round(least(100, 100.0 * processed_profiles / total_profiles), 1)
    else 0
  end)::float8
WHERE "percent" IS NULL;--> statement-breakpoint
ALTER TABLE "export_job_events" ALTER COLUMN "percent" SET NOT NULL;
