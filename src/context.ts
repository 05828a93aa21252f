/**
 * The per-request context: who is asking (tenant, bearer token), the request
 * id, the database and this request's DataLoaders.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type DataLoader from 'dataloader';
import type { Caller } from './auth/authenticator';
import { createDatasetBatchesLoader, type DatasetBatchesLoader } from './batches/datasetBatchesLoader';
import type { Database } from './db/database';
import { createDatasetLoader } from './datasets/datasetLoader';
import { createExportJobLoader } from './jobs/exportJobLoader';
import { createSegmentDefinitionLoader } from './segments/definitions/segmentDefinitionLoader';
import { createLastEvaluationLoader } from './segments/jobs/lastEvaluationLoader';
import type { BatchFileRow, DatasetRow, ExportJobRow, SegmentDefinitionRow, SegmentJobRow } from './db/schema';
import { createBatchFilesLoader } from './batches/batchFilesLoader';
import { createBatchRecordsLoader, type BatchRecordsLoader } from './batches/batchRecordsLoader';
import { createWebhookDeliveriesLoader, type WebhookDeliveriesLoader } from './webhooks/webhookDeliveriesLoader';
import type { FileLinks } from './files/fileLinks';
import { ErrorCode, GatewayError } from './errors';
import type { JobEventHub } from './events/jobEventHub';
import type { LimitOptions } from './limits/limitOptions';
import type { WebhookOptions } from './webhooks/webhookOptions';
import type { StoreStatistics } from './profiles/storeStatistics';
import type { PreviewSlots } from './segments/definitions/previewSlots';
import { DEFAULT_SANDBOX, misnamedTenantPart, TENANT_NAME_RULE, type Tenant } from './tenant';

export interface Context {
  tenant: Tenant;
  /** Where subscriptions watch jobs. */
  hub: JobEventHub;
  /** The bounds on requests and the tenant's quotas (shown by `exportLimits`). */
  limits: LimitOptions;
  /** What webhooks may be (URLs, how many a tenant has). */
  webhooks: WebhookOptions;
  requestId: string;
  /** The raw bearer token (verified when AUTH_MODE=jwt); only its SHA-256 is stored. */
  bearerToken: string | null;
  /** The verified token's `sub` (recorded as a job's createdBy / cancelledBy); null without verification. */
  subject: string | null;
  /** The database: its queries (`database.db`) and its driver-level abilities (staging, notifications). */
  database: Database;
  /** Told of each ingestProfiles call's upserts, to keep the store's statistics fresh. */
  storeStatistics: StoreStatistics;
  /** Links to result files. */
  fileLinks: FileLinks;
  /** The `previewSegment`s each organisation may run at once in this process. */
  previews: PreviewSlots;
  /** The request's headers (a download link's origin is the one the request was sent to). */
  headers: IncomingHttpHeaders;
  /**
   * Aborted when nobody waits for the answer any more (the HTTP connection closed before
   * it, the WebSocket closed): long work (`previewSegment`) stops instead of finishing for nobody.
   */
  abandoned: AbortSignal;
  loaders: {
    datasetById: DataLoader<string, DatasetRow | null>;
    exportJobById: DataLoader<string, ExportJobRow | null>;
    /** A page of each dataset's batches, the datasets asking for the same page read together. */
    datasetBatches: DatasetBatchesLoader;
    /** Segment definitions by id (a supergraph's references), read together. */
    segmentDefinitionById: DataLoader<string, SegmentDefinitionRow | null>;
    /** The newest ended segment job of each definition (`SegmentDefinition.lastEvaluation`), read together. */
    lastEvaluationOf: DataLoader<string, SegmentJobRow | null>;
    /** The files of each batch, in order, read together. */
    filesOfBatch: DataLoader<string, BatchFileRow[]>;
    /** A page of each batch's records, the batches asking for the same page read together. */
    batchRecords: BatchRecordsLoader;
    /** A page of each webhook's deliveries, the webhooks asking for the same page read together. */
    webhookDeliveries: WebhookDeliveriesLoader;
  };
}

/**
 * All of a context that a field reachable from a subscription may depend on,
 * besides the event and the operation. Subscribers whose contexts have the same
 * scope share one result of each event (http/sharedSubscriptionExecution.ts):
 * the tenant, and the Host a download link's origin comes from (each client's
 * own: its WebSocket upgrade request's). A field that read anything else that
 * differs between subscribers (the token, the subject, the request id) would hand
 * one subscriber's answer to the others, unless it is added here.
 */
export function sharingScopeOf(context: Pick<Context, 'tenant' | 'headers'>): string {
  return `${context.tenant.orgId}\n${context.tenant.sandboxName}\n${context.headers.host ?? ''}`;
}

/** What every context shares. */
export interface Services {
  database: Database;
  /** Told of each ingestProfiles call's upserts, to keep the store's statistics fresh. */
  storeStatistics: StoreStatistics;
  hub: JobEventHub;
  limits: LimitOptions;
  webhooks: WebhookOptions;
  fileLinks: FileLinks;
  /** The `previewSegment`s each organisation may run at once in this process. */
  previews: PreviewSlots;
}

export const ORG_HEADER = 'x-gw-ims-org-id';
export const SANDBOX_HEADER = 'x-sandbox-name';
export const REQUEST_ID_HEADER = 'x-request-id';

/** Reads who is asking from request headers; throws UNAUTHENTICATED without an organisation. */
export function readCaller(headers: IncomingHttpHeaders): { tenant: Tenant; bearerToken: string | null } {
  const orgId = header(headers, ORG_HEADER);
  if (!orgId) {
    throw new GatewayError(ErrorCode.UNAUTHENTICATED, `The ${ORG_HEADER} header is required`);
  }
  const sandboxName = header(headers, SANDBOX_HEADER) || DEFAULT_SANDBOX;
  const misnamed = misnamedTenantPart({ orgId, sandboxName });
  if (misnamed) {
    const name = misnamed === 'organisation' ? ORG_HEADER : SANDBOX_HEADER;
    throw new GatewayError(ErrorCode.UNAUTHENTICATED, `The ${name} header must be ${TENANT_NAME_RULE}`);
  }
  const authorization = header(headers, 'authorization');
  let bearerToken: string | null = null;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) {
      throw new GatewayError(ErrorCode.UNAUTHENTICATED, 'The Authorization header must be `Bearer <token>`');
    }
    bearerToken = match[1];
  }
  return { tenant: { orgId, sandboxName }, bearerToken };
}


// A caller's request id is stored with the jobs it creates and written to logs: printable and
// short, or replaced. Over HTTP Node refuses a NUL in a header; `connection_init` is any JSON.
const REQUEST_ID = /^[^\p{Cc}\p{Cs}]{1,200}$/u;

/** The caller's `x-request-id` when it is 1 to 200 printable characters, else a new UUID. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = header(headers, REQUEST_ID_HEADER);
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The context of a request by `caller`, who has been authenticated already. */
export function createContext(
  services: Services,
  caller: Pick<Caller, 'tenant' | 'bearerToken' | 'subject'>,
  requestId: string,
  headers: IncomingHttpHeaders,
  abandoned: AbortSignal,
): Context {
  const { tenant, bearerToken, subject } = caller;
  const { database, storeStatistics, hub, limits, webhooks, fileLinks, previews } = services;
  const db = database.db;
  return {
    tenant,
    limits,
    bearerToken,
    subject,
    requestId,
    database,
    storeStatistics,
    hub,
    webhooks,
    fileLinks,
    previews,
    headers,
    abandoned,
    loaders: createLoaders(db, tenant),
  };
}

/** A request's DataLoaders: each caches what it read for as long as it lives, so they live one request. */
function createLoaders(db: Database['db'], tenant: Tenant): Context['loaders'] {
  return {
    datasetById: createDatasetLoader(db, tenant),
    exportJobById: createExportJobLoader(db, tenant),
    datasetBatches: createDatasetBatchesLoader(db, tenant),
    segmentDefinitionById: createSegmentDefinitionLoader(db, tenant),
    lastEvaluationOf: createLastEvaluationLoader(db, tenant),
    filesOfBatch: createBatchFilesLoader(db, tenant),
    batchRecords: createBatchRecordsLoader(db, tenant),
    webhookDeliveries: createWebhookDeliveriesLoader(db, tenant),
  };
}

/**
 * The context one event of a subscription is executed in: the subscriber's, with
 * loaders of its own. A subscription lives long, and its loaders would otherwise
 * answer every event with what they read for the first (a job's batches and files
 * as they were when it was NEW), and keep all of it for the subscription's life.
 */
export function contextOfEvent(context: Context): Context {
  return { ...context, loaders: createLoaders(context.database.db, context.tenant) };
}

/**
 * The context of a request that reads only the schema (see `asksOnlyForSchema`):
 * it has no tenant, and anything that asks for one is refused.
 */
export function createSchemaOnlyContext(
  services: Services,
  requestId: string,
  headers: IncomingHttpHeaders,
): Context {
  // On the prototype: Apollo shallow-copies each context, which would call own getters.
  const withoutTenant = Object.create(REFUSES_TENANT) as Context;
  return Object.assign(withoutTenant, { bearerToken: null, subject: null, requestId, headers, abandoned: NEVER_ABANDONED, ...services });
}

/** Whether `context` is a schema-only request's (`createSchemaOnlyContext`): no tenant, nobody authenticated. */
export function isSchemaOnlyContext(context: Context): boolean {
  return Object.getPrototypeOf(context) === REFUSES_TENANT;
}

// A schema-only request reads nothing that could outlive its client.
const NEVER_ABANDONED = new AbortController().signal;

const refuseWithoutTenant = (): never => {
  throw new GatewayError(ErrorCode.UNAUTHENTICATED, `The ${ORG_HEADER} header is required`);
};
const REFUSES_TENANT = Object.freeze({
  get tenant(): Tenant {
    return refuseWithoutTenant();
  },
  get loaders(): Context['loaders'] {
    return refuseWithoutTenant();
  },
});

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim();
}
