/** The bounds on what a request may ask; every value comes from the config (`LIMIT_*`). */
export interface LimitOptions {
  /** Depth of a selection, fragments included. `LIMIT_QUERY_DEPTH`, default 15. */
  queryDepth: number;
  /** Aliases in a document. `LIMIT_QUERY_ALIASES`, default 30. */
  queryAliases: number;
  /** Tokens in a document. `LIMIT_QUERY_TOKENS`, default 10,000. */
  queryTokens: number;
  /** Directives in a document. `LIMIT_QUERY_DIRECTIVES`, default 50. */
  queryDirectives: number;
  /** Cost of an operation: fields, multiplied by list sizes (`first`/`last`, `@listSize`). `LIMIT_QUERY_COST`, default 20,000. */
  queryCost: number;
  /** Bytes of an HTTP request body. `LIMIT_BODY_BYTES`, default 1 MiB (413 above). */
  bodyBytes: number;
  /** Operations in a batched HTTP request (a JSON array). `LIMIT_BATCH_OPERATIONS`, default 10. */
  batchOperations: number;
  /** Bytes of one operation's variables, as JSON. `LIMIT_VARIABLES_BYTES`, default 512 KiB. */
  variablesBytes: number;
  /** Bytes of one graphql-ws message. `LIMIT_WS_MESSAGE_BYTES`, default 64 KiB. */
  wsMessageBytes: number;
  /** Subscriptions open on one socket. `LIMIT_WS_SUBSCRIPTIONS`, default 100. */
  wsSubscriptions: number;
  /** Sockets of one tenant open on one process. `LIMIT_WS_CONNECTIONS_PER_TENANT`, default 500. */
  wsConnectionsPerTenant: number;
  /** Requests of one tenant a second, over every process on the database. `LIMIT_REQUESTS_PER_SECOND`, default 300. */
  requestsPerSecond: number;
  /**
   * Requests of one organisation a second, all its sandboxes together, over every process on the
   * database. `LIMIT_ORG_REQUESTS_PER_SECOND`, default four times `requestsPerSecond`.
   */
  orgRequestsPerSecond: number;
  /** Downloads through links of one tenant's files a second, over every process on the database. `LIMIT_DOWNLOADS_PER_SECOND`, default 100. */
  downloadsPerSecond: number;
  /** Seconds one `previewSegment` may walk the profile store. `LIMIT_PREVIEW_SECONDS`, default 30. */
  previewSeconds: number;
  /** `previewSegment`s of one organisation running at once in a process. `LIMIT_PREVIEWS_AT_ONCE`, default 4. */
  previewsAtOnce: number;
  /** Jobs one tenant may create in 24 hours. `LIMIT_JOBS_PER_DAY`, default 1,000. */
  jobsPerDay: number;
  /** Jobs of one tenant waiting as NEW at once. `LIMIT_QUEUED_JOBS`, default 100. */
  queuedJobs: number;
}
