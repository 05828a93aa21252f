/**
 * The gateway's own metrics, in one registry per server: what each part
 * records (requests, the runner, events, webhooks). Gauges of state (queue,
 * sockets, slots) are read when scraped (`stateGauges.ts`), never kept up to
 * date on the hot path. Names follow Prometheus conventions: `gateway_`
 * prefix, base units (`_seconds`), `_total` for counters.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { operationLabels, type OperationLabels } from './operationLabels';

export interface GraphqlMetrics {
  requestDuration: Histogram<'operation' | 'outcome'>;
  errors: Counter<'code'>;
  /** Bounded label values for operation names. */
  operations: OperationLabels;
}

export interface RunnerMetrics {
  runDuration: Histogram<'outcome'>;
  queueWait: Histogram;
  jobsFinished: Counter<'status'>;
  profilesRead: Counter;
  profilesSegmented: Counter;
  exportedProfiles: Counter;
  leaseRenewals: Counter;
  leasesLost: Counter;
  jobsReclaimed: Counter;
}

export interface EventMetrics {
  notifications: Counter;
  deliveryLag: Histogram;
  progressSkipped: Counter;
}

export interface WebhookMetrics {
  deliveries: Counter<'outcome'>;
}

export interface GatewayMetrics {
  registry: Registry;
  graphql: GraphqlMetrics;
  runner: RunnerMetrics;
  events: EventMetrics;
  webhooks: WebhookMetrics;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    graphql: {
      requestDuration: new Histogram({
        name: 'gateway_graphql_request_duration_seconds',
        help: 'GraphQL operations over HTTP, from parsing to the response, by operation name and outcome (ok, client_error, server_error)',
        labelNames: ['operation', 'outcome'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
      errors: new Counter({
        name: 'gateway_graphql_errors_total',
        help: 'GraphQL errors sent to clients over HTTP, by extensions.code',
        labelNames: ['code'],
        registers,
      }),
      operations: operationLabels(),
    },
    runner: {
      runDuration: new Histogram({
        name: 'gateway_export_run_duration_seconds',
        help: 'Runs of export jobs, from claim to end, by outcome (succeeded, failed, cancelled, released, lost)',
        labelNames: ['outcome'],
        buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
        registers,
      }),
      queueWait: new Histogram({
        name: 'gateway_export_queue_wait_seconds',
        help: 'Time from the creation of an export job to its first claim by a runner',
        buckets: [0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600],
        registers,
      }),
      jobsFinished: new Counter({
        name: 'gateway_export_jobs_finished_total',
        help: 'Export jobs ended by this process\'s runner, by final status (SUCCEEDED, FAILED, CANCELLED)',
        labelNames: ['status'],
        registers,
      }),
      profilesRead: new Counter({
        name: 'gateway_export_profiles_read_total',
        help: 'Profiles read by export chunks (progress, whatever the job\'s end)',
        registers,
      }),
      profilesSegmented: new Counter({
        name: 'gateway_export_profiles_segmented_total',
        help: 'Profiles evaluated by the segmentation phase of exports (evaluationInfo.segmentation), once per segment',
        registers,
      }),
      exportedProfiles: new Counter({
        name: 'gateway_exported_profiles_total',
        help: 'Records written by export jobs that succeeded (their exportedProfiles: one per profile and batch)',
        registers,
      }),
      leaseRenewals: new Counter({
        name: 'gateway_runner_lease_renewals_total',
        help: 'Leases on export jobs renewed by heartbeats',
        registers,
      }),
      leasesLost: new Counter({
        name: 'gateway_runner_leases_lost_total',
        help: 'Runs that found their job held by another runner (their lease had expired)',
        registers,
      }),
      jobsReclaimed: new Counter({
        name: 'gateway_runner_jobs_reclaimed_total',
        help: 'Export jobs claimed again after an interrupted run (attempts above 1)',
        registers,
      }),
    },
    events: {
      notifications: new Counter({
        name: 'gateway_event_notifications_total',
        help: 'Job events received from the database (LISTEN/NOTIFY)',
        registers,
      }),
      deliveryLag: new Histogram({
        name: 'gateway_event_delivery_lag_seconds',
        help: 'From an event\'s occurredAt to the hub handing it to watchers (events with watchers only)',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
      progressSkipped: new Counter({
        name: 'gateway_event_progress_skipped_total',
        help: 'Progress events not fanned out because a newer one of the same job already waited (the fan-out was behind)',
        registers,
      }),
    },
    webhooks: {
      deliveries: new Counter({
        name: 'gateway_webhook_deliveries_total',
        help: 'Webhook delivery attempts by outcome (succeeded, failed)',
        labelNames: ['outcome'],
        registers,
      }),
    },
  };
}
