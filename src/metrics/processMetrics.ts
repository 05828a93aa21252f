/**
 * The Node process's own metrics (`collectDefaultMetrics`: CPU, memory, event
 * loop lag, GC, handles), in one registry per process: they belong to the
 * process, not to a server, and collecting them installs observers that are
 * never removed, so they are set up once however many servers a process starts
 * (tests start many).
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

let registry: Registry | undefined;

export function processMetrics(): Registry {
  if (registry) return registry;
  registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // 1 in each process; summed across SERVER_PROCESSES it says how many processes answered the scrape.
  new Gauge({ name: 'gateway_processes', help: 'Gateway processes whose metrics are in this scrape', registers: [registry] }).set(1);
  return registry;
}
