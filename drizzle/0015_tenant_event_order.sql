-- A tenant's events commit in the order of their ids, so `after: <id>` (the highest id a
-- client has seen) can never pass over an event that commits later with a lower id.
--
-- An event's id comes from a sequence when its row is inserted, before its transaction
-- commits: two transactions of one tenant could take ids 10 and 11 and commit 11 first.
-- So before it takes an id, the outbox trigger now takes the tenant's transaction-level
-- advisory lock: a second transaction of the tenant waits at its first event until the
-- first has committed (or rolled back), and takes a higher id after it. Advisory locks
-- are released after the commit is visible, so whoever sees id 11 sees id 10 too; and
-- NOTIFY is delivered in commit order, which is now the ids' order as well.
--
-- Deadlocks: the tenant's lock is the last lock a writer takes. Every writer of
-- export_jobs (src/jobs, src/runner/sql) changes one job per transaction, so takes one
-- tenant's lock; after it, it only updates that job's own batches, which no one touches
-- without the job's row lock, which this writer already holds. (A transaction that
-- changed jobs of two tenants in turn could deadlock with one doing the opposite, and
-- PostgreSQL would abort one of them: keep to one tenant per transaction.) On PGlite
-- there is one connection, so the lock is always free.
--
-- The cost: one tenant's event-writing commits take turns from the event to the commit
-- (at the end of the change's statement, as AFTER ROW triggers run then). Tenants do
-- not wait for each other, save when their hashes collide.
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
