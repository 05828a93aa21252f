/**
 * What the server processes that died had counted, kept by the cluster's primary
 * (`clusterMetrics.ts`). The cluster's aggregate is a sum over processes: without
 * a dead process's counts, a counter summed over the cluster falls when a process
 * is replaced, and Prometheus reads any fall of a counter as a reset to zero, so
 * `rate()` and `increase()` would count the whole remaining value once more.
 * Carrying a dead process's last counters and histograms on keeps every sum
 * monotonic. Its gauges are dropped: they describe a process that is gone.
 */

/** One sample of a metric as `Registry.getMetricsAsJSON()` gives it (a histogram's bucket, sum and count are each one). */
export interface MetricSample {
  value: number;
  labels: Partial<Record<string, string | number>>;
  /** `name_bucket`, `name_sum`, `name_count` for a histogram's or summary's samples. */
  metricName?: string;
}

/**
 * One metric as `Registry.getMetricsAsJSON()` gives it, as it crosses the cluster's IPC
 * channel (prom-client's types say `type` is an enum; it is the type's name).
 */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: MetricSample[];
}

/**
 * The part of one process's metrics that only ever grows: its counters and histograms,
 * and of a summary its `_sum` and `_count` (quantiles are no counts). Gauges are left out.
 */
export function cumulativeMetrics(metrics: readonly MetricJson[]): MetricJson[] {
  const cumulative: MetricJson[] = [];
  for (const metric of metrics) {
    if (metric.type === 'counter' || metric.type === 'histogram') cumulative.push(metric);
    else if (metric.type === 'summary') cumulative.push({ ...metric, values: metric.values.filter((sample) => sample.metricName !== undefined) });
  }
  return cumulative;
}

/**
 * `retired` with the cumulative part of a dead process's last `metrics` added in, sample by
 * sample (same name and labels): one total however many processes have died, so memory
 * grows with the series, not with the restarts. `retired` itself is left unchanged.
 */
export function retireWorkerMetrics(retired: readonly MetricJson[], metrics: readonly MetricJson[]): MetricJson[] {
  const total = new Map<string, { metric: MetricJson; samples: Map<string, MetricSample> }>();
  const add = (metric: MetricJson) => {
    let entry = total.get(metric.name);
    if (!entry) {
      entry = { metric: { ...metric, values: [] }, samples: new Map() };
      total.set(metric.name, entry);
    }
    for (const sample of metric.values) {
      const key = sampleKey(sample);
      const known = entry.samples.get(key);
      if (known) {
        known.value += sample.value;
      } else {
        const copy = { ...sample, labels: { ...sample.labels } };
        entry.samples.set(key, copy);
        entry.metric.values.push(copy);
      }
    }
  };
  for (const metric of retired) add(metric);
  for (const metric of cumulativeMetrics(metrics)) add(metric);
  return [...total.values()].map(({ metric }) => metric);
}

function sampleKey(sample: MetricSample): string {
  const labels = Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([sample.metricName ?? '', labels]);
}
