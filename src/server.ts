/**
 * Composition root: database → Apollo Server → HTTP. Transports are wired here
 * and nowhere else; the domain modules know nothing of HTTP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { createAuthenticator } from './auth/authenticator';
import { startBackgroundServices, type BackgroundServices } from './backgroundServices';
import { databaseOf, type Config } from './config';
import {
  createContext,
  createSchemaOnlyContext,
  isSchemaOnlyContext,
  ORG_HEADER,
  REQUEST_ID_HEADER,
  requestIdOf,
  type Context,
} from './context';
import { createDb, MIGRATIONS_FOLDER } from './db/createDb';
import type { Database } from './db/database';
import { checkpointsOf } from './db/walCheckpoints';
import { createDatabaseEventBus, type DatabaseEventBus } from './events/databaseEventBus';
import { createJobEventHub, type JobEventHub } from './events/jobEventHub';
import { createFormatError } from './formatError';
import { batchRecordsHandler, isBatchRecordsPath } from './http/batchRecordsHandler';
import { filesHandler, isFilesPath } from './http/filesHandler';
import { fileLinks } from './files/fileLinks';
import { findStoredFile } from './files/findStoredFile';
import { createFileStore } from './files/createFileStore';
import { loadSigningKey } from './files/signingKey';
import { graphqlHttpHandler } from './http/graphqlHttpHandler';
import { abandonedWith } from './http/abandonedRequest';
import { closeInTurn } from './closeInTurn';
import { graphqlMetricsPlugin } from './http/graphqlMetricsPlugin';
import { httpStatusPlugin, withHttpStatus } from './http/httpStatus';
import { METRICS_PATH, metricsHandler, serveMetricsPort, type MetricsServer } from './http/metricsHandler';
import { livenessHandler, readinessHandler } from './http/probes';
import { asksOnlyForSchema } from './http/schemaOnlyRequest';
import { isForeignPageHandshake } from './http/browserOrigin';
import { refusedHostMessage, servesHostWithoutVerification } from './http/rebindingGuard';
import { serveGraphqlOverWebSocket, type GraphqlWsServer } from './http/graphqlWsServer';
import { traceHttpRequests } from './http/traceHttpRequests';
import { accessLogOfRefusals, accessLogPlugin } from './http/accessLogPlugin';
import { currentRequestId, withLogContext } from './logging/logContext';
import { throttledWarning } from './logging/throttledWarning';
import { previewSlots } from './segments/definitions/previewSlots';
import { createLogger, describeError, type Logger } from './logger';
import { workerMetrics } from './metrics/clusterMetrics';
import { createGatewayMetrics } from './metrics/gatewayMetrics';
import { localMetrics } from './metrics/metricsSource';
import { processMetrics } from './metrics/processMetrics';
import { cachedQueueSnapshot } from './metrics/queueSnapshot';
import { registerStateGauges } from './metrics/stateGauges';
import { storeStatistics } from './profiles/storeStatistics';
import { createReadiness } from './readiness';
import { buildSchema } from './schema/buildSchema';
import type { Runner } from './runner/runner';
import { jitGateway } from './schema/jitExecutor';
import { queryLimitRules, queryParseOptions } from './limits/queryLimitRules';
import { API_REQUESTS, createTenantRateLimiter, DOWNLOADS } from './limits/tenantRateLimiter';
import { startTracing } from './tracing/startTracing';
import { traceOperations } from './tracing/traceOperations';
import type { TracingHook } from './tracing/tracingOptions';
import { sendJobsPage } from './web/jobsPage';
import { playgroundLandingPage } from './web/playgroundPage';
import { ASSETS_PREFIX, staticAssetsHandler } from './web/staticAssets';

export interface RunningServer {
  /** `http://host:port/graphql` */
  url: string;
  port: number;
  database: Database;
  bus: DatabaseEventBus;
  /** Null when `RUNNER_CONCURRENCY` is 0. */
  runner: Runner | null;
  hub: JobEventHub;
  subscriptions: GraphqlWsServer;
  /** Where `/metrics` answers: the main port, METRICS_PORT, or null (METRICS=off, or the cluster's primary serves it). */
  metricsUrl: string | null;
  /** Turns `/readyz` to 503, waits SHUTDOWN_DRAIN_MS still serving, then stops and closes everything. */
  close(): Promise<void>;
}

export interface ServerOptions {
  logger?: Logger;
  /** An already open database; by default one is opened from `config`. */
  database?: Database;
  /** Tests only: trace (whatever `config.tracing` says) into this exporter instead of OTLP. */
  tracing?: TracingHook;
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  // First: the SDK (when on) must be the process's tracer before anything is traced.
  const tracing = await startTracing(config.tracing, options.tracing);
  // Before anything is opened: an S3 bucket that cannot be used stops the start here.
  const files = await createFileStore(config.files);
  const database =
    options.database ??
    (await createDb({
      ...databaseOf(config),
      poolSize: config.poolSize,
      countPoolUsage: config.metrics.enabled,
    }));
  // PGlite has no checkpointer of its own: the process that opened it takes its checkpoints.
  const checkpoints = options.database ? null : checkpointsOf(config.databaseUrl, database, logger);
  const httpServer = createServer();
  if (tracing) traceHttpRequests(httpServer);
  // Off, nothing records anything: every instrument is absent, not a no-op.
  const metrics = config.metrics.enabled ? createGatewayMetrics() : undefined;
  const bus = await createDatabaseEventBus(database, logger, metrics?.events);
  // Where exports run, webhooks are sent and old events pruned: started last, once the
  // server listens, so that a start that fails (a key file, a port in use) has claimed no job.
  let background: BackgroundServices | null = null;

  const hub = createJobEventHub(database.db, bus, logger, metrics?.events);
  const readiness = createReadiness(database.db, MIGRATIONS_FOLDER);
  const authenticator = createAuthenticator(config.auth);
  const rateLimiter = await createTenantRateLimiter(database, config.limits.requestsPerSecond, {
    ...API_REQUESTS,
    perOrganisation: config.limits.orgRequestsPerSecond,
  });
  // Downloads have a budget of their own: a link works for anyone who holds it, who must not
  // be able to spend the tenant's API budget by downloading.
  const downloadLimiter = await createTenantRateLimiter(database, config.limits.downloadsPerSecond, DOWNLOADS);
  if (authenticator.mode === 'none') {
    logger.info('Callers are not verified (AUTH_MODE=none): any client that reaches this server acts for the tenant its headers name');
  }
  const formatError = createFormatError(logger);
  // After the database: a generated key is kept in DATA_DIR, which PGlite creates.
  const signingKey = await loadSigningKey({ configured: config.files.signingKey, keyFile: config.files.keyFile });
  const links = fileLinks({
    signingKey,
    publicUrl: config.files.publicUrl,
    fallbackOrigin: () => `http://${config.host ?? 'localhost'}:${(httpServer.address() as AddressInfo).port}`,
    store: files,
  });
  const statistics = storeStatistics(database.db, logger);
  const services = {
    database,
    storeStatistics: statistics,
    hub,
    limits: config.limits,
    webhooks: config.webhooks,
    fileLinks: links,
    previews: previewSlots(config.limits.previewsAtOnce),
  };
  const schema = buildSchema();
  const parseOptions = queryParseOptions(config.limits);
  const apollo = new ApolloServer<Context>({
    gateway: tracing ? traceOperations(jitGateway(schema)) : jitGateway(schema),
    formatError,
    includeStacktraceInErrorResponses: false,
    // Signals are main.ts's: outside NODE_ENV=test Apollo would stop itself on SIGTERM and then
    // kill the process, before the drain, the runner's hand-back and the close.
    stopOnTerminationSignals: false,
    introspection: true,
    // Bounded requests (src/limits/): the document's tokens, depth, aliases, directives, cost.
    parseOptions,
    validationRules: queryLimitRules(config.limits),
    // Arrays of operations, at most LIMIT_BATCH_OPERATIONS (graphqlHttpHandler).
    allowBatchedHttpRequests: true,
    // Compact JSON: Apollo pretty-prints by default, which costs CPU and bytes on every page.
    stringifyResult: (result) => JSON.stringify(result),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // 401 (with WWW-Authenticate) for a request stopped by UNAUTHENTICATED.
      httpStatusPlugin(),
      // GET /graphql from a browser: our offline GraphiQL.
      playgroundLandingPage(),
      // We send no cache hints; the plugin would wrap every field resolver for nothing.
      ApolloServerPluginCacheControlDisabled(),
      // Federated tracing (ftv1) times graphql-js's field resolvers, which the jit executor bypasses.
      ApolloServerPluginInlineTraceDisabled(),
      ...(metrics ? [graphqlMetricsPlugin<Context>(metrics.graphql, labelCallerOf)] : []),
      ...(config.logging.accessLogSample > 0 ? [accessLogPlugin<Context>(logger, config.logging.accessLogSample)] : []),
    ],
  });
  await apollo.start();

  const logRefusal = config.logging.accessLogSample > 0 ? accessLogOfRefusals(logger, config.logging.accessLogSample) : null;
  const graphql = graphqlHttpHandler(apollo, async ({ req, res, body }) => {
    // Chosen where the request came in (its log lines carry it), sent back to the caller.
    const requestId = currentRequestId() ?? requestIdOf(req.headers);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (!req.headers[ORG_HEADER] && asksOnlyForSchema(body, parseOptions)) {
      return createSchemaOnlyContext(services, requestId, req.headers);
    }
    try {
      const caller = await authenticator.authenticate(req.headers);
      // A batch's operations share this context; each counts as a request of its own.
      await rateLimiter.consume(caller.tenant, Array.isArray(body) ? body.length : 1);
      return createContext(services, caller, requestId, req.headers, abandonedWith(res));
    } catch (error: unknown) {
      throw withHttpStatus(error);
    }
  }, config.limits, (refusal) => {
    metrics?.graphql.errors.inc({ code: refusal.code });
    logRefusal?.(refusal);
  });
  const ownNames = { publicUrl: config.files.publicUrl, listenHost: config.host };
  // Anyone who reaches the port can cause these: a line a minute at most.
  const warnOfRefusedHost = throttledWarning(logger, 'Request refused: its Host could be a rebound name');
  const warnOfForeignPage = throttledWarning(logger, 'WebSocket handshake from a page of another site refused');
  const subscriptions = serveGraphqlOverWebSocket(httpServer, schema, {
    authenticator,
    parseOptions,
    validationRules: queryLimitRules(config.limits),
    rateLimiter,
    limits: config.limits,
    contextOf: (caller, headers, abandoned) => createContext(services, caller, requestIdOf(headers), headers, abandoned),
    formatError,
    traced: tracing !== null,
    // Without verification, a page of another site must not drive the API through its user's browser.
    refusesHandshake:
      config.auth.mode === 'none'
        ? (request) => {
            if (!servesHostWithoutVerification(request.headers.host, ownNames)) {
              warnOfRefusedHost({ host: request.headers.host });
              return true;
            }
            const foreign = isForeignPageHandshake(request, config.files.publicUrl);
            // Said, so that a page of ours behind a proxy that rewrites Host can be told apart (set PUBLIC_URL).
            if (foreign) warnOfForeignPage({ origin: request.headers.origin, host: request.headers.host });
            return foreign;
          }
        : undefined,
  });
  const batchRecords = batchRecordsHandler(database.db, authenticator, rateLimiter, logger);
  const download = filesHandler({
    signingKey,
    findFile: (id) => findStoredFile(database.db, files, id),
    admit: (file) => downloadLimiter.consume({ orgId: file.orgId, sandboxName: file.sandboxName }),
    logger,
  });
  const assets = staticAssetsHandler();
  const liveness = livenessHandler({
    subscriptions: () => hub.watcherCount(),
    sockets: () => subscriptions.clientCount(),
    databaseFailure: () => database.failure(),
  });
  const readinessProbe = readinessHandler(readiness);

  let metricsOnMainPort: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null = null;
  let metricsServer: MetricsServer | null = null;
  if (metrics) {
    registerStateGauges(metrics.registry, {
      queue: cachedQueueSnapshot(database.db),
      sockets: () => subscriptions.clientCount(),
      subscriptions: () => hub.watcherCount(),
      runner:
        config.runner.concurrency > 0
          ? { busy: () => background?.runner.busySlots() ?? 0, concurrency: config.runner.concurrency }
          : null,
      pools: () => database.poolUsage(),
    });
    const registries = [processMetrics(), metrics.registry];
    // With SERVER_PROCESSES > 1 this is a worker: scrapes get the primary's aggregate (metrics/clusterMetrics.ts).
    const inCluster = config.serverProcesses > 1;
    const source = inCluster ? workerMetrics(registries) : localMetrics(registries);
    if (config.metrics.port === undefined) metricsOnMainPort = metricsHandler(source, logger);
    else if (!inCluster) metricsServer = await serveMetricsPort(source, config.metrics.port, config.host, logger);
  }
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Without verification, a page of another site whose name now points here must not be
    // served. The probes and /metrics name no tenant's data: an orchestrator may use any name.
    if (config.auth.mode === 'none' && !UNGUARDED_PATHS.has(path) && !servesHostWithoutVerification(req.headers.host, ownNames)) {
      warnOfRefusedHost({ host: req.headers.host, path });
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ errors: [{ message: refusedHostMessage(req.headers.host), extensions: { code: 'FORBIDDEN' } }] }));
      return;
    }
    if (path === '/graphql') {
      withLogContext({ requestId: requestIdOf(req.headers) }, () => graphql(req, res)).catch((error: unknown) => {
        logger.error('HTTP handler failed', { error: describeError(error) });
        if (res.headersSent) return void res.end();
        // Still a GraphQL answer with its code, as every other failure is; never the error itself.
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
      });
    } else if (isBatchRecordsPath(path)) {
      void withLogContext({ requestId: requestIdOf(req.headers) }, () => batchRecords(req, res));
    } else if (isFilesPath(path)) {
      void withLogContext({ requestId: requestIdOf(req.headers) }, () => download(req, res));
    } else if (path === '/favicon.ico') {
      res.statusCode = 204;
      res.end();
    } else if (path === '/jobs' || path === '/jobs/') {
      sendJobsPage(req, res);
    } else if (path.startsWith(ASSETS_PREFIX)) {
      assets(req, res, path).catch((error: unknown) => {
        logger.error('Static asset failed', { path, error: describeError(error) });
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
    } else if (path === '/healthz') {
      liveness(req, res);
    } else if (path === '/readyz') {
      void readinessProbe(req, res);
    } else if (path === METRICS_PATH && metricsOnMainPort) {
      void metricsOnMainPort(req, res);
    } else {
      res.statusCode = 404;
      res.end('Not found');
    }
  });

  await listen(httpServer, config.port, config.host);
  // Listening, nothing else reports the server's errors (an accept that fails: too many open files).
  httpServer.on('error', (error) => logger.error('HTTP server error', { error: describeError(error) }));
  if (config.runner.concurrency > 0) {
    try {
      background = await startBackgroundServices({ database, bus, logger, runner: config.runner, config, metrics, files });
    } catch (error: unknown) {
      await new Promise((resolve) => httpServer.close(resolve));
      throw error;
    }
  }
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.host ?? 'localhost'}:${port}/graphql`;
  const metricsUrl = metricsOnMainPort
    ? url.replace(/\/graphql$/, METRICS_PATH)
    : metricsServer
      ? `http://${config.host ?? 'localhost'}:${metricsServer.port}${METRICS_PATH}`
      : null;
  logger.info('Export jobs gateway ready', {
    url,
    jobsPage: url.replace(/\/graphql$/, '/jobs'),
    ...(metricsUrl ? { metrics: metricsUrl } : {}),
    database: database.description,
  });

  return {
    url,
    port,
    database,
    bus,
    runner: background?.runner ?? null,
    hub,
    subscriptions,
    metricsUrl,
    close: async () => {
      // Not ready first, still serving: a load balancer sends new requests elsewhere before we stop accepting them.
      readiness.stop();
      if (config.shutdownDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
      await closeInTurn([
        () => subscriptions.close(),
        () => hub.close(),
        () => background?.stop(),
        () => bus.close(),
        () => apollo.stop(),
        () => statistics.settled(),
        () => metricsServer?.close(),
        () => checkpoints?.stop(),
        () => (options.database ? undefined : database.close()),
        async () => {
          const unsent = await tracing?.shutdown();
          if (unsent) logger.warn('Spans left unsent at shutdown', { reason: unsent });
        },
      ]);
    },
  };
}

/**
 * Who chose an operation's name, for its metrics label: its organisation (each may make
 * only so many names labels, however many sandboxes it uses); null without a tenant.
 */
const labelCallerOf = (context: Context): string | null => (isSchemaOnlyContext(context) ? null : context.tenant.orgId);

/** Paths served whatever the Host (rebindingGuard.ts): they read no tenant's data. */
const UNGUARDED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', METRICS_PATH]);

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
