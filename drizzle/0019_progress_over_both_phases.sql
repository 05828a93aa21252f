-- progress.percent covers both phases of an export that evaluates its segments: the
-- evaluation is its first half, the export its second. The database keeps the figure
-- (export_jobs.progress_percent, a generated column), so the job, its stored events,
-- their NOTIFY payloads and webhook bodies all carry the same one: the event trigger of
-- migration 0015 is redefined here to store and send it.
ALTER TABLE "export_job_events" ADD COLUMN "percent" double precision;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "segmentation_total" integer;--> statement-breakpoint
ALTER TABLE "export_jobs" ADD COLUMN "progress_percent" double precision GENERATED ALWAYS AS (case
        when status = 'SUCCEEDED' then 100
        when evaluate_segments and segmentation_finished_at is null then
          case when segmentation_total > 0 then round(least(50, 50.0 * segmented_profiles / segmentation_total), 1) else 0 end
        when evaluate_segments then
          50 + case when total_profiles > 0 then round(least(50, 50.0 * processed_profiles / total_profiles), 1) else 0 end
        when total_profiles > 0 then round(least(100, 100.0 * processed_profiles / total_profiles), 1)
        else 0
      end::float8) STORED;--> statement-breakpoint

CREATE OR REPLACE FUNCTION gw_job_event_write() RETURNS trigger
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
  -- 727006: the advisory-lock space of tenants' event order (two-key form: space, tenant
  -- hash), as src/jobs/jobQuotas.ts (727003) and src/webhooks/createWebhook.ts (727004).
  PERFORM pg_advisory_xact_lock(727006, hashtext(NEW.org_id || E'\n' || NEW.sandbox_name));
  INSERT INTO export_job_events
    (org_id, sandbox_name, job_id, sequence, type, status, previous_status,
     processed_profiles, total_profiles, percent, job, occurred_at)
  VALUES
    (NEW.org_id, NEW.sandbox_name, NEW.id, NEW.event_sequence, event_type, NEW.status, previous_status,
     NEW.processed_profiles, NEW.total_profiles, NEW.progress_percent, gw_job_event_view(NEW), NEW.last_event_at)
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
    'percent', event.percent,
    'sequence', event.sequence,
    'occurredAt', gw_iso_time(event.occurred_at)
  )::text);
  RETURN NULL;
END;
$$;
