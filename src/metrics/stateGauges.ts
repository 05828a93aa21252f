/**
 * Gauges of state, read when Prometheus scrapes (`collect`), so nothing on a
 * request or an export keeps them up to date (the pools' holders are counted by
 * `observedPostgres`, a statement at a time). Across the server processes
 * (AggregatorRegistry) they are summed (each process has its own pools), except
 * the queue's: every process reads the same database, so the largest reading
 * stands for all.
 */
import { Gauge, type Registry } from 'prom-client';
import type { PoolUsage } from '../db/poolLoad';
import { OPEN_PART_STATUSES, QUEUE_STATUSES, type QueueSnapshot } from './queueSnapshot';

export interface StateSources {
  queue: () => Promise<QueueSnapshot>;
  /** Open GraphQL WebSockets; absent in a process without the API (`npm run worker`). */
  sockets?: () => number;
  /** Watchers registered with the hub (one per subscription to job events); absent without the API. */
  subscriptions?: () => number;
  /** The embedded runner's slots; null when this process runs no exports. */
  runner: { busy: () => number; concurrency: number } | null;
  /** How busy each pool of database connections is. */
  pools: () => PoolUsage[];
}

export function registerStateGauges(registry: Registry, sources: StateSources): void {
  const registers = [registry];
  // prom-client fails the whole scrape when one collect throws: a database that cannot be
  // read must not take the process's other metrics with it. The queue's gauges then keep
  // what they last showed (nothing, or 0 unlabelled, before the first read), and the
  // snapshot's age grows, which says so.
  const queue = () => sources.queue().catch(() => undefined);
  new Gauge({
    name: 'gateway_export_jobs',
    help: 'Export jobs that want or have work, by status (NEW, PROCESSING, CANCELLING); read at most every 5 s',
    labelNames: ['status'],
    aggregator: 'max',
    registers,
    async collect() {
      const snapshot = await queue();
      if (snapshot) for (const status of QUEUE_STATUSES) this.set({ status }, snapshot.jobs[status]);
    },
  });
  new Gauge({
    name: 'gateway_export_job_parts',
    help: 'Parts of sharded export jobs not yet read to their end, waiting for a runner (PENDING) or held by one (RUNNING); read at most every 5 s',
    labelNames: ['status'],
    aggregator: 'max',
    registers,
    async collect() {
      const snapshot = await queue();
      if (snapshot) for (const status of OPEN_PART_STATUSES) this.set({ status }, snapshot.parts[status]);
    },
  });
  new Gauge({
    name: 'gateway_export_jobs_lease_expired',
    help: 'PROCESSING or CANCELLING export jobs whose lease has passed (no runner holds them)',
    aggregator: 'max',
    registers,
    async collect() {
      const snapshot = await queue();
      if (snapshot) this.set(snapshot.leaseExpired);
    },
  });
  new Gauge({
    name: 'gateway_export_queue_oldest_age_seconds',
    help: 'How long the oldest NEW export job has waited (0 when none waits)',
    aggregator: 'max',
    registers,
    async collect() {
      const snapshot = await queue();
      if (snapshot) this.set(snapshot.oldestNewAgeSeconds);
    },
  });
  new Gauge({
    name: 'gateway_export_queue_snapshot_age_seconds',
    help: "How old the reading behind the queue's gauges is: under 5 s, unless the database could not be read since",
    // Across processes, the freshest reading's.
    aggregator: 'min',
    registers,
    async collect() {
      const snapshot = await queue();
      if (snapshot) this.set(Math.max(0, (Date.now() - snapshot.readAt) / 1000));
    },
  });
  const { sockets, subscriptions } = sources;
  if (sockets) {
    new Gauge({
      name: 'gateway_websocket_connections',
      help: 'Open GraphQL WebSocket connections',
      registers,
      collect() {
        this.set(sockets());
      },
    });
  }
  if (subscriptions) {
    new Gauge({
      name: 'gateway_subscriptions',
      help: 'Subscriptions to job events (watchers of the hub)',
      registers,
      collect() {
        this.set(subscriptions());
      },
    });
  }
  const { runner, pools } = sources;
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
  new Gauge({
    name: 'gateway_db_pool_connections',
    help: 'Connections of each database pool (api, runner, webhooks; embedded: PGlite\'s one), in use or idle',
    labelNames: ['pool', 'state'],
    registers,
    collect() {
      for (const { pool, connections, inUse } of pools()) {
        this.set({ pool, state: 'in_use' }, inUse);
        this.set({ pool, state: 'idle' }, connections - inUse);
      }
    },
  });
  new Gauge({
    name: 'gateway_db_pool_waiting',
    help: 'Statements or transactions of each database pool waiting for a connection (queued or pipelined behind another)',
    labelNames: ['pool'],
    registers,
    collect() {
      for (const { pool, waiting } of pools()) this.set({ pool }, waiting);
    },
  });
}
