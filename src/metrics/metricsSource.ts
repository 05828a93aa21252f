/** Where a scrape's text comes from: this process's registries, or the whole cluster's (`clusterMetrics.ts`). */
import { Registry } from 'prom-client';

export interface MetricsSource {
  contentType: string;
  text(): Promise<string>;
}

/** The registries of this process, one after the other (their metric names are distinct). */
export function localMetrics(registries: Registry[]): MetricsSource {
  return {
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
    text: async () => (await Promise.all(registries.map((registry) => registry.metrics()))).join(''),
  };
}
