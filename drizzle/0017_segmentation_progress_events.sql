-- The segmentation phase of an export (evaluationInfo.segmentation, migration 0016) moves
-- segmented_profiles chunk by chunk before the export reads any profile. A change of it is
-- now a progress event as a change of processed/total is, at most every 250 ms, so a job's
-- watchers see its evaluation advance; webhook bodies carry the count in the job too.
CREATE OR REPLACE FUNCTION gw_job_event_view(job export_jobs) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object(
    'id', job.id::text,
    'jobType', job.job_type,
    'status', job.status,
    'imsOrgId', job.org_id,
    'sandboxName', job.sandbox_name,
    'datasetId', job.dataset_id,
    'batchId', job.batch_id,
    'processedProfiles', job.processed_profiles,
    'totalProfiles', job.total_profiles,
    'segmentedProfiles', job.segmented_profiles,
    'exportedProfiles', job.exported_profiles,
    'errors', job.errors,
    'createdBy', job.created_by,
    'cancelledBy', job.cancelled_by,
    'creationTime', gw_iso_time(job.creation_time),
    'updateTime', gw_iso_time(job.update_time),
    'finishedAt', gw_iso_time(job.finished_at)
  )
$$;
--> statement-breakpoint

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
     OR (NEW.segmented_profiles IS DISTINCT FROM OLD.segmented_profiles AND quiet_long_enough) THEN
    NEW.event_sequence := OLD.event_sequence + 1;
    NEW.last_event_at := clock_timestamp();
  END IF;
  RETURN NEW;
END;
$$;
