/** The only reader of `process.env`: everything else receives a typed `Config`. */
import { Resolver } from 'node:dns';
import { join, resolve } from 'node:path';
import type { AuthOptions } from './auth/authOptions';
import { canRunStatementsAtOnce, redact, type DatabaseOptions } from './db/databaseOptions';
import type { LimitOptions } from './limits/limitOptions';
import { LOG_LEVELS } from './logger';
import type { LoggingOptions } from './logging/loggingOptions';
import type { MetricsOptions } from './metrics/metricsOptions';
import type { EventOptions } from './events/eventOptions';
import type { FilesOptions, S3Options } from './files/filesOptions';
import type { RunnerOptions } from './runner/runnerOptions';
import { OTLP_PROTOCOLS, type TracingOptions } from './tracing/tracingOptions';
import type { WebhookOptions } from './webhooks/webhookOptions';

export interface Config {
  /**
   * `postgres://…` for PostgreSQL, `memory://` for a throw-away PGlite, unset for
   * PGlite persisted in `dataDir`. Env: `DATABASE_URL`.
   */
  databaseUrl: string | undefined;
  /** Where the embedded PGlite keeps its files. Env: `DATA_DIR`, default `./.data/pglite`. */
  dataDir: string;
  /**
   * The embedded PGlite's `shared_buffers`, in MB: its page cache, all of it in
   * the process's memory from the start. Env: `PGLITE_SHARED_BUFFERS_MB`, default
   * PGlite's 128.
   */
  pgliteSharedBuffersMb: number;
  /** HTTP port. Env: `PORT`, default 4000; 0 picks a free port. */
  port: number;
  /**
   * Interface to listen on. Env: `HOST`; default all interfaces, but 127.0.0.1
   * when callers are not verified (`AUTH_MODE=none`): a server that believes any
   * tenant header must not be reachable from elsewhere by accident.
   */
  host: string | undefined;
  /** PostgreSQL connection pool size (per process). Env: `DATABASE_POOL_SIZE`, default 10. */
  poolSize: number;
  /**
   * HTTP server processes sharing the port (node:cluster). Env: `SERVER_PROCESSES`,
   * default 1; `WORKERS`, its old name, is still read. More than one needs
   * PostgreSQL: an embedded PGlite belongs to a single process.
   */
  serverProcesses: number;
  /** Variables set under an old name, read as their new one: the server warns of each as it starts. */
  renamedVariables: RenamedVariable[];
  /** The embedded export runner (see `RunnerOptions` for each variable). */
  runner: RunnerOptions;
  /** How callers are verified (see `AuthOptions` for each variable). */
  auth: AuthOptions;
  /** The bounds on requests (see `LimitOptions` for each variable). */
  limits: LimitOptions;
  /** How long events are kept (see `EventOptions`). */
  events: EventOptions;
  /** How webhooks are delivered (see `WebhookOptions` for each variable). */
  webhooks: WebhookOptions;
  /** Prometheus metrics (see `MetricsOptions` for each variable). */
  metrics: MetricsOptions;
  /**
   * OpenTelemetry traces over OTLP/HTTP (see `TracingOptions`): on when
   * `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set.
   * The one exception to this file reading every variable: the SDK reads the
   * other `OTEL_*` itself (src/tracing/startTracing.ts).
   */
  tracing: TracingOptions;
  /** What is logged (see `LoggingOptions` for each variable). */
  logging: LoggingOptions;
  /**
   * Where result files live and how their links are signed (see `FilesOptions`).
   * With `FILES_S3_BUCKET`, the other exception to this file reading every
   * variable: the AWS SDK reads `AWS_REGION`, `AWS_ACCESS_KEY_ID`, … itself
   * (src/files/createFileStore.ts).
   */
  files: FilesOptions;
  /**
   * On shutdown, how long `/readyz` answers 503 while requests are still served,
   * before the server stops accepting: the time a load balancer needs to notice
   * and send new requests elsewhere. Env: `SHUTDOWN_DRAIN_MS`, default 5,000.
   */
  shutdownDrainMs: number;
  /** Crash tests only: the fault point where the process kills itself (`GW_FAULT_POINT`, src/faultPoint.ts). */
  faultPoint?: string;
}

/** An organisation's budget of requests by default: as many as this many sandboxes' together. */
const ORG_SANDBOX_BUDGETS = 4;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const auth = authOptions(env);
  const dataDir = resolve(env.DATA_DIR || './.data/pglite');
  const requestsPerSecond = integer(env, 'LIMIT_REQUESTS_PER_SECOND', 300, 1, 10_000_000);
  const config: Config = {
    databaseUrl: databaseUrl(env),
    dataDir,
    pgliteSharedBuffersMb: integer(env, 'PGLITE_SHARED_BUFFERS_MB', 128, 1, 1024),
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || (auth.mode === 'none' ? '127.0.0.1' : undefined),
    auth,
    limits: {
      queryDepth: integer(env, 'LIMIT_QUERY_DEPTH', 15, 1, 1_000),
      queryAliases: integer(env, 'LIMIT_QUERY_ALIASES', 30, 0, 100_000),
      queryTokens: integer(env, 'LIMIT_QUERY_TOKENS', 10_000, 100, 10_000_000),
      queryDirectives: integer(env, 'LIMIT_QUERY_DIRECTIVES', 50, 0, 100_000),
      queryCost: integer(env, 'LIMIT_QUERY_COST', 20_000, 1, 1_000_000_000),
      bodyBytes: integer(env, 'LIMIT_BODY_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
      batchOperations: integer(env, 'LIMIT_BATCH_OPERATIONS', 10, 1, 1_000),
      variablesBytes: integer(env, 'LIMIT_VARIABLES_BYTES', 512 * 1024, 1024, 1024 * 1024 * 1024),
      wsMessageBytes: integer(env, 'LIMIT_WS_MESSAGE_BYTES', 64 * 1024, 1024, 1024 * 1024 * 1024),
      wsSubscriptions: integer(env, 'LIMIT_WS_SUBSCRIPTIONS', 100, 1, 100_000),
      wsConnectionsPerTenant: integer(env, 'LIMIT_WS_CONNECTIONS_PER_TENANT', 500, 1, 1_000_000),
      requestsPerSecond,
      orgRequestsPerSecond: integer(env, 'LIMIT_ORG_REQUESTS_PER_SECOND', requestsPerSecond * ORG_SANDBOX_BUDGETS, 1, 100_000_000),
      downloadsPerSecond: integer(env, 'LIMIT_DOWNLOADS_PER_SECOND', 100, 1, 10_000_000),
      previewSeconds: integer(env, 'LIMIT_PREVIEW_SECONDS', 30, 1, 3_600),
      previewsAtOnce: integer(env, 'LIMIT_PREVIEWS_AT_ONCE', 4, 1, 10_000),
      jobsPerDay: integer(env, 'LIMIT_JOBS_PER_DAY', 1_000, 0, 100_000_000),
      queuedJobs: integer(env, 'LIMIT_QUEUED_JOBS', 100, 0, 100_000_000),
    },
    poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    serverProcesses: serverProcesses(env),
    renamedVariables: RENAMED_VARIABLES.filter(({ old }) => env[old]),
    runner: {
      concurrency: integer(env, 'RUNNER_CONCURRENCY', 4, 0, 256),
      tenantLimit: integer(env, 'RUNNER_TENANT_LIMIT', 2, 1, 256),
      leaseMs: integer(env, 'RUNNER_LEASE_MS', 30_000, 300, 3_600_000),
      chunkSize: integer(env, 'RUNNER_CHUNK_SIZE', 2_000, 1, 1_000_000),
      chunkTargetMs: integer(env, 'RUNNER_CHUNK_MS', 70, 1, 60_000),
      maxAttempts: integer(env, 'RUNNER_MAX_ATTEMPTS', 3, 1, 100),
      shardMinProfiles: integer(env, 'RUNNER_SHARD_MIN_PROFILES', 100_000, 1, 1_000_000_000),
      evaluationRangesAtOnce: evaluationRangesAtOnce(env),
      pollMs: integer(env, 'RUNNER_POLL_MS', 250, 10, 60_000),
      resultTtlDays: integer(env, 'RESULT_TTL_DAYS', 7, 1, 3_650),
      resultSweepMs: integer(env, 'RESULT_SWEEP_MS', 60_000, 50, 86_400_000),
    },
    faultPoint: env.GW_FAULT_POINT || undefined,
    events: {
      retentionDays: integer(env, 'EVENT_RETENTION_DAYS', 7, 1, 3_650),
    },
    webhooks: {
      allowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE'),
      maxPerTenant: integer(env, 'LIMIT_WEBHOOKS', 20, 0, 10_000),
      concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 16, 0, 1_000),
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      dnsServers: dnsServers(env, 'WEBHOOK_DNS_SERVERS'),
    },
    logging: {
      level: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
      accessLogSample: fraction(env, 'ACCESS_LOG_SAMPLE', 0),
    },
    tracing: {
      enabled:
        Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
        env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true',
      // The signal's own variable first, as the OTLP specification says; grpc is not built in.
      protocol: oneOf(
        env,
        env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL',
        OTLP_PROTOCOLS,
        'http/protobuf',
      ),
    },
    metrics: {
      enabled: onOff(env, 'METRICS', true),
      port: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 0, 65535) : undefined,
    },
    shutdownDrainMs: integer(env, 'SHUTDOWN_DRAIN_MS', 5_000, 0, 600_000),
    files: {
      dir: resolve(env.FILES_DIR || './.data/files'),
      signingKey: env.FILES_SIGNING_KEY || undefined,
      keyFile: join(dataDir, 'files-signing-key'),
      publicUrl: env.PUBLIC_URL ? publicUrl(env.PUBLIC_URL) : undefined,
      s3: s3Options(env),
    },
  };
  // A chunk must fit well inside the runner's statement timeout (a third of the lease).
  if (config.runner.chunkTargetMs * 6 > config.runner.leaseMs) {
    throw new Error(
      `RUNNER_CHUNK_MS (${config.runner.chunkTargetMs}) must be at most a sixth of RUNNER_LEASE_MS (${config.runner.leaseMs})`,
    );
  }
  return config;
}

/** Checked on either database; where statements queue (PGlite), ranges at once would only queue. */
function evaluationRangesAtOnce(env: NodeJS.ProcessEnv): number {
  const ranges = integer(env, 'RUNNER_EVALUATION_RANGES', 2, 1, 16);
  return canRunStatementsAtOnce(env.DATABASE_URL) ? ranges : 1;
}

/** A variable's old name, still read, and the one it has now. */
export interface RenamedVariable {
  old: string;
  name: string;
}

// WORKERS read as if it counted `npm run worker` runners; it counts HTTP server processes.
const RENAMED_VARIABLES: RenamedVariable[] = [{ old: 'WORKERS', name: 'SERVER_PROCESSES' }];

function serverProcesses(env: NodeJS.ProcessEnv): number {
  const count = integer(env, 'SERVER_PROCESSES', 1, 1, 64);
  if (!env.WORKERS) return count;
  const byOldName = integer(env, 'WORKERS', 1, 1, 64);
  if (env.SERVER_PROCESSES && byOldName !== count) {
    throw new Error(`SERVER_PROCESSES (${count}) and WORKERS, its old name (${byOldName}), disagree: set SERVER_PROCESSES alone`);
  }
  return byOldName;
}

function authOptions(env: NodeJS.ProcessEnv): AuthOptions {
  const configured = ['AUTH_JWKS_URL', 'AUTH_JWKS_FILE', 'AUTH_ISSUER', 'AUTH_AUDIENCE'].some((name) => env[name]);
  const mode = env.AUTH_MODE || (configured ? 'jwt' : 'none');
  if (mode !== 'none' && mode !== 'jwt') throw new Error(`AUTH_MODE must be none or jwt (got ${JSON.stringify(mode)})`);
  // An operator who set up verification and a leftover AUTH_MODE=none would believe every tenant header.
  if (mode === 'none' && configured) {
    throw new Error('AUTH_MODE=none turns verification off, yet AUTH_JWKS_URL, AUTH_JWKS_FILE, AUTH_ISSUER or AUTH_AUDIENCE is set: unset AUTH_MODE (or set it to jwt), or unset them');
  }
  const options: AuthOptions = {
    mode,
    jwksUrl: env.AUTH_JWKS_URL || undefined,
    jwksFile: env.AUTH_JWKS_FILE || undefined,
    issuer: env.AUTH_ISSUER || undefined,
    audience: env.AUTH_AUDIENCE || undefined,
    tenantsClaim: env.AUTH_TENANTS_CLAIM || 'tenants',
  };
  if (mode === 'jwt' && !options.jwksUrl && !options.jwksFile) {
    throw new Error('AUTH_MODE=jwt needs AUTH_JWKS_URL or AUTH_JWKS_FILE');
  }
  if (options.jwksUrl && !isTrustedKeySetUrl(options.jwksUrl)) {
    // Whoever can answer a plain-HTTP fetch of the keys could sign tokens for every tenant.
    throw new Error(`AUTH_JWKS_URL must be an https URL, or http on this machine (got ${JSON.stringify(options.jwksUrl)})`);
  }
  // Without them any token signed by a key of the set would do, whoever it was issued to.
  const missing = Object.entries({ AUTH_ISSUER: 'the iss', AUTH_AUDIENCE: 'the aud' }).filter(([name]) => mode === 'jwt' && !env[name]);
  if (missing.length > 0) {
    const needs = missing.map(([name, claim]) => `${name} (${claim} every token must carry)`).join(' and ');
    throw new Error(`AUTH_MODE=jwt needs ${needs}`);
  }
  return options;
}

/** Where the database is and how the embedded one opens: what every process of ours opens it with. */
export function databaseOf(config: Config): Pick<DatabaseOptions, 'url' | 'dataDir' | 'pgliteSharedBuffersMb'> {
  return { url: config.databaseUrl, dataDir: config.dataDir, pgliteSharedBuffersMb: config.pgliteSharedBuffersMb };
}

/**
 * DATABASE_URL, checked here: postgres.js's own error for a URL it cannot parse carries the
 * whole URL, password and all, into the log line that says the start failed.
 */
function databaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.DATABASE_URL || undefined;
  if (url && /^postgres(ql)?:\/\//i.test(url) && !URL.canParse(withFirstHostOnly(url))) {
    throw new Error(
      `DATABASE_URL is not a valid URL (${redact(url)}): percent-encode the characters of its user name and password that a URL reserves (# / ? @ : % and spaces)`,
    );
  }
  return url;
}

/**
 * The URL as postgres.js parses it: several hosts (`h1:5432,h2:5432`, for a failover) are
 * its own extension, which it replaces by the first before it hands the URL to `new URL`.
 */
function withFirstHostOnly(url: string): string {
  const authority = url.slice(url.indexOf('://') + 3).split(/[?/]/)[0]!;
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  return url.replace(hosts, hosts.split(',')[0]!);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Decimal digits only: Number() also reads ' ' as 0, '0x1F' as 31 and '1e2' as 100.
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** A comma-separated list of DNS servers (`1.1.1.1`, `1.1.1.1:5353`, `[::1]:53`); undefined when unset. */
function dnsServers(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const servers = raw.split(',').map((server) => server.trim()).filter(Boolean);
  try {
    // What the resolver will be given: it refuses what it cannot use.
    new Resolver().setServers(servers);
  } catch {
    throw new Error(`${name} must be DNS server addresses, comma-separated, each an IP address with an optional port (got ${JSON.stringify(raw)})`);
  }
  return servers;
}

/** `1` or `true` is on; unset, empty, `0` or `false` is off; anything else is refused. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new Error(`${name} must be 1 or 0 (got ${JSON.stringify(env[name])})`);
}

/** `on`, `1` or `true` is on; `off`, `0` or `false` is off; unset or empty is `fallback`. */
function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === '1' || raw === 'true') return true;
  if (raw === 'off' || raw === '0' || raw === 'false') return false;
  throw new Error(`${name} must be on or off (got ${JSON.stringify(env[name])})`);
}

/** One of `allowed` (case-insensitive), `fallback` when unset; anything else is refused. */
function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new Error(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(env[name])})`);
}

/** A number from 0 to 1, `fallback` when unset. */
function fraction(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${name} must be a number from 0 to 1 (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** PUBLIC_URL: an http(s) origin (a path is kept: links then start with it), without a trailing slash. */
function publicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`PUBLIC_URL must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** FILES_S3_*: a bucket, an optional S3-compatible endpoint and key prefix; undefined without FILES_S3_BUCKET. */
function s3Options(env: NodeJS.ProcessEnv): S3Options | undefined {
  const bucket = env.FILES_S3_BUCKET || undefined;
  if (bucket === undefined) {
    // Half a configuration would quietly keep the files on local disk.
    const stray = ['FILES_S3_ENDPOINT', 'FILES_S3_PREFIX'].filter((name) => env[name]);
    if (stray.length > 0) throw new Error(`${stray.join(' and ')} ${stray.length > 1 ? 'are' : 'is'} set without FILES_S3_BUCKET`);
    return undefined;
  }
  // S3's rules, loosened to legacy names (capitals, underscores): what no server accepts is a URL or a path.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/.test(bucket)) {
    throw new Error(
      `FILES_S3_BUCKET must be a bucket name (3 to 255 letters, digits, dots, hyphens, underscores), not a URL or path; a key prefix goes in FILES_S3_PREFIX (got ${JSON.stringify(bucket)})`,
    );
  }
  return { bucket, endpoint: env.FILES_S3_ENDPOINT ? s3Endpoint(env.FILES_S3_ENDPOINT) : undefined, prefix: s3Prefix(env.FILES_S3_PREFIX ?? '') };
}

/** FILES_S3_ENDPOINT: an http(s) origin, nothing after it (the bucket is addressed path-style below it). */
function s3Endpoint(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new Error(`FILES_S3_ENDPOINT must be an http(s) origin such as http://127.0.0.1:9000, without a path (got ${JSON.stringify(value)})`);
  }
  return url.origin;
}

/** FILES_S3_PREFIX: key segments joined by `/`, a trailing slash dropped; no empty, `.` or `..` segment. */
function s3Prefix(value: string): string {
  const prefix = value.replace(/\/$/, '');
  if (prefix === '') return '';
  const segments = prefix.split('/');
  if (prefix.length > 512 || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new Error(
      `FILES_S3_PREFIX must be key segments joined by "/" (e.g. exports/prod), without a leading slash, "//", "." or ".." (got ${JSON.stringify(value)})`,
    );
  }
  return prefix;
}

/** https anywhere; plain http only to this machine (a key server beside the gateway, a test's). */
function isTrustedKeySetUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
