/**
 * Gauges of state, read when Prometheus scrapes (`collect`), so nothing on a
 * request or an export keeps them up to date. Across WORKERS processes
 * (AggregatorRegistry) they are summed, except the queue's: every process reads
 * the same database, so the largest reading stands for all.
 */
import { Gauge, type Registry } from 'prom-client';
import { QUEUE_STATUSES, type QueueSnapshot } from './queueSnapshot';

export interface StateSources {
  queue: () => Promise<QueueSnapshot>;
  /** Open GraphQL WebSockets. */
  sockets: () => number;
  /** Watchers registered with the hub (one per subscription to job events). */
  subscriptions: () => number;
  /** The embedded runner's slots; null when this process runs no exports. */
  runner: { busy: () => number; concurrency: number } | null;
  /** Statements waiting for or running on the database, where the driver tells it (PGlite); null otherwise. */
  pendingQueries: (() => number) | null;
}

export function registerStateGauges(registry: Registry, sources: StateSources): void {
  const registers = [registry];
  new Gauge({
    name: 'gateway_export_jobs',
    help: 'Export jobs that want or have work, by status (NEW, PROCESSING, CANCELLING); read at most every 5 s',
    labelNames: ['status'],
    aggregator: 'max',
    registers,
    async collect() {
      const { jobs } = await sources.queue();
      for (const status of QUEUE_STATUSES) this.set({ status }, jobs[status]);
    },
  });
  new Gauge({
    name: 'gateway_export_jobs_lease_expired',
    help: 'PROCESSING or CANCELLING export jobs whose lease has passed (no runner holds them)',
    aggregator: 'max',
    registers,
    async collect() {
      this.set((await sources.queue()).leaseExpired);
    },
  });
  new Gauge({
    name: 'gateway_export_queue_oldest_age_seconds',
    help: 'How long the oldest NEW export job has waited (0 when none waits)',
    aggregator: 'max',
    registers,
    async collect() {
      this.set((await sources.queue()).oldestNewAgeSeconds);
    },
  });
  new Gauge({
    name: 'gateway_websocket_connections',
    help: 'Open GraphQL WebSocket connections',
    registers,
    collect() {
      this.set(sources.sockets());
    },
  });
  new Gauge({
    name: 'gateway_subscriptions',
    help: 'Subscriptions to job events (watchers of the hub)',
    registers,
    collect() {
      this.set(sources.subscriptions());
    },
  });
  const { runner, pendingQueries } = sources;
  if (runner) {
    new Gauge({
      name: 'gateway_runner_slots',
      help: 'Slots of the embedded export runner, busy (running a job) or free',
      labelNames: ['state'],
      registers,
      collect() {
        const busy = runner.busy();
        this.set({ state: 'busy' }, busy);
        this.set({ state: 'free' }, Math.max(0, runner.concurrency - busy));
      },
    });
  }
  if (pendingQueries) {
    new Gauge({
      name: 'gateway_db_pending_queries',
      help: 'Statements sent to the embedded database thread and not yet answered (queued or running)',
      registers,
      collect() {
        this.set(pendingQueries());
      },
    });
  }
}
