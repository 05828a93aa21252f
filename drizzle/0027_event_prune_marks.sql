-- How far retention has pruned each tenant's events (src/events/eventRetention.ts): pruning keeps
-- an event a webhook still owes and goes by time, so a tenant's kept events may have gaps, and a
-- resume of its stream (`after`) from below the mark is refused rather than replayed over one.
CREATE TABLE "export_job_event_prune_marks" (
	"org_id" text NOT NULL,
	"sandbox_name" text NOT NULL,
	"pruned_through" bigint NOT NULL,
	CONSTRAINT "export_job_event_prune_marks_org_id_sandbox_name_pk" PRIMARY KEY("org_id","sandbox_name")
);
