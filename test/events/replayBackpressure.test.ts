/**
 * A resume of the tenant's stream replays stored events as fast as the database
 * answers them; a client on a slow link reads them at its own pace. The replay
 * waits for the client's socket rather than overrun it: a healthy client that
 * resumes a busy day gets every event, not a close (1013) every few megabytes.
 */
import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { startExport } from '../helpers/exportFlow';
import { JOB_STATUS_CHANGED } from '../helpers/subscriptions';
import { startTestServer, type TestServer } from '../helpers/testServer';

// Far more than the socket's and the kernel's buffers on loopback hold, and the sender's bound (1 MiB) besides.
const STORED = 40_000;

describe.each(storageTargets)('replaying to a client that reads slowly, on $name', (target) => {
  let api: TestServer;
  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 0 }, {}, { requestsPerSecond: 100_000 });
  });
  afterAll(() => api?.close());

  it('waits for the client to read rather than close its socket, and gives every event once', { timeout: 120_000 }, async () => {
    const headers = { 'x-gw-ims-org-id': `ORG_SLOW_READER_${target.name}@AdobeOrg`, 'x-sandbox-name': 'prod' };
    const { jobId } = await startExport(api, {}, headers);
    // A busy day of the job's progress, stored behind its CREATED event.
    await api.database.db.execute(sql`
      insert into export_job_events (org_id, sandbox_name, job_id, sequence, type, status, processed_profiles, total_profiles, percent, job, occurred_at)
      select org_id, sandbox_name, job_id, sequence + g, 'PROGRESS', status, g, ${STORED}, 0, job, occurred_at
      from export_job_events, generate_series(1, ${STORED}) g
      where job_id = ${Number(jobId)} and sequence = 1`);
    // Resumed after the job's first event: everything stored after it is replayed.
    const after = await api.graphql(`{ jobEvents(jobId: "${jobId}", first: 1) { edges { node { id } } } }`, {}, headers);
    const afterCursor = after.data!.jobEvents.edges[0].node.id as string;

    const socket = new WebSocket(api.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    let received = 0;
    let closed: number | null = null;
    const finished = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: JOB_STATUS_CHANGED, variables: { after: afterCursor } } }));
          // A slow link: nothing read for three seconds while the replay goes on.
          socket.pause();
          setTimeout(() => socket.resume(), 3_000);
        } else if (message.type === 'next' && ++received === STORED) resolve();
      });
      socket.on('close', (code) => {
        closed = code;
        resolve();
      });
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: headers })));
    await finished;
    socket.close();
    expect(closed).toBeNull();
    expect(received).toBe(STORED);
  });
});
