/**
 * Starts the real HTTP server on a free port over a test database, and talks
 * GraphQL to it with fetch, exactly as a client would.
 */
import { createLogger } from '../../src/logger';
import type { EventOptions } from '../../src/events/eventOptions';
import type { LoggingOptions } from '../../src/logging/loggingOptions';
import type { TracingHook } from '../../src/tracing/tracingOptions';
import type { WebhookOptions } from '../../src/webhooks/webhookOptions';
import type { AuthOptions } from '../../src/auth/authOptions';
import { loadConfig } from '../../src/config';
import type { LimitOptions } from '../../src/limits/limitOptions';
import type { MetricsOptions } from '../../src/metrics/metricsOptions';
import type { Database } from '../../src/db/database';
import type { FilesOptions } from '../../src/files/filesOptions';
import { startServer, type RunningServer } from '../../src/server';
import type { RunnerOptions } from '../../src/runner/runnerOptions';
import type { StorageTarget } from './databases';
import { trackOpen } from './leftovers';
import { testFilesDir } from './testFiles';

export interface GraphQLResponse<Data = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export const TENANT = { 'x-gw-ims-org-id': 'ORG_A@AdobeOrg', 'x-sandbox-name': 'prod' };

export interface TestServer {
  server: RunningServer;
  database: Database;
  /** SQL statements seen since the last `resetQueries()`. */
  queries: string[];
  resetQueries(): void;
  /** Logged lines (JSON) since start. */
  logs: string[];
  graphql<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  close(): Promise<void>;
}

/** Callers believed by their headers, as without any AUTH_* setting. */
export const NO_AUTH: AuthOptions = {
  mode: 'none',
  jwksUrl: undefined,
  jwksFile: undefined,
  issuer: undefined,
  audience: undefined,
  tenantsClaim: 'tenants',
};

/** Runner settings for tests: none unless a test asks for one, and quick when it does. */
export const NO_RUNNER: RunnerOptions = {
  concurrency: 0,
  tenantLimit: 2,
  leaseMs: 2_000,
  chunkSize: 50,
  chunkTargetMs: 50,
  maxAttempts: 3,
  shardMinProfiles: 100_000,
  // As on PostgreSQL; on PGlite, where the server runs one, the ranges queue and the walk is the same.
  evaluationRangesAtOnce: 2,
  pollMs: 20,
  resultTtlDays: 7,
  resultSweepMs: 60_000,
};

export async function startTestServer(
  target: StorageTarget,
  runner: Partial<RunnerOptions> = {},
  auth: Partial<AuthOptions> = {},
  limits: Partial<LimitOptions> = {},
  more: {
    webhooks?: Partial<WebhookOptions>;
    events?: Partial<EventOptions>;
    metrics?: Partial<MetricsOptions>;
    logging?: Partial<LoggingOptions>;
    /** Traces into this exporter (default: tracing off, as without OTEL_* variables). */
    tracing?: TracingHook;
    /** Default 0: tests stop servers that no load balancer watches. */
    shutdownDrainMs?: number;
    /** Default: files on disk under the run's `testFilesDir()`, a key in memory. */
    files?: Partial<FilesOptions>;
  } = {},
): Promise<TestServer> {
  const queries: string[] = [];
  const logs: string[] = [];
  const database = await target.open({
    onQuery: (query) => queries.push(query),
    countPoolUsage: more.metrics?.enabled !== false,
  });
  const server = await startServer(
    {
      databaseUrl: undefined,
      dataDir: '',
      pgliteSharedBuffersMb: 128,
      port: 0,
      host: '127.0.0.1',
      poolSize: 5,
      serverProcesses: 1,
      renamedVariables: [],
      runner: { ...NO_RUNNER, ...runner },
      auth: { ...NO_AUTH, ...auth },
      limits: { ...loadConfig({}).limits, ...limits },
      events: { ...loadConfig({}).events, ...more.events },
      webhooks: { ...loadConfig({}).webhooks, ...more.webhooks },
      metrics: { ...loadConfig({}).metrics, ...more.metrics },
      logging: { ...loadConfig({}).logging, ...more.logging },
      tracing: { enabled: false, protocol: 'http/protobuf' },
      shutdownDrainMs: more.shutdownDrainMs ?? 0,
      files: { dir: testFilesDir(), signingKey: undefined, keyFile: null, publicUrl: undefined, ...more.files },
    },
    {
      database,
      ...(more.tracing ? { tracing: more.tracing } : {}),
      // The real logger, its lines kept here: the context's ids, redaction and bounds as in production.
      logger: createLogger({ destination: { write: (line: string) => void logs.push(line.trimEnd()) } }),
    },
  );
  const closed = trackOpen(`a test server at ${server.url}`, () => server.close());
  return {
    server,
    database,
    queries,
    resetQueries: () => queries.splice(0),
    logs,
    graphql: async (query, variables, headers = TENANT) => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status, headers: response.headers } as GraphQLResponse<any>;
    },
    close: async () => {
      closed();
      await server.close();
      await database.close();
    },
  };
}
