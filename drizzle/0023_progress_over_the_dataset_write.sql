-- progress.percent covers the dataset write: the export of profiles is its first 90 (with
-- segment evaluation: 0-50 evaluation, 50-90 export), the files its last 10, as records
-- written into files of those exported. The write phase reports written_records, and the
-- event trigger announces its progress as it does the evaluation's (at most every 250 ms).
ALTER TABLE "export_jobs" ADD COLUMN "written_records" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "export_jobs" drop column "progress_percent";--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "progress_percent" double precision GENERATED ALWAYS AS (case
        when status = 'SUCCEEDED' then 100
        when evaluate_segments and segmentation_finished_at is null then
          case when segmentation_total > 0 then round(least(50, 50.0 * segmented_profiles / segmentation_total), 1) else 0 end
        when dataset_write_started_at is not null and profile_export_finished_at is not null then
          90 + case when exported_profiles > 0 then round(least(10, 10.0 * written_records / exported_profiles), 1) else 0 end
        when evaluate_segments then
          50 + case when total_profiles > 0 then round(least(40, 40.0 * processed_profiles / total_profiles), 1) else 0 end
        when total_profiles > 0 then round(least(90, 90.0 * processed_profiles / total_profiles), 1)
        else 0
      end::float8) STORED;--> statement-breakpoint

CREATE OR REPLACE FUNCTION gw_job_event_number() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  new_tenth integer := CASE WHEN NEW.total_profiles > 0 THEN NEW.processed_profiles * 10 / NEW.total_profiles END;
  old_tenth integer;
  quiet_long_enough boolean;
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.event_sequence := 1;
    NEW.last_event_at := clock_timestamp();
    RETURN NEW;
  END IF;
  old_tenth := CASE WHEN OLD.total_profiles > 0 THEN OLD.processed_profiles * 10 / OLD.total_profiles END;
  quiet_long_enough := clock_timestamp() - OLD.last_event_at >= interval '250 milliseconds';
  -- Only this trigger moves the sequence.
  NEW.event_sequence := OLD.event_sequence;
  IF NEW.status IS DISTINCT FROM OLD.status
     OR ((NEW.processed_profiles, NEW.total_profiles) IS DISTINCT FROM (OLD.processed_profiles, OLD.total_profiles)
         AND (quiet_long_enough OR coalesce(new_tenth, -1) > coalesce(old_tenth, -1)))
     OR (NEW.segmented_profiles IS DISTINCT FROM OLD.segmented_profiles AND quiet_long_enough)
     OR (NEW.written_records IS DISTINCT FROM OLD.written_records AND quiet_long_enough) THEN
    NEW.event_sequence := OLD.event_sequence + 1;
    NEW.last_event_at := clock_timestamp();
  END IF;
  RETURN NEW;
END;
$$;
