/**
 * Drizzle tables: the single description of what is stored. drizzle-kit turns
 * changes here into migrations under `drizzle/`.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { ExportFilterSpec, AdditionalFieldsSpec, DestinationBatchSpec } from '../jobs/exportJobSpec';
import type { ExportJobErrorEntry } from '../jobs/exportJobStatus';

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
    status: text('status').notNull().default('NEW'),
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
    computeExportJobId: text('compute_export_job_id'),
    computePushJobId: text('compute_push_job_id'),
    profileInstanceId: text('profile_instance_id').notNull().default('ups'),
    requestId: text('request_id').notNull(),
    idempotencyKey: text('idempotency_key'),
    // SHA-256 of the bearer token that created the job: recorded for audit, never the token itself.
    createdByTokenSha256: text('created_by_token_sha256'),
    creationTime: timestampMs('creation_time').notNull().defaultNow(),
    updateTime: timestampMs('update_time').notNull().defaultNow(),
  },
  (t) => [
    // Serves every page of `exportJobs`: tenant equality, then (creationTime, id) order.
    index('export_jobs_tenant_page_idx').on(t.orgId, t.sandboxName, t.creationTime, t.id),
    uniqueIndex('export_jobs_idempotency_key_idx')
      .on(t.orgId, t.sandboxName, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    check(
      'export_jobs_status_check',
      sql`${t.status} in ('NEW', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED')`,
    ),
  ],
);

export type DatasetRow = typeof datasets.$inferSelect;
export type ExportJobRow = typeof exportJobs.$inferSelect;
export type NewExportJobRow = typeof exportJobs.$inferInsert;
