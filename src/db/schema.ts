/**
 * Drizzle tables: the single description of what is stored. drizzle-kit turns
 * changes here into migrations under `drizzle/`.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { AdditionalFieldsSpec, DestinationBatchSpec, ExportFilterSpec, ExportJobErrorEntry } from './jobSpecJson';
import { BATCH_STATUSES, EXPORT_JOB_STATUSES, PART_STATUSES, SEGMENT_JOB_STATUSES, SEGMENT_STATUSES, statusIn } from './statuses';

// Millisecond precision: cursors carry JavaScript Dates, which must round-trip exactly.
const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const datasets = pgTable(
  'datasets',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    name: text('name').notNull(),
    schemaRefId: text('schema_ref_id').notNull(),
    schemaRefContentType: text('schema_ref_content_type').notNull(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [index('datasets_tenant_page_idx').on(t.orgId, t.sandboxName, t.createdAt, t.id)],
);

export const exportJobs = pgTable(
  'export_jobs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity({ startWith: 100 }),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    jobType: text('job_type').notNull().default('BATCH'),
    status: text('status', { enum: EXPORT_JOB_STATUSES }).notNull().default('NEW'),
    fields: text('fields'),
    schemaName: text('schema_name').notNull(),
    mergePolicyId: text('merge_policy_id').notNull(),
    mergePolicyVersion: integer('merge_policy_version').notNull(),
    filter: jsonb('filter').$type<ExportFilterSpec>().notNull(),
    additionalFields: jsonb('additional_fields').$type<AdditionalFieldsSpec>(),
    datasetId: text('dataset_id').notNull(),
    segmentPerBatch: boolean('segment_per_batch').notNull().default(false),
    batchId: text('batch_id'),
    batches: jsonb('batches').$type<DestinationBatchSpec[]>(),
    evaluateSegments: boolean('evaluate_segments').notNull().default(false),
    /** How the write phase writes each batch's files (src/files/outputSpec.ts). */
    outputFormat: text('output_format').notNull().default('JSONL'),
    outputCompression: text('output_compression').notNull().default('GZIP'),
    outputMaxRecordsPerFile: integer('output_max_records_per_file').notNull().default(1_000_000),
    /** The evaluation time T of the job's segments (`evaluateSegments`): set once, kept across runs, so a re-run evaluates at the same T. */
    segmentationStartedAt: timestampMs('segmentation_started_at'),
    segmentationFinishedAt: timestampMs('segmentation_finished_at'),
    /** Profiles the segmentation phase has evaluated, once per segment. */
    segmentedProfiles: integer('segmented_profiles').notNull().default(0),
    /** Profiles the segmentation phase evaluates in all: the tenant's profiles (counted beside the evaluation) times its segments. */
    segmentationTotal: integer('segmentation_total'),
    errors: jsonb('errors').$type<ExportJobErrorEntry[]>().notNull().default([]),
    profileExportStartedAt: timestampMs('profile_export_started_at'),
    profileExportFinishedAt: timestampMs('profile_export_finished_at'),
    datasetWriteStartedAt: timestampMs('dataset_write_started_at'),
    datasetWriteFinishedAt: timestampMs('dataset_write_finished_at'),
    finishedAt: timestampMs('finished_at'),
    exportedProfiles: integer('exported_profiles').notNull().default(0),
    exportedProfilesByNamespace: jsonb('exported_profiles_by_namespace')
      .$type<Record<string, number>>()
      .notNull()
      .default({}),
    processedProfiles: integer('processed_profiles').notNull().default(0),
    totalProfiles: integer('total_profiles'),
    /** Records the dataset write has put into files so far (the most any of its runs reached; 0 before it starts). */
    writtenRecords: integer('written_records').notNull().default(0),
    /**
     * `progress.percent`, 0 to 100 with one decimal, kept by the database so the
     * job, its events and its webhooks all show the same figure. The export of
     * profiles is the first 90 (with `evaluateSegments`, the evaluation is 0–50 and the
     * export 50–90), and the dataset write (from `startDatasetWrite`, once the last profile
     * is read) the last 10: records written into files of those exported.
     */
    progressPercent: doublePrecision('progress_percent').generatedAlwaysAs(
      sql`case
        when status = 'SUCCEEDED' then 100
        when evaluate_segments and segmentation_finished_at is null then
          case when segmentation_total > 0 then round(least(50, 50.0 * segmented_profiles / segmentation_total), 1) else 0 end
        when dataset_write_started_at is not null and profile_export_finished_at is not null then
          90 + case when exported_profiles > 0 then round(least(10, 10.0 * written_records / exported_profiles), 1) else 0 end
        when evaluate_segments then
          50 + case when total_profiles > 0 then round(least(40, 40.0 * processed_profiles / total_profiles), 1) else 0 end
        when total_profiles > 0 then round(least(90, 90.0 * processed_profiles / total_profiles), 1)
        else 0
      end::float8`,
    ),
    computeExportJobId: text('compute_export_job_id'),
    computePushJobId: text('compute_push_job_id'),
    profileInstanceId: text('profile_instance_id').notNull().default('ups'),
    requestId: text('request_id').notNull(),
    idempotencyKey: text('idempotency_key'),
    // SHA-256 of the bearer token that created the job: recorded for audit, never the token itself.
    createdByTokenSha256: text('created_by_token_sha256'),
    // The verified token's `sub` of whoever created or cancelled the job (AUTH_MODE=jwt).
    createdBy: text('created_by'),
    cancelledBy: text('cancelled_by'),
    creationTime: timestampMs('creation_time').notNull().defaultNow(),
    updateTime: timestampMs('update_time').notNull().defaultNow(),
    // Runner bookkeeping: which runner holds the job, until when, and how many runs it has had.
    attempts: integer('attempts').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: timestampMs('locked_until'),
    // The last profile whose records are written: a new run resumes after it.
    checkpointProfileId: text('checkpoint_profile_id'),
    // The W3C `traceparent` of the request that created the job (null when not traced):
    // each run's span continues that trace (src/tracing/jobTraceParent.ts).
    traceParent: text('trace_parent'),
    // Counts the job's changes: every event about the job carries the value its change
    // left, so watchers can order events and drop those they have seen.
    // Set by the gw_job_events trigger (migration 0012), never by the application.
    eventSequence: integer('event_sequence').notNull().default(1),
    // When the job's last event was written: progress events are throttled against it.
    lastEventAt: timestampMs('last_event_at').notNull().defaultNow(),
  },
  (t) => [
    // The runner's queue: jobs that want work, oldest first.
    index('export_jobs_queue_idx')
      .on(t.creationTime, t.id)
      .where(sql`${t.status} in ('NEW', 'PROCESSING', 'CANCELLING')`),
    // Serves every page of `exportJobs`: tenant equality, then (creationTime, id) order.
    index('export_jobs_tenant_page_idx').on(t.orgId, t.sandboxName, t.creationTime, t.id),
    // A tenant's queued jobs, counted against LIMIT_QUEUED_JOBS at every creation.
    index('export_jobs_tenant_queued_idx').on(t.orgId, t.sandboxName).where(sql`${t.status} = 'NEW'`),
    uniqueIndex('export_jobs_idempotency_key_idx')
      .on(t.orgId, t.sandboxName, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    check('export_jobs_status_check', statusIn(t.status, EXPORT_JOB_STATUSES)),
  ],
);

export type DatasetRow = typeof datasets.$inferSelect;
export type ExportJobRow = typeof exportJobs.$inferSelect;

/**
 * A part of a sharded export (src/runner/shardedExport.ts): the candidates with a
 * profile id in (`after_profile_id`, `up_to_profile_id`], run by any runner under a
 * lease of its own, with its own checkpoint and counters. The job's counters are
 * the sum of its parts'. A job has parts only when it was split at its start.
 */
export const exportJobParts = pgTable(
  'export_job_parts',
  {
    jobId: bigint('job_id', { mode: 'number' })
      .notNull()
      .references(() => exportJobs.id, { onDelete: 'cascade' }),
    part: integer('part').notNull(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    /** The range: after this id (null: from the first)… */
    afterProfileId: text('after_profile_id'),
    /** …up to and with this one (null: to the last). */
    upToProfileId: text('up_to_profile_id'),
    /** PENDING (to claim), RUNNING (a runner holds it), DONE (every candidate read), FAILED, or ENDED (its job ended first). */
    status: text('status', { enum: PART_STATUSES }).notNull().default('PENDING'),
    checkpointProfileId: text('checkpoint_profile_id'),
    processedProfiles: integer('processed_profiles').notNull().default(0),
    exportedProfiles: integer('exported_profiles').notNull().default(0),
    exportedProfilesByNamespace: jsonb('exported_profiles_by_namespace').$type<Record<string, number>>().notNull().default({}),
    /** Records written into each batch: `{batchId: count}`. */
    recordsByBatch: jsonb('records_by_batch').$type<Record<string, number>>().notNull().default({}),
    attempts: integer('attempts').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: timestampMs('locked_until'),
    /** Why the part failed (FAILED only): EXPORT_ATTEMPTS_EXHAUSTED, or the name of the error that ended it. */
    error: text('error'),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.part] }),
    // The runners' look for parts to claim, and the count of a job's running parts
    // against RUNNER_TENANT_LIMIT: only parts not yet done are in it.
    index('export_job_parts_queue_idx').on(t.jobId).where(sql`${t.status} in ('PENDING', 'RUNNING')`),
    check('export_job_parts_status_check', statusIn(t.status, PART_STATUSES)),
  ],
);

export type ExportJobPartRow = typeof exportJobParts.$inferSelect;

/** The profile store: one merged customer document per tenant and `profileId`. */
export const profiles = pgTable(
  'profiles',
  {
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    profileId: text('profile_id').notNull(),
    identities: jsonb('identities').$type<ProfileIdentity[]>().notNull(),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: timestampMs('updated_at').notNull(),
    hasProfileRecord: boolean('has_profile_record').notNull().default(true),
    /** The distinct namespaces of `identities`, kept by PostgreSQL (gw_namespaces, migration 0005). */
    namespaces: text('namespaces')
      .array()
      .notNull()
      .generatedAlwaysAs(sql`gw_namespaces(identities)`),
  },
  (t) => [
    // The primary key is also the keyset an export walks in chunks.
    primaryKey({ columns: [t.orgId, t.sandboxName, t.profileId] }),
    // Each profile's part of an export's filter (exportConditions.ts), so the count of an
    // export's profiles reads indexes alone (index-only scans), never the documents:
    // src/runner/sql/countExportProfiles.ts.
    index('profiles_export_filter_idx').on(t.orgId, t.sandboxName, t.profileId, t.hasProfileRecord, t.updatedAt),
  ],
);

export const segmentMemberships = pgTable(
  'segment_memberships',
  {
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    profileId: text('profile_id').notNull(),
    segmentId: text('segment_id').notNull(),
    segmentNs: text('segment_ns').notNull(),
    status: text('status', { enum: SEGMENT_STATUSES }).notNull(),
    qualificationTime: timestampMs('qualification_time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.sandboxName, t.profileId, t.segmentId, t.segmentNs] }),
    // A segment's members in profile order, with all an export filters on: an export
    // reads its candidates from this index alone (index-only scan), never the table.
    index('segment_memberships_members_idx').on(
      t.orgId,
      t.sandboxName,
      t.segmentId,
      t.profileId,
      t.segmentNs,
      t.status,
      t.qualificationTime,
    ),
    check('segment_memberships_status_check', statusIn(t.status, SEGMENT_STATUSES)),
  ],
);

export const experienceEvents = pgTable(
  'experience_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    profileId: text('profile_id').notNull(),
    ingestTime: timestampMs('ingest_time').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('experience_events_profile_idx').on(t.orgId, t.sandboxName, t.profileId, t.ingestTime)],
);

export interface ProfileIdentity {
  namespace: string;
  id: string;
}

/**
 * A batch: one file of a dataset, written by one export job (one per segment
 * with `segmentPerBatch`). Its records are in `batch_records`.
 */
export const batches = pgTable(
  'batches',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    datasetId: text('dataset_id').notNull(),
    jobId: bigint('job_id', { mode: 'number' }).notNull(),
    /** Set when the batch holds one segment's members (`segmentPerBatch`). */
    segmentId: text('segment_id'),
    segmentNs: text('segment_ns'),
    status: text('status', { enum: BATCH_STATUSES }).notNull().default('LOADING'),
    recordCount: integer('record_count').notNull().default(0),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    /** When its results (files and records) expire: set as its job succeeds, RESULT_TTL_DAYS later. */
    expiresAt: timestampMs('expires_at'),
    /** When the sweeper finished removing its files and records; null while any may be left. */
    purgedAt: timestampMs('purged_at'),
    /** Until when a sweeper holds the batch while it removes its results: others leave it alone until then. */
    sweptUntil: timestampMs('swept_until'),
  },
  (t) => [
    index('batches_dataset_page_idx').on(t.orgId, t.sandboxName, t.datasetId, t.createdAt, t.id),
    index('batches_job_idx').on(t.jobId),
    // The sweeper's look for what is due: only batches with results left are in it.
    index('batches_expiry_idx').on(t.expiresAt).where(sql`${t.purgedAt} is null and ${t.expiresAt} is not null`),
    check('batches_status_check', statusIn(t.status, BATCH_STATUSES)),
  ],
);

/** One exported record a profile: the primary key makes a re-run unable to write a profile twice. */
export const batchRecords = pgTable(
  'batch_records',
  {
    batchId: text('batch_id').notNull(),
    profileId: text('profile_id').notNull(),
    record: jsonb('record').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.profileId] })],
);

export type BatchRow = typeof batches.$inferSelect;

/**
 * One file of a batch, written by the export's write phase once every record
 * is in `batch_records` (src/files/). A row exists only for a complete file:
 * it is inserted in the transaction that marks the job SUCCEEDED.
 */
export const batchFiles = pgTable(
  'batch_files',
  {
    id: text('id').primaryKey(),
    batchId: text('batch_id').notNull(),
    jobId: bigint('job_id', { mode: 'number' }).notNull(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    /** 0, 1, … in key order: file n holds the records after those of file n - 1. */
    fileIndex: integer('file_index').notNull(),
    name: text('name').notNull(),
    format: text('format').notNull(),
    compression: text('compression').notNull(),
    records: integer('records').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    /** Where the storage keeps it: a path under FILES_DIR, or an object key. */
    storageKey: text('storage_key').notNull(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('batch_files_batch_idx').on(t.batchId, t.fileIndex),
    index('batch_files_job_idx').on(t.jobId),
  ],
);

export type BatchFileRow = typeof batchFiles.$inferSelect;

/**
 * The outbox of job events: one row a change of a job, written by the
 * gw_job_events trigger in the transaction of the change (migration 0012).
 * `id` orders a tenant's stream; `sequence` counts each job's events from 1.
 */
export const exportJobEvents = pgTable(
  'export_job_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    jobId: bigint('job_id', { mode: 'number' }).notNull(),
    sequence: integer('sequence').notNull(),
    type: text('type').notNull(),
    // Copied from export_jobs.status by the trigger that writes the event: checked there.
    status: text('status', { enum: EXPORT_JOB_STATUSES }).notNull(),
    previousStatus: text('previous_status', { enum: EXPORT_JOB_STATUSES }),
    processedProfiles: integer('processed_profiles').notNull(),
    totalProfiles: integer('total_profiles'),
    /** The job's `progress.percent` as this event left it (events stored before migration 0019: backfilled by 0021). */
    percent: doublePrecision('percent').notNull(),
    /** The job as this event left it, as webhooks send it (gw_job_event_view). */
    job: jsonb('job').$type<Record<string, unknown>>().notNull(),
    occurredAt: timestampMs('occurred_at').notNull().defaultNow(),
  },
  (t) => [
    // A job's events in order: per-job replay (`afterSequence`) and `jobEvents(jobId)`.
    uniqueIndex('export_job_events_job_sequence_idx').on(t.jobId, t.sequence),
    // A tenant's stream in order: tenant-wide replay (`after`) and `jobEvents`.
    index('export_job_events_tenant_idx').on(t.orgId, t.sandboxName, t.id),
    // Retention: the oldest events go first.
    index('export_job_events_occurred_idx').on(t.occurredAt),
    check('export_job_events_type_check', sql`${t.type} in ('CREATED', 'STATUS_CHANGED', 'PROGRESS')`),
  ],
);

export type ExportJobEventRow = typeof exportJobEvents.$inferSelect;

/**
 * The highest id retention has deleted of each tenant's events (eventRetention.ts), in
 * the statement that deletes them. Pruning keeps an event a webhook still owes, and goes
 * by time where ids are in commit order, so what is kept of a tenant's stream may have
 * gaps: a resume (`after`) below this mark would skip what went, and is refused.
 */
export const exportJobEventPruneMarks = pgTable(
  'export_job_event_prune_marks',
  {
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    prunedThrough: bigint('pruned_through', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.sandboxName] })],
);

/** An endpoint that is sent the tenant's job events (Standard Webhooks). */
export const webhooks = pgTable(
  'webhooks',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    url: text('url').notNull(),
    /** Event types sent; null sends every type. */
    events: text('events').array(),
    /** Statuses sent (of the job after the event); null sends every status. */
    statuses: text('statuses').array(),
    description: text('description'),
    /** The signing secret, `whsec_<base64>`. */
    secret: text('secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    /** Since when every delivery has failed; null after a success. */
    failingSince: timestampMs('failing_since'),
    /** No delivery before this time: the backoff after a failure (the oldest message waits, and all behind it). */
    nextAttemptAt: timestampMs('next_attempt_at').notNull().defaultNow(),
    createdBy: text('created_by'),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    // The deliverer that holds the endpoint, until when: one at a time keeps its order.
    lockedBy: text('locked_by'),
    lockedUntil: timestampMs('locked_until'),
  },
  (t) => [
    index('webhooks_tenant_page_idx').on(t.orgId, t.sandboxName, t.createdAt, t.id),
    // The trigger's fan-out: a tenant's enabled endpoints.
    index('webhooks_tenant_enabled_idx').on(t.orgId, t.sandboxName).where(sql`${t.enabled}`),
  ],
);

export type WebhookRow = typeof webhooks.$inferSelect;

/**
 * Events waiting to be delivered to one endpoint: written by the trigger with the
 * event, deleted once delivered or given up. An endpoint is sent its oldest first.
 */
export const webhookMessages = pgTable(
  'webhook_messages',
  {
    webhookId: text('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** The first attempt's time: retries stop 24 hours after it. */
    firstAttemptAt: timestampMs('first_attempt_at'),
  },
  (t) => [
    primaryKey({ columns: [t.webhookId, t.eventId] }),
    // Retention keeps an event while a message still waits for it.
    index('webhook_messages_event_idx').on(t.eventId),
  ],
);

/** Every attempt to deliver an event to an endpoint, as `Webhook.deliveries` shows it. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    webhookId: text('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    attempt: integer('attempt').notNull(),
    attemptedAt: timestampMs('attempted_at').notNull(),
    httpStatus: integer('http_status'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    succeeded: boolean('succeeded').notNull(),
  },
  (t) => [
    index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id),
    index('webhook_deliveries_attempted_idx').on(t.attemptedAt),
  ],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/**
 * A segment definition: a tenant's named PQL expression. The memberships its
 * evaluation writes carry its `id` as `segmentId` and its `segmentNs` ("ups"),
 * so an export's `filter.segments[{ segmentId }]` names a definition.
 */
export const segmentDefinitions = pgTable(
  'segment_definitions',
  {
    // A lowercase UUID, kept as text: it is compared with memberships' and jobs' text segment ids.
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** `PQL`: the only language accepted. */
    expressionType: text('expression_type').notNull(),
    /** `pql/text`: the only format accepted. */
    expressionFormat: text('expression_format').notNull(),
    expressionValue: text('expression_value').notNull(),
    mergePolicyId: text('merge_policy_id').notNull(),
    segmentNs: text('segment_ns').notNull().default('ups'),
    /** The union schema the expression reads, `{ name }` as an export job's `schema`. */
    schema: jsonb('schema').$type<SegmentSchemaSpec>().notNull(),
    creationTime: timestampMs('creation_time').notNull().defaultNow(),
    updateTime: timestampMs('update_time').notNull().defaultNow(),
    /**
     * Who evaluates the segment now (an export job or a segment job), until when:
     * one evaluation of a segment at a time (src/segments/evaluation/evaluationLease.ts).
     */
    evaluatingBy: text('evaluating_by'),
    evaluatingUntil: timestampMs('evaluating_until'),
  },
  // Serves every page of `segmentDefinitions` and the count against the per-tenant limit.
  (t) => [index('segment_definitions_tenant_page_idx').on(t.orgId, t.sandboxName, t.creationTime, t.id)],
);

export interface SegmentSchemaSpec {
  name: string;
}

export type SegmentDefinitionRow = typeof segmentDefinitions.$inferSelect;

/**
 * A segment job: the evaluation of some of a tenant's segment definitions on
 * its own (`evaluateSegments`), not as part of an export. Claimed by the same
 * runners as export jobs, under the same lease and per-tenant limit.
 */
export const segmentJobs = pgTable(
  'segment_jobs',
  {
    // A lowercase UUID, like a definition's id.
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    sandboxName: text('sandbox_name').notNull(),
    /** NEW, PROCESSING, SUCCEEDED or FAILED (segment jobs are not cancelled). */
    status: text('status', { enum: SEGMENT_JOB_STATUSES }).notNull().default('NEW'),
    /** The definitions to evaluate, in the order given, without repeats. */
    segmentIds: text('segment_ids').array().notNull(),
    /** Memberships that the evaluation left REALIZED, EXISTING and EXITED, summed over the segments. */
    realized: integer('realized').notNull().default(0),
    existing: integer('existing').notNull().default(0),
    exited: integer('exited').notNull().default(0),
    errors: jsonb('errors').$type<ExportJobErrorEntry[]>().notNull().default([]),
    /** The evaluation time T of every segment, set by the first run and kept by the next ones. */
    evaluatedAt: timestampMs('evaluated_at'),
    createdBy: text('created_by'),
    traceParent: text('trace_parent'),
    attempts: integer('attempts').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: timestampMs('locked_until'),
    creationTime: timestampMs('creation_time').notNull().defaultNow(),
    startTime: timestampMs('start_time'),
    endTime: timestampMs('end_time'),
    updateTime: timestampMs('update_time').notNull().defaultNow(),
  },
  (t) => [
    // The runners' queue: jobs that want work, oldest first.
    index('segment_jobs_queue_idx').on(t.creationTime, t.id).where(sql`${t.status} in ('NEW', 'PROCESSING')`),
    // A tenant's running jobs (the per-tenant limit) and its queued ones (the quota).
    index('segment_jobs_tenant_live_idx').on(t.orgId, t.sandboxName, t.status).where(sql`${t.status} in ('NEW', 'PROCESSING')`),
    // `SegmentDefinition.lastEvaluation`: the jobs that name a segment.
    index('segment_jobs_segment_ids_idx').using('gin', t.segmentIds),
  ],
);

export type SegmentJobRow = typeof segmentJobs.$inferSelect;
