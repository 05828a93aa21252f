-- The outbox: every change of an export job writes its event in the change's own
-- transaction, whoever makes it (resolver, runner, a script), and announces it with
-- pg_notify, which PostgreSQL delivers only at commit. So a committed change always
-- has its event and an aborted one never has (README, "Events").

-- An RFC 3339 UTC time with milliseconds, as the API writes times.
CREATE FUNCTION gw_iso_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint

-- The job as an event leaves it, as webhooks send it (field names as in the API).
CREATE FUNCTION gw_job_event_view(job export_jobs) RETURNS jsonb
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

-- Before the row is written: decides whether this change is an event, and numbers it.
-- A status change always is; a progress change (processed or total) is when 250 ms
-- have passed since the job's last event or it reaches a new tenth of the job, so a
-- runner's every chunk does not become an event. Nothing else (leases, heartbeats) is.
CREATE FUNCTION gw_job_event_number() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  new_tenth integer := CASE WHEN NEW.total_profiles > 0 THEN NEW.processed_profiles * 10 / NEW.total_profiles END;
  old_tenth integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.event_sequence := 1;
    NEW.last_event_at := clock_timestamp();
    RETURN NEW;
  END IF;
  old_tenth := CASE WHEN OLD.total_profiles > 0 THEN OLD.processed_profiles * 10 / OLD.total_profiles END;
  -- Only this trigger moves the sequence.
  NEW.event_sequence := OLD.event_sequence;
  IF NEW.status IS DISTINCT FROM OLD.status
     OR ((NEW.processed_profiles, NEW.total_profiles) IS DISTINCT FROM (OLD.processed_profiles, OLD.total_profiles)
         AND (clock_timestamp() - OLD.last_event_at >= interval '250 milliseconds'
              OR coalesce(new_tenth, -1) > coalesce(old_tenth, -1))) THEN
    NEW.event_sequence := OLD.event_sequence + 1;
    NEW.last_event_at := clock_timestamp();
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint

-- After the row is written: stores the event, queues it for the tenant's webhooks
-- whose filters it passes, and announces both.
CREATE FUNCTION gw_job_event_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  event export_job_events;
  event_type text := 'CREATED';
  previous_status text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
      event_type := 'STATUS_CHANGED';
      previous_status := OLD.status;
    ELSE
      event_type := 'PROGRESS';
    END IF;
  END IF;
  INSERT INTO export_job_events
    (org_id, sandbox_name, job_id, sequence, type, status, previous_status,
     processed_profiles, total_profiles, job, occurred_at)
  VALUES
    (NEW.org_id, NEW.sandbox_name, NEW.id, NEW.event_sequence, event_type, NEW.status, previous_status,
     NEW.processed_profiles, NEW.total_profiles, gw_job_event_view(NEW), NEW.last_event_at)
  RETURNING * INTO event;

  INSERT INTO webhook_messages (webhook_id, event_id)
  SELECT w.id, event.id
  FROM webhooks w
  WHERE w.org_id = NEW.org_id AND w.sandbox_name = NEW.sandbox_name AND w.enabled
    AND (w.events IS NULL OR event.type = ANY (w.events))
    AND (w.statuses IS NULL OR event.status = ANY (w.statuses));
  IF FOUND THEN
    PERFORM pg_notify('gw_webhook_messages', '');
  END IF;

  -- Small on purpose (NOTIFY payloads stop at 8,000 bytes): receivers read the job themselves.
  PERFORM pg_notify('gw_job_events', json_build_object(
    'id', event.id,
    'jobId', event.job_id,
    'orgId', event.org_id,
    'sandboxName', event.sandbox_name,
    'type', event.type,
    'status', event.status,
    'previousStatus', event.previous_status,
    'processedProfiles', event.processed_profiles,
    'totalProfiles', event.total_profiles,
    'sequence', event.sequence,
    'occurredAt', gw_iso_time(event.occurred_at)
  )::text);
  RETURN NULL;
END;
$$;
--> statement-breakpoint

CREATE TRIGGER gw_job_event_number BEFORE INSERT OR UPDATE ON export_jobs
FOR EACH ROW EXECUTE FUNCTION gw_job_event_number();
--> statement-breakpoint

CREATE TRIGGER gw_job_event_created AFTER INSERT ON export_jobs
FOR EACH ROW EXECUTE FUNCTION gw_job_event_write();
--> statement-breakpoint

CREATE TRIGGER gw_job_event_changed AFTER UPDATE ON export_jobs
FOR EACH ROW WHEN (NEW.event_sequence <> OLD.event_sequence) EXECUTE FUNCTION gw_job_event_write();
