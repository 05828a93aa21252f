/**
 * Throughput of a few servers compared on a noisy machine. Run one after another
 * for ten seconds each, identical servers here differed by 15 % from the first to
 * the last (bench:api, 2026-12-01): the machine's speed drifts more than the costs
 * to be shown. So every server is started at once and loaded in turn, in short
 * slices, round after round (`orderOf`); each server's figures then come from the
 * same minutes as the others', and a cost is a ratio of two servers' slices in the
 * same round.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

export interface LoadTarget {
  /** Named in errors. */
  url: string;
  /** The server's process: its CPU time and its children's (cluster workers) are read from /proc. */
  pid: number;
}

export interface SliceFigures {
  rps: number;
  requests: number;
  /** Latencies, in ms. */
  p50: number;
  p99: number;
}

export interface InterleavedFigures {
  /** Per target, per round. */
  slices: SliceFigures[][];
  /**
   * Per target, its CPU time over the whole run (rounds and the others' slices too:
   * work a server finishes after its slice, as a trace export, counts) a request, in µs.
   */
  cpuUsPerRequest: number[];
}

export interface InterleavedOptions {
  rounds: number;
  sliceSeconds: number;
  /** Rounds run first and not counted: each server compiles its paths and fills its caches. */
  warmUpRounds: number;
  /** The load of one slice on the target at `index` (autocannon options; the duration is the slice's). */
  load: (index: number) => autocannon.Options;
}

/**
 * The order of the servers in `round`: each round starts with the next server, and every
 * other cycle of rotations runs backwards, so that over 2 × count rounds each server runs
 * before each other one as often as after it (with three servers, rotations alone put one
 * before the next in two rounds of three).
 */
export function orderOf(round: number, count: number): number[] {
  const cycle = Math.floor(round / count);
  const first = ((round % count) + count) % count;
  const order = Array.from({ length: count }, (_, k) => (first + k) % count);
  return ((cycle % 2) + 2) % 2 === 1 ? order.reverse() : order;
}

export async function interleavedLoad(targets: LoadTarget[], options: InterleavedOptions): Promise<InterleavedFigures> {
  const slices: SliceFigures[][] = targets.map(() => []);
  let cpuAtStart: number[] = [];
  for (let round = -options.warmUpRounds; round < options.rounds; round++) {
    if (round === 0) cpuAtStart = targets.map((target) => cpuMicros(target.pid));
    for (const index of orderOf(round, targets.length)) {
      const target = targets[index]!;
      const result = await autocannon({ ...options.load(index), duration: options.sliceSeconds });
      const failed = result.errors + result.timeouts + result.non2xx;
      if (failed > 0) throw new Error(`${target.url}: ${failed} requests failed`);
      if (round >= 0) {
        slices[index]!.push({
          rps: result.requests.average,
          requests: result.requests.total,
          p50: result.latency.p50,
          p99: result.latency.p99,
        });
      }
    }
  }
  const cpuUsPerRequest = targets.map((target, index) => {
    const requests = slices[index]!.reduce((sum, slice) => sum + slice.requests, 0);
    return (cpuMicros(target.pid) - cpuAtStart[index]!) / Math.max(1, requests);
  });
  return { slices, cpuUsPerRequest };
}

/**
 * CPU time the process `pid` and its live children (a server's cluster workers) have
 * used so far, in µs (/proc: clock ticks of 10 ms).
 */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, then cutime and cstime: the children already gone and waited for.
  const own = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10_000;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  return children.reduce((sum, child) => sum + cpuMicros(child), own);
}

/** The median of `values` (of an even count, the mean of the two middle ones). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
