/** Reads a Prometheus text exposition as a test asserts on it. */

export async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
}

/**
 * The sum of the samples named `name` whose labels include `labels`;
 * undefined when there is none.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const seen = new Map<string, string>();
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) seen.set(key!, value!);
    if (Object.entries(labels).every(([key, value]) => seen.get(key) === value)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}
