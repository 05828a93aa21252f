/**
 * `npm run bench:subscriptions`: N graphql-ws subscribers (BENCH_SUBSCRIBERS,
 * default 5,000) watch a running export, spread over BENCH_INSTANCES server
 * instances (default 1) on one database. First the same export runs unwatched,
 * in the same run, as the reference. Prints the delivery latency of the events
 * (from the change's write, the event's occurredAt, to the client's receipt) at
 * p50/p99, the export's time against the unwatched one's and the servers' RSS.
 * Targets (issue 15, at 10,000 subscribers on one instance, or 5,000 on each of
 * two): p99 under 100 ms, the export within 1.5× of its unwatched time, RSS
 * under 1 GB.
 * Before that, BENCH_CYCLES (default 10,000) connect/subscribe/close cycles:
 * prints the server's open sockets, subscriptions and RSS before and after.
 *
 * First of all, the cost of durable events on PGlite and PostgreSQL: job
 * changes a second with their events vs without (BENCH_EVENT_JOBS, default
 * 2,000 jobs created and cancelled), and webhook deliveries a second from one
 * deliverer to a local receiver (BENCH_HOOK_JOBS, default 1,000, times
 * BENCH_ENDPOINTS endpoints, default 4; target ≥ 500/s). BENCH_SUBSCRIBERS=0
 * stops after those.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import WebSocket from 'ws';
import { createDb } from '../src/db/createDb';
import { seedProfiles } from '../src/profiles/seedProfiles';
import { createPostgresDatabase } from '../test/helpers/databases';
import { measureEventDurability } from './eventDurability';
import { npmStartArgs } from './serverProcess';
import { measureWebhookThroughput } from './webhookThroughput';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 5000);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 10_000);
const PROFILES = Number(process.env.BENCH_PROFILES ?? 300_000);
const PORT = Number(process.env.BENCH_PORT ?? 4420);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
const portOf = (instance: number) => PORT + instance;
const TENANT = { orgId: 'BENCH_SUBS@AdobeOrg', sandboxName: 'prod' };
const HEADERS = { 'x-gw-ims-org-id': TENANT.orgId, 'x-sandbox-name': TENANT.sandboxName };
const WATCH = 'subscription { jobStatusChanged { type status occurredAt progress { percent } } }';

async function main(): Promise<void> {
  console.log('Job changes a second, written with their events (outbox trigger) and without (trigger disabled):');
  console.table(await measureEventDurability(Number(process.env.BENCH_EVENT_JOBS ?? 2_000)));
  console.log('Webhook deliveries a second, one deliverer, to a local receiver:');
  console.table(
    await measureWebhookThroughput(Number(process.env.BENCH_HOOK_JOBS ?? 1_000), Number(process.env.BENCH_ENDPOINTS ?? 4)),
  );
  if (SUBSCRIBERS === 0) return;

  const target = await createPostgresDatabase();
  const sql = postgres(target.url, { max: 1, onnotice: () => {} });
  const servers: ChildProcess[] = [];
  const clients: WebSocket[] = [];
  try {
    const database = await createDb({ url: target.url, dataDir: '' });
    await seedProfiles(database, TENANT, PROFILES);
    await database.close();
    await sql`vacuum analyze`;
    await sql`insert into datasets (id, org_id, sandbox_name, name, schema_ref_id, schema_ref_content_type)
      values ('subs00000000000000000000', ${TENANT.orgId}, ${TENANT.sandboxName}, 'bench', 'x', 'y')`;

    for (let instance = 0; instance < INSTANCES; instance++) servers.push(await startServer(target.url, portOf(instance)));
    await cycles(servers[0]!.pid!);
    // The reference: the same export with nobody watching, on the same servers.
    const unwatched = await runExport(sql);
    console.log(`Unwatched export: ${unwatched.records} records in ${unwatched.seconds.toFixed(2)} s`);
    const baseline = servers.map((server) => rssMb(server.pid!));
    const latencies: number[] = [];
    let finished = 0;
    const started = performance.now();
    for (let i = 0; i < SUBSCRIBERS; i += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, SUBSCRIBERS - i) }, (_, j) =>
          subscribe(portOf((i + j) % INSTANCES), clients, latencies, () => finished++),
        ),
      );
    }
    for (let instance = 0; instance < INSTANCES; instance++) {
      const own = Math.floor(SUBSCRIBERS / INSTANCES) + (instance < SUBSCRIBERS % INSTANCES ? 1 : 0);
      await waitFor(async () => (await health(portOf(instance))).subscriptions >= own);
    }
    console.log(
      `${SUBSCRIBERS} subscribers on ${INSTANCES} instance(s) connected in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // A job written by SQL announces itself like any other (the outbox trigger).
    const watched = await runExport(sql, () => finished >= SUBSCRIBERS);
    const peak = servers.map((server) => peakRssMb(server.pid!));
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    console.log(`Watched export: ${watched.status}, ${watched.records} records in ${watched.seconds.toFixed(2)} s`);
    console.log('\nSummary');
    console.table([
      {
        instances: INSTANCES,
        subscribers: SUBSCRIBERS,
        deliveries: latencies.length,
        'p50 ms': Math.round(at(0.5)),
        'p99 ms': Math.round(at(0.99)),
        'max ms': Math.round(latencies.at(-1) ?? NaN),
        'export s (unwatched)': `${watched.seconds.toFixed(2)} (${unwatched.seconds.toFixed(2)})`,
        'ratio ≤ 1.5': (watched.seconds / unwatched.seconds).toFixed(2),
        'p99 < 100 ms': at(0.99) < 100,
        'server RSS MB (idle → peak)': baseline.map((idle, i) => `${idle} → ${peak[i]}`).join(', '),
        'RSS < 1 GB': peak.every((mb) => mb < 1024),
      },
    ]);
  } finally {
    for (const socket of clients) socket.close();
    for (const server of servers) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
    await sql.end();
    await target.drop();
  }
}

/**
 * Exports every profile of the tenant, written by SQL as a client's create would be, and waits
 * for the job's end and, with `watchedToEnd`, for every subscriber to have seen it. Its time is the
 * job's own clock, from creation to finish.
 */
async function runExport(
  sql: postgres.Sql,
  watchedToEnd: () => boolean = () => true,
): Promise<{ status: string; records: number; seconds: number }> {
  const [job] = await sql`insert into export_jobs (org_id, sandbox_name, fields, schema_name, merge_policy_id,
      merge_policy_version, filter, dataset_id, request_id)
    values (${TENANT.orgId}, ${TENANT.sandboxName}, 'personalEmail.address', '_xdm.context.profile',
      'timestampOrdered-none-mp', 1,
      ${sql.json({ segments: null, segmentQualificationTime: null, fromIngestTimestamp: null, emptyProfiles: false })},
      'subs00000000000000000000', 'bench')
    returning id`;
  const ended = async () => {
    const [row] = await sql`select finished_at is not null as ended from export_jobs where id = ${job!.id}`;
    return Boolean(row?.ended);
  };
  await waitFor(async () => (await ended()) && watchedToEnd(), 300_000);
  const [row] = await sql`select status, exported_profiles, extract(epoch from finished_at - creation_time)::float8 as s
    from export_jobs where id = ${job!.id}`;
  return { status: String(row!.status), records: Number(row!.exported_profiles), seconds: Number(row!.s) };
}

/**
 * One subscriber, speaking graphql-transport-ws itself: 5,000 full clients in
 * one process spend more CPU than the server they measure, on these same two
 * cores. It records each event's latency and calls `onFinished` at the job's end.
 */
async function subscribe(port: number, sockets: WebSocket[], latencies: number[], onFinished: () => void): Promise<void> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  sockets.push(socket);
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', payload: HEADERS }));
  await new Promise<void>((resolve, reject) => {
    socket.on('message', function onAck(data) {
      if (String(data).includes('"connection_ack"')) {
        socket.off('message', onAck);
        resolve();
      }
    });
    socket.once('close', (code) => reject(new Error(`closed with ${code}`)));
  });
  socket.on('message', (data) => {
    const text = String(data);
    const occurredAt = /"occurredAt":"([^"]+)"/.exec(text)?.[1];
    if (!occurredAt) return;
    latencies.push(Date.now() - Date.parse(occurredAt));
    if (text.includes('"status":"SUCCEEDED"')) onFinished();
  });
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: WATCH } }));
}

/**
 * Subscribers that connect, subscribe and leave, a hundred at a time, in two
 * equal rounds: nothing may stay behind, and the second round must not need
 * more memory than the first.
 */
async function cycles(pid: number): Promise<void> {
  const before = { ...(await health()), rss: rssMb(pid) };
  const started = performance.now();
  const rounds: string[] = [];
  for (let done = 0; done < CYCLES; done += 100) {
    if (done === CYCLES / 2 || done + 100 >= CYCLES) {
      const now = await health();
      rounds.push(`heap ${now.heapUsedMb} MB, RSS ${rssMb(pid)} MB after ${done}`);
    }
    await Promise.all(
      Array.from({ length: Math.min(100, CYCLES - done) }, async () => {
        const sockets: WebSocket[] = [];
        await subscribe(PORT, sockets, [], () => {});
        const socket = sockets[0]!;
        const closed = once(socket, 'close');
        socket.close();
        await closed;
      }),
    );
  }
  await waitFor(async () => (await health()).sockets === 0);
  const after = { ...(await health()), rss: rssMb(pid) };
  console.log(
    `${CYCLES} connect/subscribe/close cycles in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `sockets ${before.sockets} → ${after.sockets}, subscriptions ${before.subscriptions} → ${after.subscriptions}, ` +
      `server RSS ${before.rss} → ${after.rss} MB (${rounds.join('; ')})`,
  );
}

async function startServer(url: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, npmStartArgs(), {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      RUNNER_CHUNK_SIZE: '200',
      // Every subscriber is one tenant's: lift its per-tenant bounds on sockets and requests a second.
      LIMIT_WS_CONNECTIONS_PER_TENANT: String(SUBSCRIBERS + 1_000),
      LIMIT_REQUESTS_PER_SECOND: '1000000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('gateway ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
  });
  return child;
}

async function health(port = PORT): Promise<{ subscriptions: number; sockets: number; heapUsedMb: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return (await response.json()) as { subscriptions: number; sockets: number; heapUsedMb: number };
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const statusOf = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(statusOf(pid))?.[1] ?? 0) / 1024);
const peakRssMb = (pid: number) => Math.round(Number(/VmHWM:\s+(\d+)/.exec(statusOf(pid))?.[1] ?? 0) / 1024);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
