import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ExportJobRow, DatasetRow, BatchRow, BatchFileRow, WebhookRow, WebhookDeliveryRow, SegmentDefinitionRow, SegmentJobRow } from '../db/schema';
import type { Connection, Page } from '../pagination/connection';
import type { BatchRecordPage } from '../batches/batchRecordsLoader';
import type { CancelOutcome } from '../jobs/cancelExportJob';
import type { WatchedJobEvent } from '../events/watchedJobEvent';
import type { CreatedWebhook } from '../webhooks/createWebhook';
import type { SegmentPreviewSource } from '../segments/definitions/previewSegment';
import type { Context } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An RFC 3339 date-time, always with a time zone (`2026-11-23T10:00:00.000Z`). */
  DateTime: { input: Date; output: Date | string; }
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
  /** A JSON object (not an array or a scalar). */
  JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type AdditionalFields = {
  __typename?: 'AdditionalFields';
  eventList: Maybe<EventList>;
};

export type AdditionalFieldsInput = {
  eventList?: InputMaybe<EventListInput>;
};

/** One file of a dataset, written by one export job: one record per exported profile. */
export type Batch = {
  __typename?: 'Batch';
  createdAt: Scalars['DateTime']['output'];
  datasetId: Scalars['ID']['output'];
  /**
   * When its records and files are deleted: `RESULT_TTL_DAYS` (default 7) after its
   * job succeeded; null until then. From that moment the batch is `EXPIRED`.
   */
  expiresAt: Maybe<Scalars['DateTime']['output']>;
  /**
   * The batch's records as files, in profile id order; empty until its job has
   * SUCCEEDED (the files are written after the last record, before the job ends),
   * and again once the batch is `EXPIRED`.
   */
  files: Array<BatchFile>;
  id: Scalars['ID']['output'];
  /** The id of the export job that wrote it. */
  jobId: Scalars['ID']['output'];
  /**
   * The same facts as `files`, as one document, also written as `manifest.json`
   * beside the files: `{ batchId, datasetId, jobId, format, compression, records, files: [{ name, records, bytes, sha256 }] }`.
   */
  manifest: Scalars['JSON']['output'];
  /** Records written so far. */
  recordCount: Scalars['Int']['output'];
  /** The exported records, one per profile, ordered by profile id (page size defaults to 20, at most 100); none once `EXPIRED`, `ABORTED` or `FAILED`. */
  records: BatchRecordConnection;
  /** The segment whose members it holds when its job wrote one batch per segment (`segmentPerBatch`); otherwise null. */
  segmentId: Maybe<Scalars['String']['output']>;
  segmentNs: Maybe<Scalars['String']['output']>;
  status: BatchStatus;
};


/** One file of a dataset, written by one export job: one record per exported profile. */
export type BatchRecordsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type BatchConnection = {
  __typename?: 'BatchConnection';
  edges: Array<BatchEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type BatchEdge = {
  __typename?: 'BatchEdge';
  cursor: Scalars['String']['output'];
  node: Batch;
};

/** One file of a batch. */
export type BatchFile = {
  __typename?: 'BatchFile';
  /** Its size on storage, after compression. */
  bytes: Scalars['Int']['output'];
  compression: Compression;
  /**
   * An absolute link that downloads the file without any header until it
   * expires, `expiresInSeconds` (1 to 604,800) from now. It names only this file;
   * a changed or expired link is refused with 403.
   */
  downloadUrl: Scalars['String']['output'];
  format: ExportFormat;
  id: Scalars['ID']['output'];
  /** `part-00000.jsonl.gz`, … numbered in profile id order. */
  name: Scalars['String']['output'];
  records: Scalars['Int']['output'];
  /** The hex SHA-256 of its bytes as stored (and downloaded); also its ETag. */
  sha256: Scalars['String']['output'];
};


/** One file of a batch. */
export type BatchFileDownloadUrlArgs = {
  expiresInSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type BatchRecordConnection = {
  __typename?: 'BatchRecordConnection';
  edges: Array<BatchRecordEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

/** One exported record: the profile projected onto its job's `fields`. */
export type BatchRecordEdge = {
  __typename?: 'BatchRecordEdge';
  cursor: Scalars['String']['output'];
  node: Scalars['JSONObject']['output'];
};

/**
 * How far a batch is: `LOADING` while its job writes it, `SUCCESS` once complete,
 * `FAILED` or `ABORTED` (its job was cancelled) when it will never be complete.
 */
export type BatchStatus =
  | 'ABORTED'
  /**
   * Its results were kept `RESULT_TTL_DAYS` after its job succeeded (see
   * `expiresAt`) and are deleted: no records, no files, download links answer 410.
   */
  | 'EXPIRED'
  | 'FAILED'
  | 'LOADING'
  | 'SUCCESS';

export type CancelExportJobPayload = {
  __typename?: 'CancelExportJobPayload';
  job: Maybe<ExportJob>;
  message: Scalars['String']['output'];
  status: Scalars['Boolean']['output'];
};

export type Compression =
  | 'GZIP'
  | 'NONE'
  /** PARQUET only (the column codec); refused for JSONL and CSV, which no common tool reads Snappy-wrapped. */
  | 'SNAPPY'
  /** For JSONL and CSV a `.zst` file of concatenated zstd frames (level 3); for PARQUET the column codec. */
  | 'ZSTD';

export type ComputeGatewayJobId = {
  __typename?: 'ComputeGatewayJobId';
  exportJob: Maybe<Scalars['String']['output']>;
  pushJob: Maybe<Scalars['String']['output']>;
};

export type CreateDatasetInput = {
  name: Scalars['String']['input'];
  schemaRef: SchemaRefInput;
};

/** Mirrors the body of the REST `POST /export/jobs`. */
export type CreateExportJobInput = {
  additionalFields?: InputMaybe<AdditionalFieldsInput>;
  destination: DestinationInput;
  evaluationInfo?: InputMaybe<EvaluationInfoInput>;
  /** Comma-separated dot paths (`identities.id,personalEmail.address`); omitted or empty exports every field. */
  fields?: InputMaybe<Scalars['String']['input']>;
  /** Omitted exports every profile. */
  filter?: InputMaybe<ExportFilterInput>;
  /**
   * 1 to 255 characters, compared exactly. Repeating a key within the tenant returns
   * the first job instead of creating another.
   */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /**
   * Omitted: the `mergePolicyId` of the definition of the first segment of
   * `filter.segments` (version 1); when the segments' definitions differ it must
   * be given (`BAD_USER_INPUT`). When the first segment has no definition,
   * `timestampOrdered-none-mp`, version 1.
   */
  mergePolicy?: InputMaybe<MergePolicyInput>;
  /** How the batches are written as files; omitted: JSONL, GZIP, 1,000,000 records a file. */
  output?: InputMaybe<ExportOutputInput>;
  schema: ExportSchemaInput;
};

export type CreateSegmentDefinitionInput = {
  /** At most 2,000 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  expression: SegmentExpressionInput;
  /** 1 to 255 characters. Defaults to `timestampOrdered-none-mp`, as an export's. */
  mergePolicyId?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 200 characters. */
  name: Scalars['String']['input'];
  /** Defaults to `_xdm.context.profile`, the only schema accepted. */
  schema?: InputMaybe<ExportSchemaInput>;
};

export type CreateWebhookInput = {
  /** At most 500 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The event types sent (not `SNAPSHOT`); null or absent: every type. */
  events?: InputMaybe<Array<ExportJobEventType>>;
  /** Only events whose job is then in one of these statuses; null or absent: every status. */
  statuses?: InputMaybe<Array<ExportJobStatus>>;
  /** Where events are POSTed: `https`, at most 2,048 characters. */
  url: Scalars['String']['input'];
};

export type CreateWebhookPayload = {
  __typename?: 'CreateWebhookPayload';
  /** The signing secret (`whsec_<base64>`): shown only in this answer. */
  secret: Scalars['String']['output'];
  webhook: Webhook;
};

export type Dataset = {
  __typename?: 'Dataset';
  /** The batches export jobs wrote into this dataset, newest first (page size defaults to 20, at most 100). */
  batches: BatchConnection;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  schemaRef: SchemaRef;
};


export type DatasetBatchesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type DatasetConnection = {
  __typename?: 'DatasetConnection';
  edges: Array<DatasetEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type DatasetEdge = {
  __typename?: 'DatasetEdge';
  cursor: Scalars['String']['output'];
  node: Dataset;
};

export type DeleteSegmentDefinitionPayload = {
  __typename?: 'DeleteSegmentDefinitionPayload';
  deletedSegmentDefinitionId: Scalars['ID']['output'];
};

export type DeleteWebhookPayload = {
  __typename?: 'DeleteWebhookPayload';
  deletedWebhookId: Scalars['ID']['output'];
};

export type DestinationBatch = {
  __typename?: 'DestinationBatch';
  batchId: Scalars['ID']['output'];
  segmentId: Scalars['String']['output'];
  segmentNs: Maybe<Scalars['String']['output']>;
  status: Array<SegmentStatus>;
};

export type DestinationInput = {
  /** Must name an existing dataset of the tenant. */
  datasetId: Scalars['ID']['input'];
  /** Defaults to false. */
  segmentPerBatch?: InputMaybe<Scalars['Boolean']['input']>;
};

export type EvaluationInfo = {
  __typename?: 'EvaluationInfo';
  segmentation: Scalars['Boolean']['output'];
};

export type EvaluationInfoInput = {
  /**
   * Defaults to false. True: before exporting, the runner evaluates every segment
   * of `filter.segments` from its definition (one evaluation time for all), then
   * exports with the filter's rules on the fresh memberships. A segment without a
   * definition ends the job `FAILED` with `SEGMENT_NOT_DEFINED` before anything is
   * written.
   */
  segmentation?: InputMaybe<Scalars['Boolean']['input']>;
};

/** Only events ingested strictly between the two bounds (either optional). */
export type EventFilter = {
  __typename?: 'EventFilter';
  fromIngestTimestamp: Maybe<Scalars['DateTime']['output']>;
  toIngestTimestamp: Maybe<Scalars['DateTime']['output']>;
};

export type EventFilterInput = {
  fromIngestTimestamp?: InputMaybe<Scalars['DateTime']['input']>;
  toIngestTimestamp?: InputMaybe<Scalars['DateTime']['input']>;
};

export type EventList = {
  __typename?: 'EventList';
  /** Comma-separated dot paths inside each event; null keeps whole events. */
  fields: Maybe<Scalars['String']['output']>;
  filter: Maybe<EventFilter>;
};

export type EventListInput = {
  fields?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<EventFilterInput>;
};

export type ExperienceEventInput = {
  /** The event as exported. */
  data: Scalars['JSONObject']['input'];
  ingestTime: Scalars['DateTime']['input'];
};

export type ExportDestination = {
  __typename?: 'ExportDestination';
  batchId: Maybe<Scalars['ID']['output']>;
  batches: Maybe<Array<DestinationBatch>>;
  datasetId: Scalars['ID']['output'];
  /** false: one batch (`batchId`); true: one batch per segment (`batches`). */
  segmentPerBatch: Scalars['Boolean']['output'];
};

export type ExportFilter = {
  __typename?: 'ExportFilter';
  /** Whether profiles without a profile record (events only) are exported too. */
  emptyProfiles: Scalars['Boolean']['output'];
  /** Only profiles updated strictly after this time. */
  fromIngestTimestamp: Maybe<Scalars['DateTime']['output']>;
  segmentQualificationTime: Maybe<SegmentQualificationTime>;
  /** The segments whose members are exported; null exports every profile. */
  segments: Maybe<Array<SegmentFilter>>;
};

export type ExportFilterInput = {
  /** Defaults to false. */
  emptyProfiles?: InputMaybe<Scalars['Boolean']['input']>;
  fromIngestTimestamp?: InputMaybe<Scalars['DateTime']['input']>;
  /** Keeps the members of `segments` whose membership qualified inside the window; needs `segments`. */
  segmentQualificationTime?: InputMaybe<SegmentQualificationTimeInput>;
  /** 1 to 100 segments, each `segmentId` non-empty and unique. */
  segments?: InputMaybe<Array<SegmentFilterInput>>;
};

export type ExportFormat =
  /** RFC 4180 CSV with a header row: nested fields become dotted column names, arrays JSON text. */
  | 'CSV'
  /** JSON Lines: one record a line, as `batch.records` shows it. */
  | 'JSONL'
  /**
   * Apache Parquet: one flat column a leaf, named with dots as in CSV (`person.name.firstName`),
   * typed BOOLEAN, INT64, DOUBLE or STRING; arrays and fields of mixed types are JSON text columns.
   */
  | 'PARQUET';

export type ExportJob = {
  __typename?: 'ExportJob';
  additionalFields: Maybe<AdditionalFields>;
  /** Who cancelled the job, the same way; null when it was not cancelled or callers are not verified. */
  cancelledBy: Maybe<Scalars['String']['output']>;
  /** Ids of the internal compute runs, once the job has run. */
  computeGatewayJobId: Maybe<ComputeGatewayJobId>;
  /** Who created the job: the verified bearer token's sub claim (AUTH_MODE=jwt); null when callers are not verified. */
  createdBy: Maybe<Scalars['String']['output']>;
  creationTime: Scalars['DateTime']['output'];
  /** The destination dataset (null if it no longer exists). */
  dataset: Maybe<Dataset>;
  destination: ExportDestination;
  errors: Array<ExportJobError>;
  evaluationInfo: EvaluationInfo;
  /** Comma-separated dot paths to export; null exports every field. */
  fields: Maybe<Scalars['String']['output']>;
  filter: ExportFilter;
  /** The increasing integer id of the job, as a string. */
  id: Scalars['ID']['output'];
  imsOrgId: Scalars['String']['output'];
  jobType: ExportJobType;
  mergePolicy: MergePolicy;
  metrics: ExportJobMetrics;
  /** How the job writes its batches' files. */
  output: ExportOutput;
  profileInstanceId: Scalars['String']['output'];
  progress: ExportJobProgress;
  requestId: Scalars['String']['output'];
  sandboxName: Scalars['String']['output'];
  schema: ExportSchema;
  status: ExportJobStatus;
  updateTime: Scalars['DateTime']['output'];
};

export type ExportJobConnection = {
  __typename?: 'ExportJobConnection';
  edges: Array<ExportJobEdge>;
  pageInfo: PageInfo;
  /** Jobs matching the filter over all pages (counted only when selected). */
  totalCount: Scalars['Int']['output'];
};

export type ExportJobEdge = {
  __typename?: 'ExportJobEdge';
  cursor: Scalars['String']['output'];
  node: ExportJob;
};

export type ExportJobError = {
  __typename?: 'ExportJobError';
  callStack: Maybe<Scalars['String']['output']>;
  code: Scalars['String']['output'];
  msg: Scalars['String']['output'];
};

export type ExportJobEvent = {
  __typename?: 'ExportJobEvent';
  /** The stored event's opaque id, to resume the tenant's stream after it (`after`); null on a `SNAPSHOT`. */
  id: Maybe<Scalars['ID']['output']>;
  /** The job as it is when the event is delivered. */
  job: ExportJob;
  occurredAt: Scalars['DateTime']['output'];
  previousStatus: Maybe<ExportJobStatus>;
  progress: ExportJobProgress;
  /** The job's events counted from 1 (its creation); a watcher can drop what it has seen. */
  sequence: Scalars['Int']['output'];
  /** The status this event is about. */
  status: ExportJobStatus;
  type: ExportJobEventType;
};

export type ExportJobEventConnection = {
  __typename?: 'ExportJobEventConnection';
  edges: Array<ExportJobEventEdge>;
  pageInfo: PageInfo;
};

export type ExportJobEventEdge = {
  __typename?: 'ExportJobEventEdge';
  /** The event's `id`. */
  cursor: Scalars['String']['output'];
  node: ExportJobEvent;
};

export type ExportJobEventType =
  | 'CREATED'
  | 'PROGRESS'
  | 'SNAPSHOT'
  | 'STATUS_CHANGED';

/**
 * The job's phases in time. A phase that was running when the job was cancelled or
 * failed ends with the job; one that had ended keeps its end (the profile export's
 * is its last profile read, before the dataset write).
 */
export type ExportJobMetrics = {
  __typename?: 'ExportJobMetrics';
  datasetWriteTime: TimeSpan;
  exportedProfileByNamespaceCounter: Array<NamespaceCount>;
  profileExportTime: TimeSpan;
  /**
   * The evaluation of the filter's segments before the export, with
   * `evaluationInfo.segmentation: true` (its start is the evaluation time of
   * every segment); both ends null without it.
   */
  segmentationTime: TimeSpan;
  /**
   * Profiles the segmentation evaluated, once per distinct segment of the filter; 0 without
   * it. A rerun evaluates again from zero: until it passes the last run, this shows the most
   * any run reached.
   */
  segmentedProfileCounter: Scalars['Int']['output'];
  totalExportedProfileCounter: Scalars['Int']['output'];
  totalTime: TimeSpan;
};

export type ExportJobProgress = {
  __typename?: 'ExportJobProgress';
  /**
   * 0 to 100, with one decimal. With `evaluationInfo.segmentation`, the evaluation
   * of the segments is its first half (0 to 50, once the runner has counted the
   * profiles to evaluate) and the export its second; it never goes back.
   */
  percent: Scalars['Float']['output'];
  processedProfiles: Scalars['Int']['output'];
  /** Null until the runner has counted the profiles to export. */
  totalProfiles: Maybe<Scalars['Int']['output']>;
};

export type ExportJobStatus =
  | 'CANCELLED'
  | 'CANCELLING'
  | 'FAILED'
  | 'NEW'
  | 'PROCESSING'
  | 'SUCCEEDED';

export type ExportJobType =
  | 'BATCH';

/** The limits of the calling tenant. */
export type ExportLimits = {
  __typename?: 'ExportLimits';
  /** Jobs the tenant may create in 24 hours (LIMIT_JOBS_PER_DAY), and how many it created in the last 24 hours. */
  jobsPerDay: LimitUsage;
  /** Jobs the tenant may have waiting as NEW at once (LIMIT_QUEUED_JOBS), and how many wait now. */
  queuedJobs: LimitUsage;
  /** The bounds on one request: depth, aliases, tokens, directives and cost of its document, bytes of its body and variables. */
  request: RequestLimits;
  /** Requests a second the tenant may send, over every server process (LIMIT_REQUESTS_PER_SECOND). */
  requestsPerSecond: Scalars['Int']['output'];
  /** Subscriptions one WebSocket may hold (LIMIT_WS_SUBSCRIPTIONS). */
  subscriptionsPerConnection: Scalars['Int']['output'];
};

/** How an export's batches become files once every record is exported. */
export type ExportOutput = {
  __typename?: 'ExportOutput';
  /** For JSONL and CSV it wraps the file; for PARQUET it is the column codec. */
  compression: Compression;
  format: ExportFormat;
  /** A batch is split into files of at most this many records, in profile id order. */
  maxRecordsPerFile: Scalars['Int']['output'];
};

/**
 * A combination this build cannot write is refused with `BAD_USER_INPUT`, never
 * changed: JSONL and CSV take NONE, GZIP or ZSTD; PARQUET takes NONE, SNAPPY, GZIP
 * or ZSTD as its column codec.
 */
export type ExportOutputInput = {
  compression?: InputMaybe<Compression>;
  format?: InputMaybe<ExportFormat>;
  /** 1 to 10,000,000. A file also ends once its records' JSON text reaches 512 Mi characters, so that its `bytes` fit an Int. */
  maxRecordsPerFile?: InputMaybe<Scalars['Int']['input']>;
};

export type ExportSchema = {
  __typename?: 'ExportSchema';
  name: Scalars['String']['output'];
};

export type ExportSchemaInput = {
  /** Must be `_xdm.context.profile`. */
  name: Scalars['String']['input'];
};

export type IdentityInput = {
  id: Scalars['String']['input'];
  namespace: Scalars['String']['input'];
};

export type IngestProfilesPayload = {
  __typename?: 'IngestProfilesPayload';
  upserted: Scalars['Int']['output'];
};

export type LimitUsage = {
  __typename?: 'LimitUsage';
  max: Scalars['Int']['output'];
  remaining: Scalars['Int']['output'];
  used: Scalars['Int']['output'];
};

export type MergePolicy = {
  __typename?: 'MergePolicy';
  id: Scalars['String']['output'];
  version: Scalars['Int']['output'];
};

export type MergePolicyInput = {
  id: Scalars['String']['input'];
  /** Defaults to the latest version, 1. */
  version?: InputMaybe<Scalars['Int']['input']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Cancels an export job: `NEW` becomes `CANCELLED` at once, `PROCESSING` becomes
   * `CANCELLING` until the runner stops it. Cancelling a cancelled or cancelling job
   * answers the same again; a finished job (`SUCCEEDED`, `FAILED`) is a `CONFLICT`.
   */
  cancelExportJob: CancelExportJobPayload;
  /** Creates a dataset that export jobs can write into. */
  createDataset: Dataset;
  /**
   * Creates an export job in status `NEW`. With an `idempotencyKey` already used in
   * this tenant, returns the job created first and writes nothing.
   */
  createExportJob: ExportJob;
  /**
   * Saves a segment definition: a named PQL expression over the profile document
   * and its experience events. The expression is compiled now, so one that would
   * not evaluate is refused here (`BAD_USER_INPUT` on `expression.value`, with
   * `line`, `column` and `token`, or `unsupported`). A tenant has at most 1,000
   * definitions (`LIMIT_EXCEEDED`, `extensions.quota`: `segmentDefinitions`).
   */
  createSegmentDefinition: SegmentDefinition;
  /**
   * Registers an endpoint that is sent the tenant's job events as they happen,
   * signed per the Standard Webhooks spec with the `secret` answered here (and
   * only here). `events` and `statuses` narrow what is sent (null: everything).
   * The URL must be `https` and must resolve to public addresses only. With
   * WEBHOOK_ALLOW_PRIVATE=1, loopback and private addresses are allowed too, and
   * `http` only to those; link-local and other special addresses never are. A
   * tenant has at most LIMIT_WEBHOOKS of them.
   */
  createWebhook: CreateWebhookPayload;
  /**
   * Deletes a segment definition; memberships with its id stay. A definition
   * that a `NEW` or `PROCESSING` export job names in its `filter.segments`, or
   * that a `NEW` or `PROCESSING` segment job evaluates, is a `CONFLICT` until
   * that job ends (or the export job is cancelled). Another tenant's is `NOT_FOUND`.
   */
  deleteSegmentDefinition: DeleteSegmentDefinitionPayload;
  /** Deletes a webhook and its delivery history; what was not yet delivered is not sent. */
  deleteWebhook: DeleteWebhookPayload;
  /**
   * Evaluates segment definitions on their own, outside any export: a segment job
   * in status `NEW`, which the runners claim as they claim export jobs (same
   * lease, same per-tenant limit of running jobs) and which ends `SUCCEEDED` with
   * the memberships moved, or `FAILED`. All its segments are evaluated at one
   * time, the job's `startTime`. `segmentIds`: 1 to 100 ids of the tenant's
   * definitions, without repeats (`BAD_USER_INPUT` otherwise, naming the unknown
   * ones). A tenant has at most LIMIT_QUEUED_JOBS segment jobs waiting as `NEW`
   * (`LIMIT_EXCEEDED`, `extensions.quota`: `queuedSegmentJobs`).
   */
  evaluateSegments: SegmentJob;
  /**
   * Loads profiles into the tenant's profile store: at most 1,000 a call, upserted
   * by `profileId`, all or nothing. A profile replaces the stored one; its
   * `segments` and `events`, when given, replace the stored memberships and events.
   */
  ingestProfiles: IngestProfilesPayload;
  /** Replaces a webhook's signing secret: deliveries sent from now on are signed with the new one (up to a batch of 100 already on their way may still carry the old). */
  rotateWebhookSecret: CreateWebhookPayload;
  /**
   * Changes the fields `input` gives and keeps the others; `updateTime` moves. Same
   * rules as `createSegmentDefinition`. Another tenant's definition is `NOT_FOUND`.
   */
  updateSegmentDefinition: SegmentDefinition;
};


export type MutationCancelExportJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateDatasetArgs = {
  input: CreateDatasetInput;
};


export type MutationCreateExportJobArgs = {
  input: CreateExportJobInput;
};


export type MutationCreateSegmentDefinitionArgs = {
  input: CreateSegmentDefinitionInput;
};


export type MutationCreateWebhookArgs = {
  input: CreateWebhookInput;
};


export type MutationDeleteSegmentDefinitionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteWebhookArgs = {
  id: Scalars['ID']['input'];
};


export type MutationEvaluateSegmentsArgs = {
  segmentIds: Array<Scalars['ID']['input']>;
};


export type MutationIngestProfilesArgs = {
  profiles: Array<ProfileInput>;
};


export type MutationRotateWebhookSecretArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateSegmentDefinitionArgs = {
  id: Scalars['ID']['input'];
  input: UpdateSegmentDefinitionInput;
};

export type NamespaceCount = {
  __typename?: 'NamespaceCount';
  count: Scalars['Int']['output'];
  namespace: Scalars['String']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor: Maybe<Scalars['String']['output']>;
};

export type ProfileInput = {
  attributes?: InputMaybe<Scalars['JSONObject']['input']>;
  events?: InputMaybe<Array<ExperienceEventInput>>;
  /** false for an "empty" profile that has only events. Defaults to true. */
  hasProfileRecord?: InputMaybe<Scalars['Boolean']['input']>;
  identities: Array<IdentityInput>;
  profileId: Scalars['ID']['input'];
  segments?: InputMaybe<Array<SegmentMembershipInput>>;
  /** The merged update (ingest) time that `filter.fromIngestTimestamp` compares with. */
  updatedAt: Scalars['DateTime']['input'];
};

export type Query = {
  __typename?: 'Query';
  /**
   * One batch of the tenant, or null when it does not exist (or belongs to another
   * tenant). Its records are also served as NDJSON, one record a line, by
   * `GET /data/batches/{id}/records` under the same headers.
   */
  batch: Maybe<Batch>;
  /** One dataset of the tenant, or null. */
  dataset: Maybe<Dataset>;
  /** The tenant's datasets, newest first (page size defaults to 20, at most 100). */
  datasets: DatasetConnection;
  /** One export job of the tenant, or null when it does not exist (or belongs to another tenant). */
  exportJob: Maybe<ExportJob>;
  /**
   * The tenant's export jobs, newest first. Relay pagination: `first`/`after` walks
   * towards older jobs, `last`/`before` towards newer ones (`before` alone reads the
   * page just newer than the cursor); page size defaults to 20, at most 100.
   * `status` keeps only jobs in one of the given statuses (an empty list keeps all).
   */
  exportJobs: ExportJobConnection;
  /** What the tenant may do and what it has used of it (its quotas, and the bounds on every request). */
  exportLimits: ExportLimits;
  /**
   * The stored events of the tenant's jobs, oldest first: the same log that
   * `jobStatusChanged` replays. With `jobId`, one job's events (an unknown job is
   * `NOT_FOUND`). Events are kept EVENT_RETENTION_DAYS (default 7). Page size
   * defaults to 20, at most 100.
   */
  jobEvents: ExportJobEventConnection;
  /**
   * What a PQL expression (`pql/text`, at most 10,000 characters) would select in
   * the tenant's profile store now, without storing anything: for writing an
   * expression before saving it as a definition. A refused expression is
   * `BAD_USER_INPUT` on `expression`, with `line`, `column` and `token` (or
   * `unsupported`, the construct refused) in its extensions.
   */
  previewSegment: SegmentPreview;
  /** One segment definition of the tenant, or null when it does not exist (or belongs to another tenant). */
  segmentDefinition: Maybe<SegmentDefinition>;
  /** The tenant's segment definitions, newest first (page size defaults to 20, at most 100). */
  segmentDefinitions: SegmentDefinitionConnection;
  /** One segment job of the tenant, or null when it does not exist (or belongs to another tenant). */
  segmentJob: Maybe<SegmentJob>;
  /** One webhook of the tenant, or null. */
  webhook: Maybe<Webhook>;
  /** The tenant's webhooks, newest first (page size defaults to 20, at most 100). */
  webhooks: WebhookConnection;
};


export type QueryBatchArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDatasetArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDatasetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryExportJobArgs = {
  id: Scalars['ID']['input'];
};


export type QueryExportJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<ExportJobStatus>>;
};


export type QueryJobEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  jobId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryPreviewSegmentArgs = {
  expression: Scalars['String']['input'];
};


export type QuerySegmentDefinitionArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySegmentDefinitionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySegmentJobArgs = {
  id: Scalars['ID']['input'];
};


export type QueryWebhookArgs = {
  id: Scalars['ID']['input'];
};


export type QueryWebhooksArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type RequestLimits = {
  __typename?: 'RequestLimits';
  maxAliases: Scalars['Int']['output'];
  maxBatchOperations: Scalars['Int']['output'];
  maxBodyBytes: Scalars['Int']['output'];
  maxCost: Scalars['Int']['output'];
  maxDepth: Scalars['Int']['output'];
  maxDirectives: Scalars['Int']['output'];
  maxTokens: Scalars['Int']['output'];
  maxVariablesBytes: Scalars['Int']['output'];
};

export type SchemaRef = {
  __typename?: 'SchemaRef';
  contentType: Scalars['String']['output'];
  id: Scalars['String']['output'];
};

export type SchemaRefInput = {
  /** e.g. `application/vnd.adobe.xed+json;version=1` */
  contentType: Scalars['String']['input'];
  /** e.g. `https://ns.adobe.com/xdm/context/profile__union` */
  id: Scalars['String']['input'];
};

/**
 * A segment: a named PQL expression the tenant saved. Its memberships carry
 * `segmentId` = its `id` and this `segmentNs`, so an export's
 * `filter.segments[{ segmentId }]` names it. An export with
 * `evaluationInfo.segmentation: true` evaluates it into memberships first.
 */
export type SegmentDefinition = {
  __typename?: 'SegmentDefinition';
  creationTime: Scalars['DateTime']['output'];
  description: Maybe<Scalars['String']['output']>;
  expression: SegmentExpression;
  /** A UUID. */
  id: Scalars['ID']['output'];
  /** The newest segment job that evaluated it and ended (`SUCCEEDED` or `FAILED`); null before the first. */
  lastEvaluation: Maybe<SegmentJob>;
  /** The merge policy its exports take when they give none. */
  mergePolicyId: Scalars['String']['output'];
  name: Scalars['String']['output'];
  /** The union schema the expression reads. */
  schema: ExportSchema;
  /** Always `ups`: the namespace of the memberships it produces. */
  segmentNs: Scalars['String']['output'];
  updateTime: Scalars['DateTime']['output'];
};

export type SegmentDefinitionConnection = {
  __typename?: 'SegmentDefinitionConnection';
  edges: Array<SegmentDefinitionEdge>;
  pageInfo: PageInfo;
  /** The tenant's definitions (counted only when selected). */
  totalCount: Scalars['Int']['output'];
};

export type SegmentDefinitionEdge = {
  __typename?: 'SegmentDefinitionEdge';
  cursor: Scalars['String']['output'];
  node: SegmentDefinition;
};

export type SegmentExpression = {
  __typename?: 'SegmentExpression';
  /** `pql/text`. */
  format: Scalars['String']['output'];
  /** `PQL`. */
  type: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

export type SegmentExpressionInput = {
  /** Only `pql/text`. */
  format?: InputMaybe<Scalars['String']['input']>;
  /** Only `PQL`. */
  type?: InputMaybe<Scalars['String']['input']>;
  /** The PQL expression: 1 to 10,000 characters. */
  value: Scalars['String']['input'];
};

export type SegmentFilter = {
  __typename?: 'SegmentFilter';
  segmentId: Scalars['String']['output'];
  segmentNs: Maybe<Scalars['String']['output']>;
  status: Array<SegmentStatus>;
};

export type SegmentFilterInput = {
  segmentId: Scalars['String']['input'];
  segmentNs?: InputMaybe<Scalars['String']['input']>;
  /** Defaults to [REALIZED, EXISTING]. */
  status?: InputMaybe<Array<SegmentStatus>>;
};

/**
 * The evaluation of some segment definitions on their own (`evaluateSegments`).
 * Its counts sum the memberships of all its segments; while it runs they grow
 * segment by segment and chunk by chunk, and a run that resumes after a crash
 * counts again from zero, ending at the same figures.
 */
export type SegmentJob = {
  __typename?: 'SegmentJob';
  creationTime: Scalars['DateTime']['output'];
  endTime: Maybe<Scalars['DateTime']['output']>;
  /** Why it failed (`SEGMENT_NOT_DEFINED` when a definition was deleted before its run, `SEGMENT_EVALUATION_FAILED`, `SEGMENT_ATTEMPTS_EXHAUSTED`); empty otherwise. */
  errors: Array<ExportJobError>;
  /** Profiles that stayed in a segment (`EXISTING`, keeping their first qualification time). */
  existing: Scalars['Int']['output'];
  /** Profiles that left a segment: `EXITED` at the evaluation time. */
  exited: Scalars['Int']['output'];
  /** A UUID. */
  id: Scalars['ID']['output'];
  /** Profiles newly in a segment: `REALIZED` at the evaluation time. */
  realized: Scalars['Int']['output'];
  segmentIds: Array<Scalars['ID']['output']>;
  /** When the first run started: the evaluation time of every segment of the job. */
  startTime: Maybe<Scalars['DateTime']['output']>;
  /** `NEW`, `PROCESSING`, then `SUCCEEDED` or `FAILED`. */
  status: ExportJobStatus;
};

export type SegmentMembershipInput = {
  qualificationTime: Scalars['DateTime']['input'];
  segmentId: Scalars['String']['input'];
  segmentNs: Scalars['String']['input'];
  status: SegmentStatus;
};

/**
 * What an expression selects in the tenant's profile store now (every profile
 * of the store, those with only events included).
 */
export type SegmentPreview = {
  __typename?: 'SegmentPreview';
  /** Profiles the expression selects. */
  matchingProfiles: Scalars['Int']['output'];
  /**
   * The first `first` matching profiles (0 to 100) in profile-id order, each as
   * the document an export writes with no `fields`: `{profileId, identities,
   * ...attributes}`.
   */
  sample: Array<Scalars['JSONObject']['output']>;
  /** Profiles of the tenant's store. */
  totalProfiles: Scalars['Int']['output'];
};


/**
 * What an expression selects in the tenant's profile store now (every profile
 * of the store, those with only events included).
 */
export type SegmentPreviewSampleArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Only memberships that qualified at `startTime <= t < endTime` (either bound optional). */
export type SegmentQualificationTime = {
  __typename?: 'SegmentQualificationTime';
  endTime: Maybe<Scalars['DateTime']['output']>;
  startTime: Maybe<Scalars['DateTime']['output']>;
};

export type SegmentQualificationTimeInput = {
  endTime?: InputMaybe<Scalars['DateTime']['input']>;
  startTime?: InputMaybe<Scalars['DateTime']['input']>;
};

/**
 * How a profile stands in a segment: `REALIZED` entering it, `EXISTING` staying in
 * it, `EXITED` leaving it.
 */
export type SegmentStatus =
  | 'EXISTING'
  | 'EXITED'
  | 'REALIZED';

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Live changes of the tenant's export jobs, over graphql-ws (`ws://…/graphql`; the
   * tenant headers go in the `connection_init` payload). With `id`: a `SNAPSHOT` of the
   * job as it is now, then each change, completing after the job's terminal event (at
   * once when it is terminal already); an unknown id is `NOT_FOUND`. Without `id`:
   * every event of the tenant's jobs, creations included. `status` keeps events whose
   * job has one of these statuses. `sequence` counts a job's events from 1.
   *
   * Resuming: with `id` and `afterSequence`, the job's stored events after that
   * sequence come first (no `SNAPSHOT`; one only when those events are no longer
   * kept), then live ones; without `id`, `after` (an event's `id`) does the same for
   * the tenant's stream. Replayed and live events meet with no gap and no duplicate.
   */
  jobStatusChanged: ExportJobEvent;
};


export type SubscriptionJobStatusChangedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  afterSequence?: InputMaybe<Scalars['Int']['input']>;
  id?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<Array<ExportJobStatus>>;
};

export type TimeSpan = {
  __typename?: 'TimeSpan';
  endTime: Maybe<Scalars['DateTime']['output']>;
  startTime: Maybe<Scalars['DateTime']['output']>;
  /** Set once both ends are known. Milliseconds, as a Float: a span can outgrow Int's 2^31 ms (24.8 days), a job left NEW that long and then cancelled. */
  totalTimeInMs: Maybe<Scalars['Float']['output']>;
};

/** Each field given replaces the stored one; an omitted field is kept. */
export type UpdateSegmentDefinitionInput = {
  /** At most 2,000 characters; null removes it. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Null is refused. */
  expression?: InputMaybe<SegmentExpressionInput>;
  /** 1 to 255 characters; null returns to `timestampOrdered-none-mp`. */
  mergePolicyId?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 200 characters; null is refused. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Null returns to `_xdm.context.profile`. */
  schema?: InputMaybe<ExportSchemaInput>;
};

/**
 * An endpoint that is sent the tenant's job events: at least once, in event order,
 * each POST signed (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried
 * with backoff for 24 hours. An endpoint whose every delivery has failed for 3 days
 * is disabled.
 */
export type Webhook = {
  __typename?: 'Webhook';
  createdAt: Scalars['DateTime']['output'];
  /** Attempts to deliver, newest first (page size defaults to 20, at most 100). */
  deliveries: WebhookDeliveryConnection;
  description: Maybe<Scalars['String']['output']>;
  /** Why the webhook was disabled; null while it is enabled. */
  disabledReason: Maybe<Scalars['String']['output']>;
  enabled: Scalars['Boolean']['output'];
  events: Maybe<Array<ExportJobEventType>>;
  /** Since when every delivery has failed; null when the last one succeeded. */
  failingSince: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  statuses: Maybe<Array<ExportJobStatus>>;
  url: Scalars['String']['output'];
};


/**
 * An endpoint that is sent the tenant's job events: at least once, in event order,
 * each POST signed (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried
 * with backoff for 24 hours. An endpoint whose every delivery has failed for 3 days
 * is disabled.
 */
export type WebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type WebhookConnection = {
  __typename?: 'WebhookConnection';
  edges: Array<WebhookEdge>;
  pageInfo: PageInfo;
};

/** One attempt to deliver an event to a webhook. */
export type WebhookDelivery = {
  __typename?: 'WebhookDelivery';
  /** 1 for the first attempt at this event. */
  attempt: Scalars['Int']['output'];
  attemptedAt: Scalars['DateTime']['output'];
  durationMs: Scalars['Int']['output'];
  /** What went wrong; null on success. */
  error: Maybe<Scalars['String']['output']>;
  /** The delivered event's `id` (as `ExportJobEvent.id`). */
  eventId: Scalars['ID']['output'];
  /** The endpoint's HTTP status; null when no answer came (timeout, refused, unreachable). */
  httpStatus: Maybe<Scalars['Int']['output']>;
  succeeded: Scalars['Boolean']['output'];
};

export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  edges: Array<WebhookDeliveryEdge>;
  pageInfo: PageInfo;
};

export type WebhookDeliveryEdge = {
  __typename?: 'WebhookDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: WebhookDelivery;
};

export type WebhookEdge = {
  __typename?: 'WebhookEdge';
  cursor: Scalars['String']['output'];
  node: Webhook;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = {
  Dataset: Dataset;
  ExportJob: ExportJob;
  SegmentDefinition: SegmentDefinition;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Dataset:
    ( { __typename: 'Dataset' }
    & GraphQLRecursivePick<FederationTypes['Dataset'], {"id":true}> );
  ExportJob:
    ( { __typename: 'ExportJob' }
    & GraphQLRecursivePick<FederationTypes['ExportJob'], {"id":true}> );
  SegmentDefinition:
    ( { __typename: 'SegmentDefinition' }
    & GraphQLRecursivePick<FederationTypes['SegmentDefinition'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AdditionalFields: ResolverTypeWrapper<AdditionalFields>;
  AdditionalFieldsInput: AdditionalFieldsInput;
  Batch: ResolverTypeWrapper<BatchRow>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  BatchConnection: ResolverTypeWrapper<Connection<BatchRow>>;
  BatchEdge: ResolverTypeWrapper<Omit<BatchEdge, 'node'> & { node: ResolversTypes['Batch'] }>;
  BatchFile: ResolverTypeWrapper<BatchFileRow>;
  BatchRecordConnection: ResolverTypeWrapper<BatchRecordPage>;
  BatchRecordEdge: ResolverTypeWrapper<BatchRecordEdge>;
  BatchStatus: BatchStatus;
  CancelExportJobPayload: ResolverTypeWrapper<CancelOutcome>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Compression: Compression;
  ComputeGatewayJobId: ResolverTypeWrapper<ComputeGatewayJobId>;
  CreateDatasetInput: CreateDatasetInput;
  CreateExportJobInput: CreateExportJobInput;
  CreateSegmentDefinitionInput: CreateSegmentDefinitionInput;
  CreateWebhookInput: CreateWebhookInput;
  CreateWebhookPayload: ResolverTypeWrapper<CreatedWebhook>;
  Dataset: ResolverTypeWrapper<DatasetRow>;
  DatasetConnection: ResolverTypeWrapper<Connection<DatasetRow>>;
  DatasetEdge: ResolverTypeWrapper<Omit<DatasetEdge, 'node'> & { node: ResolversTypes['Dataset'] }>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteSegmentDefinitionPayload: ResolverTypeWrapper<DeleteSegmentDefinitionPayload>;
  DeleteWebhookPayload: ResolverTypeWrapper<DeleteWebhookPayload>;
  DestinationBatch: ResolverTypeWrapper<DestinationBatch>;
  DestinationInput: DestinationInput;
  EvaluationInfo: ResolverTypeWrapper<EvaluationInfo>;
  EvaluationInfoInput: EvaluationInfoInput;
  EventFilter: ResolverTypeWrapper<EventFilter>;
  EventFilterInput: EventFilterInput;
  EventList: ResolverTypeWrapper<EventList>;
  EventListInput: EventListInput;
  ExperienceEventInput: ExperienceEventInput;
  ExportDestination: ResolverTypeWrapper<ExportDestination>;
  ExportFilter: ResolverTypeWrapper<ExportFilter>;
  ExportFilterInput: ExportFilterInput;
  ExportFormat: ExportFormat;
  ExportJob: ResolverTypeWrapper<ExportJobRow>;
  ExportJobConnection: ResolverTypeWrapper<Connection<ExportJobRow>>;
  ExportJobEdge: ResolverTypeWrapper<Omit<ExportJobEdge, 'node'> & { node: ResolversTypes['ExportJob'] }>;
  ExportJobError: ResolverTypeWrapper<ExportJobError>;
  ExportJobEvent: ResolverTypeWrapper<WatchedJobEvent>;
  ExportJobEventConnection: ResolverTypeWrapper<Page<WatchedJobEvent>>;
  ExportJobEventEdge: ResolverTypeWrapper<Omit<ExportJobEventEdge, 'node'> & { node: ResolversTypes['ExportJobEvent'] }>;
  ExportJobEventType: ExportJobEventType;
  ExportJobMetrics: ResolverTypeWrapper<ExportJobMetrics>;
  ExportJobProgress: ResolverTypeWrapper<ExportJobProgress>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ExportJobStatus: ExportJobStatus;
  ExportJobType: ExportJobType;
  ExportLimits: ResolverTypeWrapper<ExportLimits>;
  ExportOutput: ResolverTypeWrapper<ExportOutput>;
  ExportOutputInput: ExportOutputInput;
  ExportSchema: ResolverTypeWrapper<ExportSchema>;
  ExportSchemaInput: ExportSchemaInput;
  IdentityInput: IdentityInput;
  IngestProfilesPayload: ResolverTypeWrapper<IngestProfilesPayload>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  JSONObject: ResolverTypeWrapper<Scalars['JSONObject']['output']>;
  LimitUsage: ResolverTypeWrapper<LimitUsage>;
  MergePolicy: ResolverTypeWrapper<MergePolicy>;
  MergePolicyInput: MergePolicyInput;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NamespaceCount: ResolverTypeWrapper<NamespaceCount>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  ProfileInput: ProfileInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RequestLimits: ResolverTypeWrapper<RequestLimits>;
  SchemaRef: ResolverTypeWrapper<SchemaRef>;
  SchemaRefInput: SchemaRefInput;
  SegmentDefinition: ResolverTypeWrapper<SegmentDefinitionRow>;
  SegmentDefinitionConnection: ResolverTypeWrapper<Connection<SegmentDefinitionRow>>;
  SegmentDefinitionEdge: ResolverTypeWrapper<Omit<SegmentDefinitionEdge, 'node'> & { node: ResolversTypes['SegmentDefinition'] }>;
  SegmentExpression: ResolverTypeWrapper<SegmentExpression>;
  SegmentExpressionInput: SegmentExpressionInput;
  SegmentFilter: ResolverTypeWrapper<SegmentFilter>;
  SegmentFilterInput: SegmentFilterInput;
  SegmentJob: ResolverTypeWrapper<SegmentJobRow>;
  SegmentMembershipInput: SegmentMembershipInput;
  SegmentPreview: ResolverTypeWrapper<SegmentPreviewSource>;
  SegmentQualificationTime: ResolverTypeWrapper<SegmentQualificationTime>;
  SegmentQualificationTimeInput: SegmentQualificationTimeInput;
  SegmentStatus: SegmentStatus;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TimeSpan: ResolverTypeWrapper<TimeSpan>;
  UpdateSegmentDefinitionInput: UpdateSegmentDefinitionInput;
  Webhook: ResolverTypeWrapper<WebhookRow>;
  WebhookConnection: ResolverTypeWrapper<Page<WebhookRow>>;
  WebhookDelivery: ResolverTypeWrapper<WebhookDeliveryRow>;
  WebhookDeliveryConnection: ResolverTypeWrapper<Page<WebhookDeliveryRow>>;
  WebhookDeliveryEdge: ResolverTypeWrapper<Omit<WebhookDeliveryEdge, 'node'> & { node: ResolversTypes['WebhookDelivery'] }>;
  WebhookEdge: ResolverTypeWrapper<Omit<WebhookEdge, 'node'> & { node: ResolversTypes['Webhook'] }>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AdditionalFields: AdditionalFields;
  AdditionalFieldsInput: AdditionalFieldsInput;
  Batch: BatchRow;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  String: Scalars['String']['output'];
  BatchConnection: Connection<BatchRow>;
  BatchEdge: Omit<BatchEdge, 'node'> & { node: ResolversParentTypes['Batch'] };
  BatchFile: BatchFileRow;
  BatchRecordConnection: BatchRecordPage;
  BatchRecordEdge: BatchRecordEdge;
  CancelExportJobPayload: CancelOutcome;
  Boolean: Scalars['Boolean']['output'];
  ComputeGatewayJobId: ComputeGatewayJobId;
  CreateDatasetInput: CreateDatasetInput;
  CreateExportJobInput: CreateExportJobInput;
  CreateSegmentDefinitionInput: CreateSegmentDefinitionInput;
  CreateWebhookInput: CreateWebhookInput;
  CreateWebhookPayload: CreatedWebhook;
  Dataset: DatasetRow;
  DatasetConnection: Connection<DatasetRow>;
  DatasetEdge: Omit<DatasetEdge, 'node'> & { node: ResolversParentTypes['Dataset'] };
  DateTime: Scalars['DateTime']['output'];
  DeleteSegmentDefinitionPayload: DeleteSegmentDefinitionPayload;
  DeleteWebhookPayload: DeleteWebhookPayload;
  DestinationBatch: DestinationBatch;
  DestinationInput: DestinationInput;
  EvaluationInfo: EvaluationInfo;
  EvaluationInfoInput: EvaluationInfoInput;
  EventFilter: EventFilter;
  EventFilterInput: EventFilterInput;
  EventList: EventList;
  EventListInput: EventListInput;
  ExperienceEventInput: ExperienceEventInput;
  ExportDestination: ExportDestination;
  ExportFilter: ExportFilter;
  ExportFilterInput: ExportFilterInput;
  ExportJob: ExportJobRow;
  ExportJobConnection: Connection<ExportJobRow>;
  ExportJobEdge: Omit<ExportJobEdge, 'node'> & { node: ResolversParentTypes['ExportJob'] };
  ExportJobError: ExportJobError;
  ExportJobEvent: WatchedJobEvent;
  ExportJobEventConnection: Page<WatchedJobEvent>;
  ExportJobEventEdge: Omit<ExportJobEventEdge, 'node'> & { node: ResolversParentTypes['ExportJobEvent'] };
  ExportJobMetrics: ExportJobMetrics;
  ExportJobProgress: ExportJobProgress;
  Float: Scalars['Float']['output'];
  ExportLimits: ExportLimits;
  ExportOutput: ExportOutput;
  ExportOutputInput: ExportOutputInput;
  ExportSchema: ExportSchema;
  ExportSchemaInput: ExportSchemaInput;
  IdentityInput: IdentityInput;
  IngestProfilesPayload: IngestProfilesPayload;
  JSON: Scalars['JSON']['output'];
  JSONObject: Scalars['JSONObject']['output'];
  LimitUsage: LimitUsage;
  MergePolicy: MergePolicy;
  MergePolicyInput: MergePolicyInput;
  Mutation: Record<PropertyKey, never>;
  NamespaceCount: NamespaceCount;
  PageInfo: PageInfo;
  ProfileInput: ProfileInput;
  Query: Record<PropertyKey, never>;
  RequestLimits: RequestLimits;
  SchemaRef: SchemaRef;
  SchemaRefInput: SchemaRefInput;
  SegmentDefinition: SegmentDefinitionRow;
  SegmentDefinitionConnection: Connection<SegmentDefinitionRow>;
  SegmentDefinitionEdge: Omit<SegmentDefinitionEdge, 'node'> & { node: ResolversParentTypes['SegmentDefinition'] };
  SegmentExpression: SegmentExpression;
  SegmentExpressionInput: SegmentExpressionInput;
  SegmentFilter: SegmentFilter;
  SegmentFilterInput: SegmentFilterInput;
  SegmentJob: SegmentJobRow;
  SegmentMembershipInput: SegmentMembershipInput;
  SegmentPreview: SegmentPreviewSource;
  SegmentQualificationTime: SegmentQualificationTime;
  SegmentQualificationTimeInput: SegmentQualificationTimeInput;
  Subscription: Record<PropertyKey, never>;
  TimeSpan: TimeSpan;
  UpdateSegmentDefinitionInput: UpdateSegmentDefinitionInput;
  Webhook: WebhookRow;
  WebhookConnection: Page<WebhookRow>;
  WebhookDelivery: WebhookDeliveryRow;
  WebhookDeliveryConnection: Page<WebhookDeliveryRow>;
  WebhookDeliveryEdge: Omit<WebhookDeliveryEdge, 'node'> & { node: ResolversParentTypes['WebhookDelivery'] };
  WebhookEdge: Omit<WebhookEdge, 'node'> & { node: ResolversParentTypes['Webhook'] };
};

export type AdditionalFieldsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AdditionalFields'] = ResolversParentTypes['AdditionalFields']> = {
  eventList?: Resolver<Maybe<ResolversTypes['EventList']>, ParentType, ContextType>;
};

export type BatchResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Batch'] = ResolversParentTypes['Batch']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  datasetId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  files?: Resolver<Array<ResolversTypes['BatchFile']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jobId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  manifest?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  recordCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  records?: Resolver<ResolversTypes['BatchRecordConnection'], ParentType, ContextType, Partial<BatchRecordsArgs>>;
  segmentId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  segmentNs?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['BatchStatus'], ParentType, ContextType>;
};

export type BatchConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BatchConnection'] = ResolversParentTypes['BatchConnection']> = {
  edges?: Resolver<Array<ResolversTypes['BatchEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type BatchEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BatchEdge'] = ResolversParentTypes['BatchEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Batch'], ParentType, ContextType>;
};

export type BatchFileResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BatchFile'] = ResolversParentTypes['BatchFile']> = {
  bytes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  compression?: Resolver<ResolversTypes['Compression'], ParentType, ContextType>;
  downloadUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType, RequireFields<BatchFileDownloadUrlArgs, 'expiresInSeconds'>>;
  format?: Resolver<ResolversTypes['ExportFormat'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  records?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sha256?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type BatchRecordConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BatchRecordConnection'] = ResolversParentTypes['BatchRecordConnection']> = {
  edges?: Resolver<Array<ResolversTypes['BatchRecordEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type BatchRecordEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BatchRecordEdge'] = ResolversParentTypes['BatchRecordEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['JSONObject'], ParentType, ContextType>;
};

export type CancelExportJobPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CancelExportJobPayload'] = ResolversParentTypes['CancelExportJobPayload']> = {
  job?: Resolver<Maybe<ResolversTypes['ExportJob']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type ComputeGatewayJobIdResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ComputeGatewayJobId'] = ResolversParentTypes['ComputeGatewayJobId']> = {
  exportJob?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  pushJob?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type CreateWebhookPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CreateWebhookPayload'] = ResolversParentTypes['CreateWebhookPayload']> = {
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  webhook?: Resolver<ResolversTypes['Webhook'], ParentType, ContextType>;
};

export type DatasetResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Dataset'] = ResolversParentTypes['Dataset'], FederationReferenceType extends FederationReferenceTypes['Dataset'] = FederationReferenceTypes['Dataset']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Dataset']> | FederationReferenceType, FederationReferenceType, ContextType>;
  batches?: Resolver<ResolversTypes['BatchConnection'], ParentType, ContextType, Partial<DatasetBatchesArgs>>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  schemaRef?: Resolver<ResolversTypes['SchemaRef'], ParentType, ContextType>;
};

export type DatasetConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DatasetConnection'] = ResolversParentTypes['DatasetConnection']> = {
  edges?: Resolver<Array<ResolversTypes['DatasetEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type DatasetEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DatasetEdge'] = ResolversParentTypes['DatasetEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Dataset'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeleteSegmentDefinitionPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DeleteSegmentDefinitionPayload'] = ResolversParentTypes['DeleteSegmentDefinitionPayload']> = {
  deletedSegmentDefinitionId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type DeleteWebhookPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DeleteWebhookPayload'] = ResolversParentTypes['DeleteWebhookPayload']> = {
  deletedWebhookId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type DestinationBatchResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DestinationBatch'] = ResolversParentTypes['DestinationBatch']> = {
  batchId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  segmentId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  segmentNs?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<Array<ResolversTypes['SegmentStatus']>, ParentType, ContextType>;
};

export type EvaluationInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['EvaluationInfo'] = ResolversParentTypes['EvaluationInfo']> = {
  segmentation?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type EventFilterResolvers<ContextType = Context, ParentType extends ResolversParentTypes['EventFilter'] = ResolversParentTypes['EventFilter']> = {
  fromIngestTimestamp?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  toIngestTimestamp?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
};

export type EventListResolvers<ContextType = Context, ParentType extends ResolversParentTypes['EventList'] = ResolversParentTypes['EventList']> = {
  fields?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  filter?: Resolver<Maybe<ResolversTypes['EventFilter']>, ParentType, ContextType>;
};

export type ExportDestinationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportDestination'] = ResolversParentTypes['ExportDestination']> = {
  batchId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  batches?: Resolver<Maybe<Array<ResolversTypes['DestinationBatch']>>, ParentType, ContextType>;
  datasetId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  segmentPerBatch?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type ExportFilterResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportFilter'] = ResolversParentTypes['ExportFilter']> = {
  emptyProfiles?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  fromIngestTimestamp?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  segmentQualificationTime?: Resolver<Maybe<ResolversTypes['SegmentQualificationTime']>, ParentType, ContextType>;
  segments?: Resolver<Maybe<Array<ResolversTypes['SegmentFilter']>>, ParentType, ContextType>;
};

export type ExportJobResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJob'] = ResolversParentTypes['ExportJob'], FederationReferenceType extends FederationReferenceTypes['ExportJob'] = FederationReferenceTypes['ExportJob']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['ExportJob']> | FederationReferenceType, FederationReferenceType, ContextType>;
  additionalFields?: Resolver<Maybe<ResolversTypes['AdditionalFields']>, ParentType, ContextType>;
  cancelledBy?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  computeGatewayJobId?: Resolver<Maybe<ResolversTypes['ComputeGatewayJobId']>, ParentType, ContextType>;
  createdBy?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  creationTime?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  dataset?: Resolver<Maybe<ResolversTypes['Dataset']>, ParentType, ContextType>;
  destination?: Resolver<ResolversTypes['ExportDestination'], ParentType, ContextType>;
  errors?: Resolver<Array<ResolversTypes['ExportJobError']>, ParentType, ContextType>;
  evaluationInfo?: Resolver<ResolversTypes['EvaluationInfo'], ParentType, ContextType>;
  fields?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  filter?: Resolver<ResolversTypes['ExportFilter'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  imsOrgId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  jobType?: Resolver<ResolversTypes['ExportJobType'], ParentType, ContextType>;
  mergePolicy?: Resolver<ResolversTypes['MergePolicy'], ParentType, ContextType>;
  metrics?: Resolver<ResolversTypes['ExportJobMetrics'], ParentType, ContextType>;
  output?: Resolver<ResolversTypes['ExportOutput'], ParentType, ContextType>;
  profileInstanceId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  progress?: Resolver<ResolversTypes['ExportJobProgress'], ParentType, ContextType>;
  requestId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sandboxName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  schema?: Resolver<ResolversTypes['ExportSchema'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ExportJobStatus'], ParentType, ContextType>;
  updateTime?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ExportJobConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobConnection'] = ResolversParentTypes['ExportJobConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ExportJobEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ExportJobEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobEdge'] = ResolversParentTypes['ExportJobEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ExportJob'], ParentType, ContextType>;
};

export type ExportJobErrorResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobError'] = ResolversParentTypes['ExportJobError']> = {
  callStack?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  msg?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ExportJobEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobEvent'] = ResolversParentTypes['ExportJobEvent']> = {
  id?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  job?: Resolver<ResolversTypes['ExportJob'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  previousStatus?: Resolver<Maybe<ResolversTypes['ExportJobStatus']>, ParentType, ContextType>;
  progress?: Resolver<ResolversTypes['ExportJobProgress'], ParentType, ContextType>;
  sequence?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ExportJobStatus'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['ExportJobEventType'], ParentType, ContextType>;
};

export type ExportJobEventConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobEventConnection'] = ResolversParentTypes['ExportJobEventConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ExportJobEventEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type ExportJobEventEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobEventEdge'] = ResolversParentTypes['ExportJobEventEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ExportJobEvent'], ParentType, ContextType>;
};

export type ExportJobMetricsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobMetrics'] = ResolversParentTypes['ExportJobMetrics']> = {
  datasetWriteTime?: Resolver<ResolversTypes['TimeSpan'], ParentType, ContextType>;
  exportedProfileByNamespaceCounter?: Resolver<Array<ResolversTypes['NamespaceCount']>, ParentType, ContextType>;
  profileExportTime?: Resolver<ResolversTypes['TimeSpan'], ParentType, ContextType>;
  segmentationTime?: Resolver<ResolversTypes['TimeSpan'], ParentType, ContextType>;
  segmentedProfileCounter?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  totalExportedProfileCounter?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  totalTime?: Resolver<ResolversTypes['TimeSpan'], ParentType, ContextType>;
};

export type ExportJobProgressResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportJobProgress'] = ResolversParentTypes['ExportJobProgress']> = {
  percent?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  processedProfiles?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  totalProfiles?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type ExportLimitsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportLimits'] = ResolversParentTypes['ExportLimits']> = {
  jobsPerDay?: Resolver<ResolversTypes['LimitUsage'], ParentType, ContextType>;
  queuedJobs?: Resolver<ResolversTypes['LimitUsage'], ParentType, ContextType>;
  request?: Resolver<ResolversTypes['RequestLimits'], ParentType, ContextType>;
  requestsPerSecond?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  subscriptionsPerConnection?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ExportOutputResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportOutput'] = ResolversParentTypes['ExportOutput']> = {
  compression?: Resolver<ResolversTypes['Compression'], ParentType, ContextType>;
  format?: Resolver<ResolversTypes['ExportFormat'], ParentType, ContextType>;
  maxRecordsPerFile?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ExportSchemaResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ExportSchema'] = ResolversParentTypes['ExportSchema']> = {
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type IngestProfilesPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['IngestProfilesPayload'] = ResolversParentTypes['IngestProfilesPayload']> = {
  upserted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export interface JsonObjectScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSONObject'], any> {
  name: 'JSONObject';
}

export type LimitUsageResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LimitUsage'] = ResolversParentTypes['LimitUsage']> = {
  max?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  remaining?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  used?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MergePolicyResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MergePolicy'] = ResolversParentTypes['MergePolicy']> = {
  id?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  cancelExportJob?: Resolver<ResolversTypes['CancelExportJobPayload'], ParentType, ContextType, RequireFields<MutationCancelExportJobArgs, 'id'>>;
  createDataset?: Resolver<ResolversTypes['Dataset'], ParentType, ContextType, RequireFields<MutationCreateDatasetArgs, 'input'>>;
  createExportJob?: Resolver<ResolversTypes['ExportJob'], ParentType, ContextType, RequireFields<MutationCreateExportJobArgs, 'input'>>;
  createSegmentDefinition?: Resolver<ResolversTypes['SegmentDefinition'], ParentType, ContextType, RequireFields<MutationCreateSegmentDefinitionArgs, 'input'>>;
  createWebhook?: Resolver<ResolversTypes['CreateWebhookPayload'], ParentType, ContextType, RequireFields<MutationCreateWebhookArgs, 'input'>>;
  deleteSegmentDefinition?: Resolver<ResolversTypes['DeleteSegmentDefinitionPayload'], ParentType, ContextType, RequireFields<MutationDeleteSegmentDefinitionArgs, 'id'>>;
  deleteWebhook?: Resolver<ResolversTypes['DeleteWebhookPayload'], ParentType, ContextType, RequireFields<MutationDeleteWebhookArgs, 'id'>>;
  evaluateSegments?: Resolver<ResolversTypes['SegmentJob'], ParentType, ContextType, RequireFields<MutationEvaluateSegmentsArgs, 'segmentIds'>>;
  ingestProfiles?: Resolver<ResolversTypes['IngestProfilesPayload'], ParentType, ContextType, RequireFields<MutationIngestProfilesArgs, 'profiles'>>;
  rotateWebhookSecret?: Resolver<ResolversTypes['CreateWebhookPayload'], ParentType, ContextType, RequireFields<MutationRotateWebhookSecretArgs, 'id'>>;
  updateSegmentDefinition?: Resolver<ResolversTypes['SegmentDefinition'], ParentType, ContextType, RequireFields<MutationUpdateSegmentDefinitionArgs, 'id' | 'input'>>;
};

export type NamespaceCountResolvers<ContextType = Context, ParentType extends ResolversParentTypes['NamespaceCount'] = ResolversParentTypes['NamespaceCount']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  batch?: Resolver<Maybe<ResolversTypes['Batch']>, ParentType, ContextType, RequireFields<QueryBatchArgs, 'id'>>;
  dataset?: Resolver<Maybe<ResolversTypes['Dataset']>, ParentType, ContextType, RequireFields<QueryDatasetArgs, 'id'>>;
  datasets?: Resolver<ResolversTypes['DatasetConnection'], ParentType, ContextType, Partial<QueryDatasetsArgs>>;
  exportJob?: Resolver<Maybe<ResolversTypes['ExportJob']>, ParentType, ContextType, RequireFields<QueryExportJobArgs, 'id'>>;
  exportJobs?: Resolver<ResolversTypes['ExportJobConnection'], ParentType, ContextType, Partial<QueryExportJobsArgs>>;
  exportLimits?: Resolver<ResolversTypes['ExportLimits'], ParentType, ContextType>;
  jobEvents?: Resolver<ResolversTypes['ExportJobEventConnection'], ParentType, ContextType, Partial<QueryJobEventsArgs>>;
  previewSegment?: Resolver<ResolversTypes['SegmentPreview'], ParentType, ContextType, RequireFields<QueryPreviewSegmentArgs, 'expression'>>;
  segmentDefinition?: Resolver<Maybe<ResolversTypes['SegmentDefinition']>, ParentType, ContextType, RequireFields<QuerySegmentDefinitionArgs, 'id'>>;
  segmentDefinitions?: Resolver<ResolversTypes['SegmentDefinitionConnection'], ParentType, ContextType, Partial<QuerySegmentDefinitionsArgs>>;
  segmentJob?: Resolver<Maybe<ResolversTypes['SegmentJob']>, ParentType, ContextType, RequireFields<QuerySegmentJobArgs, 'id'>>;
  webhook?: Resolver<Maybe<ResolversTypes['Webhook']>, ParentType, ContextType, RequireFields<QueryWebhookArgs, 'id'>>;
  webhooks?: Resolver<ResolversTypes['WebhookConnection'], ParentType, ContextType, Partial<QueryWebhooksArgs>>;
};

export type RequestLimitsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RequestLimits'] = ResolversParentTypes['RequestLimits']> = {
  maxAliases?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxBatchOperations?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxBodyBytes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxCost?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxDepth?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxDirectives?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxTokens?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxVariablesBytes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SchemaRefResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SchemaRef'] = ResolversParentTypes['SchemaRef']> = {
  contentType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SegmentDefinitionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentDefinition'] = ResolversParentTypes['SegmentDefinition'], FederationReferenceType extends FederationReferenceTypes['SegmentDefinition'] = FederationReferenceTypes['SegmentDefinition']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['SegmentDefinition']> | FederationReferenceType, FederationReferenceType, ContextType>;
  creationTime?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expression?: Resolver<ResolversTypes['SegmentExpression'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastEvaluation?: Resolver<Maybe<ResolversTypes['SegmentJob']>, ParentType, ContextType>;
  mergePolicyId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  schema?: Resolver<ResolversTypes['ExportSchema'], ParentType, ContextType>;
  segmentNs?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updateTime?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type SegmentDefinitionConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentDefinitionConnection'] = ResolversParentTypes['SegmentDefinitionConnection']> = {
  edges?: Resolver<Array<ResolversTypes['SegmentDefinitionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SegmentDefinitionEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentDefinitionEdge'] = ResolversParentTypes['SegmentDefinitionEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['SegmentDefinition'], ParentType, ContextType>;
};

export type SegmentExpressionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentExpression'] = ResolversParentTypes['SegmentExpression']> = {
  format?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SegmentFilterResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentFilter'] = ResolversParentTypes['SegmentFilter']> = {
  segmentId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  segmentNs?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<Array<ResolversTypes['SegmentStatus']>, ParentType, ContextType>;
};

export type SegmentJobResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentJob'] = ResolversParentTypes['SegmentJob']> = {
  creationTime?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  endTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  errors?: Resolver<Array<ResolversTypes['ExportJobError']>, ParentType, ContextType>;
  existing?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  exited?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  realized?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  segmentIds?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  startTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ExportJobStatus'], ParentType, ContextType>;
};

export type SegmentPreviewResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentPreview'] = ResolversParentTypes['SegmentPreview']> = {
  matchingProfiles?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sample?: Resolver<Array<ResolversTypes['JSONObject']>, ParentType, ContextType, RequireFields<SegmentPreviewSampleArgs, 'first'>>;
  totalProfiles?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SegmentQualificationTimeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SegmentQualificationTime'] = ResolversParentTypes['SegmentQualificationTime']> = {
  endTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  startTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  jobStatusChanged?: SubscriptionResolver<ResolversTypes['ExportJobEvent'], "jobStatusChanged", ParentType, ContextType, Partial<SubscriptionJobStatusChangedArgs>>;
};

export type TimeSpanResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TimeSpan'] = ResolversParentTypes['TimeSpan']> = {
  endTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  startTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  totalTimeInMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
};

export type WebhookResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Webhook'] = ResolversParentTypes['Webhook']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deliveries?: Resolver<ResolversTypes['WebhookDeliveryConnection'], ParentType, ContextType, Partial<WebhookDeliveriesArgs>>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  disabledReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  events?: Resolver<Maybe<Array<ResolversTypes['ExportJobEventType']>>, ParentType, ContextType>;
  failingSince?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  statuses?: Resolver<Maybe<Array<ResolversTypes['ExportJobStatus']>>, ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type WebhookConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['WebhookConnection'] = ResolversParentTypes['WebhookConnection']> = {
  edges?: Resolver<Array<ResolversTypes['WebhookEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type WebhookDeliveryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['WebhookDelivery'] = ResolversParentTypes['WebhookDelivery']> = {
  attempt?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  attemptedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  eventId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  httpStatus?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  succeeded?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type WebhookDeliveryConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['WebhookDeliveryConnection'] = ResolversParentTypes['WebhookDeliveryConnection']> = {
  edges?: Resolver<Array<ResolversTypes['WebhookDeliveryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type WebhookDeliveryEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['WebhookDeliveryEdge'] = ResolversParentTypes['WebhookDeliveryEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['WebhookDelivery'], ParentType, ContextType>;
};

export type WebhookEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['WebhookEdge'] = ResolversParentTypes['WebhookEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Webhook'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  AdditionalFields?: AdditionalFieldsResolvers<ContextType>;
  Batch?: BatchResolvers<ContextType>;
  BatchConnection?: BatchConnectionResolvers<ContextType>;
  BatchEdge?: BatchEdgeResolvers<ContextType>;
  BatchFile?: BatchFileResolvers<ContextType>;
  BatchRecordConnection?: BatchRecordConnectionResolvers<ContextType>;
  BatchRecordEdge?: BatchRecordEdgeResolvers<ContextType>;
  CancelExportJobPayload?: CancelExportJobPayloadResolvers<ContextType>;
  ComputeGatewayJobId?: ComputeGatewayJobIdResolvers<ContextType>;
  CreateWebhookPayload?: CreateWebhookPayloadResolvers<ContextType>;
  Dataset?: DatasetResolvers<ContextType>;
  DatasetConnection?: DatasetConnectionResolvers<ContextType>;
  DatasetEdge?: DatasetEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeleteSegmentDefinitionPayload?: DeleteSegmentDefinitionPayloadResolvers<ContextType>;
  DeleteWebhookPayload?: DeleteWebhookPayloadResolvers<ContextType>;
  DestinationBatch?: DestinationBatchResolvers<ContextType>;
  EvaluationInfo?: EvaluationInfoResolvers<ContextType>;
  EventFilter?: EventFilterResolvers<ContextType>;
  EventList?: EventListResolvers<ContextType>;
  ExportDestination?: ExportDestinationResolvers<ContextType>;
  ExportFilter?: ExportFilterResolvers<ContextType>;
  ExportJob?: ExportJobResolvers<ContextType>;
  ExportJobConnection?: ExportJobConnectionResolvers<ContextType>;
  ExportJobEdge?: ExportJobEdgeResolvers<ContextType>;
  ExportJobError?: ExportJobErrorResolvers<ContextType>;
  ExportJobEvent?: ExportJobEventResolvers<ContextType>;
  ExportJobEventConnection?: ExportJobEventConnectionResolvers<ContextType>;
  ExportJobEventEdge?: ExportJobEventEdgeResolvers<ContextType>;
  ExportJobMetrics?: ExportJobMetricsResolvers<ContextType>;
  ExportJobProgress?: ExportJobProgressResolvers<ContextType>;
  ExportLimits?: ExportLimitsResolvers<ContextType>;
  ExportOutput?: ExportOutputResolvers<ContextType>;
  ExportSchema?: ExportSchemaResolvers<ContextType>;
  IngestProfilesPayload?: IngestProfilesPayloadResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  JSONObject?: GraphQLScalarType;
  LimitUsage?: LimitUsageResolvers<ContextType>;
  MergePolicy?: MergePolicyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  NamespaceCount?: NamespaceCountResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RequestLimits?: RequestLimitsResolvers<ContextType>;
  SchemaRef?: SchemaRefResolvers<ContextType>;
  SegmentDefinition?: SegmentDefinitionResolvers<ContextType>;
  SegmentDefinitionConnection?: SegmentDefinitionConnectionResolvers<ContextType>;
  SegmentDefinitionEdge?: SegmentDefinitionEdgeResolvers<ContextType>;
  SegmentExpression?: SegmentExpressionResolvers<ContextType>;
  SegmentFilter?: SegmentFilterResolvers<ContextType>;
  SegmentJob?: SegmentJobResolvers<ContextType>;
  SegmentPreview?: SegmentPreviewResolvers<ContextType>;
  SegmentQualificationTime?: SegmentQualificationTimeResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  TimeSpan?: TimeSpanResolvers<ContextType>;
  Webhook?: WebhookResolvers<ContextType>;
  WebhookConnection?: WebhookConnectionResolvers<ContextType>;
  WebhookDelivery?: WebhookDeliveryResolvers<ContextType>;
  WebhookDeliveryConnection?: WebhookDeliveryConnectionResolvers<ContextType>;
  WebhookDeliveryEdge?: WebhookDeliveryEdgeResolvers<ContextType>;
  WebhookEdge?: WebhookEdgeResolvers<ContextType>;
};

