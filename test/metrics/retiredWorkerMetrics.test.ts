/** The retired total: what dead server processes counted, kept by the cluster's primary. */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { cumulativeMetrics, retireWorkerMetrics, type MetricJson } from '../../src/metrics/retiredWorkerMetrics';
import { sample } from '../helpers/metrics';

interface ProcessMetrics {
  errors: Counter<'code'>;
  duration: Histogram<'operation'>;
  sockets: Gauge;
  size: Summary;
}

/** One process's registry as the primary receives it: counters, a histogram, a gauge and a summary. */
async function processMetrics(record: (metrics: ProcessMetrics) => void): Promise<MetricJson[]> {
  const registers = [new Registry()];
  const metrics = {
    errors: new Counter({ name: 'errors_total', help: 'errors', labelNames: ['code'], registers }),
    duration: new Histogram({ name: 'duration_seconds', help: 'durations', labelNames: ['operation'], buckets: [0.1, 1], registers }),
    sockets: new Gauge({ name: 'sockets', help: 'open sockets', registers }),
    size: new Summary({ name: 'size_bytes', help: 'sizes', percentiles: [0.5], registers }),
  };
  record(metrics);
  return (await registers[0]!.getMetricsAsJSON()) as unknown as MetricJson[];
}

const text = (...metrics: MetricJson[][]) => AggregatorRegistry.aggregate(metrics).metrics();

describe('the retired total of dead server processes', () => {
  it('adds the counters of each dead process, by label set', async () => {
    const first = await processMetrics(({ errors }) => {
      errors.inc({ code: 'BAD_USER_INPUT' }, 3);
      errors.inc({ code: 'FORBIDDEN' });
    });
    const second = await processMetrics(({ errors }) => errors.inc({ code: 'BAD_USER_INPUT' }, 4));
    const retired = await text(retireWorkerMetrics(retireWorkerMetrics([], first), second));
    expect(sample(retired, 'errors_total', { code: 'BAD_USER_INPUT' })).toBe(7);
    expect(sample(retired, 'errors_total', { code: 'FORBIDDEN' })).toBe(1);
  });

  it('adds histogram buckets, sums and counts by label set', async () => {
    const first = await processMetrics(({ duration }) => {
      duration.observe({ operation: 'A' }, 0.05);
      duration.observe({ operation: 'B' }, 0.5);
    });
    const second = await processMetrics(({ duration }) => {
      duration.observe({ operation: 'A' }, 0.5);
      duration.observe({ operation: 'A' }, 5);
    });
    const retired = await text(retireWorkerMetrics(retireWorkerMetrics([], first), second));
    expect(sample(retired, 'duration_seconds_bucket', { operation: 'A', le: '0.1' })).toBe(1);
    expect(sample(retired, 'duration_seconds_bucket', { operation: 'A', le: '1' })).toBe(2);
    expect(sample(retired, 'duration_seconds_bucket', { operation: 'A', le: '+Inf' })).toBe(3);
    expect(sample(retired, 'duration_seconds_count', { operation: 'A' })).toBe(3);
    expect(sample(retired, 'duration_seconds_sum', { operation: 'A' })).toBeCloseTo(5.55);
    expect(sample(retired, 'duration_seconds_count', { operation: 'B' })).toBe(1);
  });

  it('drops the gauges of a dead process, and a summary\'s quantiles but not its sum and count', async () => {
    const dead = await processMetrics(({ sockets, size }) => {
      sockets.set(12);
      size.observe(100);
    });
    const retired = await text(retireWorkerMetrics([], dead));
    expect(sample(retired, 'sockets')).toBeUndefined();
    expect(sample(retired, 'size_bytes', { quantile: '0.5' })).toBeUndefined();
    expect(sample(retired, 'size_bytes_count')).toBe(1);
    expect(sample(retired, 'size_bytes_sum')).toBe(100);
    expect(cumulativeMetrics(dead).map((metric) => metric.name)).not.toContain('sockets');
  });

  it('adds to the live processes\' figures in the cluster\'s aggregate, gauges from the live ones only', async () => {
    const dead = await processMetrics(({ errors, sockets }) => {
      errors.inc({ code: 'FORBIDDEN' }, 5);
      sockets.set(12);
    });
    const live = await processMetrics(({ errors, sockets }) => {
      errors.inc({ code: 'FORBIDDEN' }, 2);
      sockets.set(3);
    });
    const aggregate = await text(live, retireWorkerMetrics([], dead));
    expect(sample(aggregate, 'errors_total', { code: 'FORBIDDEN' })).toBe(7);
    expect(sample(aggregate, 'sockets')).toBe(3);
  });

  it('leaves the total it was given unchanged', async () => {
    const retired = retireWorkerMetrics([], await processMetrics(({ errors }) => errors.inc({ code: 'FORBIDDEN' })));
    const before = JSON.stringify(retired);
    retireWorkerMetrics(retired, await processMetrics(({ errors }) => errors.inc({ code: 'FORBIDDEN' })));
    expect(JSON.stringify(retired)).toBe(before);
  });
});
