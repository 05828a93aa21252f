/**
 * `npm run worker` with METRICS_PORT serves the metrics of the runs it
 * performs: a scrape of the API's servers would never see them.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sample, scrape } from '../helpers/metrics';
import { startService, type ServiceProcess } from '../helpers/processes';
import { useRunnerCluster, waitFor } from '../helpers/runnerCluster';
import { waitUntil } from '../helpers/waitUntil';

const RUNNER_ENV = { RUNNER_POLL_MS: '50', RUNNER_CHUNK_SIZE: '100', RUNNER_CONCURRENCY: '2' };

/** The TCP ports process `pid` listens on (Linux: its socket descriptors that /proc/net/tcp{,6} list in state LISTEN). */
function listeningPorts(pid: number): number[] {
  const sockets = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) sockets.add(inode);
    } catch {
      // Closed between the listing and the read.
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // local_address is column 1 (address:port in hex), st column 3 (0A: LISTEN), inode column 9.
      if (columns[3] === '0A' && sockets.has(columns[9]!)) ports.push(parseInt(columns[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

describe('the metrics of a worker process on PostgreSQL', () => {
  const cluster = useRunnerCluster();

  const startWorker = async (env: Record<string, string>): Promise<ServiceProcess> => {
    const worker = await startService('worker', { DATABASE_URL: cluster.url, ...RUNNER_ENV, ...env });
    cluster.services.push(worker);
    return worker;
  };

  it('serves /metrics on METRICS_PORT with the counters and histograms of the jobs it ran', async () => {
    const org = 'ORG_WORKER_METRICS@AdobeOrg';
    await cluster.sql`insert into profiles (org_id, sandbox_name, profile_id, identities, updated_at)
      select ${org}, 'prod', 'p' || lpad(i::text, 4, '0'), jsonb_build_array(jsonb_build_object('namespace', 'email', 'id', i || '@x')), now()
      from generate_series(1, 250) i`;
    const worker = await startWorker({ METRICS_PORT: '0' });
    await waitUntil(() => worker.output().includes('Worker metrics served'));
    const url = /"url":"(http:[^"]+\/metrics)"/.exec(worker.output())![1]!;
    // Its one listener is the metrics port it logged (the check the test below relies on, seen to find one).
    expect(listeningPorts(worker.child.pid!)).toEqual([Number(new URL(url).port)]);

    const jobId = await cluster.createJob(org, { fields: 'identities.id', filter: { emptyProfiles: true } });
    await waitFor(async () => {
      const [row] = await cluster.sql`select status from export_jobs where id = ${jobId}`;
      return row!.status === 'SUCCEEDED' ? true : undefined;
    });
    const text = await scrape(url);
    expect(sample(text, 'gateway_export_jobs_finished_total', { status: 'SUCCEEDED' })).toBe(1);
    expect(sample(text, 'gateway_export_run_duration_seconds_count', { outcome: 'succeeded' })).toBe(1);
    expect(sample(text, 'gateway_export_queue_wait_seconds_count')).toBe(1);
    expect(sample(text, 'gateway_exported_profiles_total')).toBe(250);
    expect(sample(text, 'gateway_export_profiles_read_total')).toBe(250);
    expect(sample(text, 'gateway_runner_slots', { state: 'free' })).toBe(2);
    // 4 a RUNNER_CONCURRENCY slot + 2 connections of the runner's pool (runnerPool.ts).
    expect(sample(text, 'gateway_db_pool_connections', { pool: 'runner' })).toBe(10);
    expect(sample(text, 'gateway_processes')).toBe(1);
    // The job's events reached this process's bus (created, started, progress, succeeded).
    expect(sample(text, 'gateway_event_notifications_total')).toBeGreaterThanOrEqual(3);
    // No API here: no sockets to count.
    expect(sample(text, 'gateway_websocket_connections')).toBeUndefined();
  });

  it('says at start that it serves no metrics without METRICS_PORT', async () => {
    const worker = await startWorker({});
    await waitUntil(() => worker.output().includes('serves no /metrics: set METRICS_PORT'));
    // And it opened none: no metrics URL logged, and no port listened on.
    expect(worker.output()).not.toContain('Worker metrics served');
    expect(listeningPorts(worker.child.pid!)).toEqual([]);
  });
});
