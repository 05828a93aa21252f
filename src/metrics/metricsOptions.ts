/** Whether and where Prometheus metrics are served; every value comes from the config. */
export interface MetricsOptions {
  /**
   * Records metrics and serves `GET /metrics` (`METRICS`, `on` or `off`, default
   * on). Off, nothing is recorded at all: no registry work on any request.
   */
  enabled: boolean;
  /**
   * Serves `/metrics` on this port of its own instead of the main one
   * (`METRICS_PORT`; default unset: the main port). With SERVER_PROCESSES > 1 the
   * cluster's primary listens on it and answers for every worker.
   */
  port: number | undefined;
}
