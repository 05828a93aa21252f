/**
 * `npm run bench:api`: the API under load on PostgreSQL. Loads 10,000 jobs into
 * one tenant (and 40,000 into others, so the index has to do its work), starts
 * real servers as child processes (their runners off: only the API is measured),
 * and drives them over HTTP with autocannon, 20 connections:
 *   1. `exportJobs(first: 50)` selecting the whole contract, flat out;
 *   2. `exportJob(id)` flat out, then at a fixed 500 req/s, open loop (bench/fixedRateLoad.ts).
 * It compares servers that differ by one setting, started side by side and loaded in
 * turn, BENCH_SLICE_SECONDS (2) each, for BENCH_ROUNDS rounds (12; a multiple of twice
 * the servers compared) of (1) and then of the flat-out (2) (bench/interleavedLoad.ts):
 * this machine's speed drifts more between runs than the costs to be shown. Comparisons:
 *   - verification: AUTH_MODE=none and AUTH_MODE=jwt (an RS256 key set in a file), with
 *     one server process, then with SERVER_PROCESSES=2 (one per core);
 *   - observability: one process with METRICS=off, with metrics on (the default), and with
 *     metrics and traces on, every request sampled, sent over OTLP/HTTP to a local
 *     receiver that discards them.
 * Prints the plan of the page query, each server's req/s, p50, p99 and CPU time a
 * request, and each cost: req/s with the setting over req/s without, round by round and
 * their median, and the ratio of CPU a request. Targets: ≥ 500 req/s for (1); p99 < 10 ms
 * at 500 req/s; verification within 10 %; metrics within 5 %; traces within 15 %.
 * BENCH_ONLY=auth runs only the verification, BENCH_ONLY=observability only the metrics
 * and traces; BENCH_DURATION (10) is the fixed-rate run's seconds.
 */
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { createDb } from '../src/db/createDb';
import { EXPORT_JOB_FIELDS } from '../test/fixtures/operations';
import { createPostgresDatabase } from '../test/helpers/databases';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { fixedRateLoad } from './fixedRateLoad';
import { interleavedLoad, median, type InterleavedFigures } from './interleavedLoad';
import { startServerProcess, stopServerProcess } from './serverProcess';

const ORG = 'BENCH_ORG@AdobeOrg';
const JOBS = 10_000;
const OTHER_TENANT_JOBS = 40_000;
const PORT = Number(process.env.BENCH_PORT ?? 4400);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);

const ONLY = process.env.BENCH_ONLY;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 2);
const HEADERS = { 'content-type': 'application/json', 'x-gw-ims-org-id': ORG, 'x-sandbox-name': 'prod' };

const PAGE_QUERY = `query Page { exportJobs(first: 50) { edges { cursor node { ...ExportJobFields } } pageInfo { hasNextPage endCursor } } } ${EXPORT_JOB_FIELDS}`;
const ONE_QUERY = `query One($id: ID!) { exportJob(id: $id) { ...ExportJobFields } } ${EXPORT_JOB_FIELDS}`;

/** One server of a comparison: what it runs with on top of `serverEnv`, and what its requests carry. */
interface ServerVariant {
  name: string;
  serverProcesses: number;
  env: Record<string, string>;
  headers: Record<string, string>;
}

/** A cost: req/s of the server `on` over that of `off` (indexes in a comparison), and the least ratio allowed. */
interface Cost {
  title: string;
  off: number;
  on: number;
  target: number;
}

async function main(): Promise<void> {
  const database = await createPostgresDatabase();
  try {
    const auth = await localKeySet();
    try {
      const collector = await discardingOtlpReceiver();
      try {
        await compareAll(database.url, auth, collector);
      } finally {
        await collector.close();
      }
    } finally {
      await auth.remove();
    }
  } finally {
    await database.drop();
  }
}

/** Verification, then metrics and traces (BENCH_ONLY picks one), on the jobs loaded into `databaseUrl`. */
async function compareAll(
  databaseUrl: string,
  auth: Awaited<ReturnType<typeof localKeySet>>,
  collector: Awaited<ReturnType<typeof discardingOtlpReceiver>>,
): Promise<void> {
  const { firstId } = await loadJobs(databaseUrl);
  await printPlan(databaseUrl);
  const randomJob = () =>
    JSON.stringify({ query: ONE_QUERY, variables: { id: String(firstId + 5 * Math.floor(Math.random() * JOBS)) } });
  const withToken = { ...HEADERS, authorization: `Bearer ${auth.token}` };
  if (ONLY !== 'observability') {
    for (const serverProcesses of [1, 2]) {
      await compareServers(
        databaseUrl,
        randomJob,
        [
          { name: `SERVER_PROCESSES=${serverProcesses}, AUTH_MODE=none`, serverProcesses, env: {}, headers: HEADERS },
          { name: `SERVER_PROCESSES=${serverProcesses}, AUTH_MODE=jwt`, serverProcesses, env: auth.env, headers: withToken },
        ],
        [{ title: `verification (AUTH_MODE=jwt over none, SERVER_PROCESSES=${serverProcesses}; target: at least 0.9)`, off: 0, on: 1, target: 0.9 }],
      );
    }
  }
  if (ONLY !== 'auth') {
    await compareServers(
      databaseUrl,
      randomJob,
      [
        { name: 'METRICS=off', serverProcesses: 1, env: { METRICS: 'off' }, headers: HEADERS },
        { name: 'metrics on', serverProcesses: 1, env: { METRICS: 'on' }, headers: HEADERS },
        {
          name: 'metrics and traces on (100 %)',
          serverProcesses: 1,
          // Every request sampled: the most traces can cost.
          env: { METRICS: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: 'always_on' },
          headers: HEADERS,
        },
      ],
      [
        { title: 'metrics (on over METRICS=off; target: at least 0.95)', off: 0, on: 1, target: 0.95 },
        { title: 'traces (on, 100 % sampled, OTLP/HTTP protobuf, over metrics alone; target: at least 0.85)', off: 1, on: 2, target: 0.85 },
      ],
    );
  }
}

/**
 * Starts every server of `variants` at once and loads them in turn (interleavedLoad),
 * with the page flat out, then exportJob(id) flat out; then each with exportJob(id) at
 * 500 req/s. Prints each server's figures and each of `costs`: req/s round by round,
 * their median, and the ratio of the servers' CPU time a request over all rounds.
 */
async function compareServers(databaseUrl: string, randomJob: () => string, variants: ServerVariant[], costs: Cost[]): Promise<void> {
  const servers: ChildProcess[] = [];
  try {
    for (const [index, variant] of variants.entries()) {
      servers.push(await startServerProcess({ ...serverEnv(databaseUrl, PORT + index), ...variant.env }, variant.serverProcesses));
    }
    const targets = servers.map((server, index) => ({ url: `http://127.0.0.1:${PORT + index}/graphql`, pid: server.pid! }));
    const scenarios = [
      { scenario: 'exportJobs(first: 50)', target: 500, load: (index: number) => pageLoad(targets[index]!.url, variants[index]!.headers) },
      {
        scenario: 'exportJob(id) flat out',
        target: undefined,
        load: (index: number) => oneJobFlatOut(targets[index]!.url, variants[index]!.headers, randomJob),
      },
    ];
    const measured: { scenario: string; figures: InterleavedFigures }[] = [];
    for (const { scenario, target, load } of scenarios) {
      console.log(`\n${scenario}: ${variants.length} servers in turn, ${ROUNDS} rounds of ${SLICE_SECONDS} s each (and one to warm up)`);
      const figures = await interleavedLoad(targets, { rounds: ROUNDS, sliceSeconds: SLICE_SECONDS, warmUpRounds: 1, load });
      measured.push({ scenario, figures });
      console.table(
        variants.map((variant, index) => {
          const slices = figures.slices[index]!;
          const rps = Math.round(median(slices.map((slice) => slice.rps)));
          return {
            server: variant.name,
            'median req/s': rps,
            'median p50 ms': median(slices.map((slice) => slice.p50)),
            'median p99 ms': median(slices.map((slice) => slice.p99)),
            requests: slices.reduce((sum, slice) => sum + slice.requests, 0),
            'CPU µs/req': Math.round(figures.cpuUsPerRequest[index]!),
            ...(target ? { target: `≥ ${target} req/s`, met: rps >= target } : {}),
          };
        }),
      );
    }
    for (const [index, variant] of variants.entries()) {
      await oneJobAtFixedRate(variant.name, targets[index]!.url, variant.headers, randomJob);
    }
    for (const { title, off, on, target } of costs) {
      console.log(`\nThe cost of ${title}: req/s round by round and their median; the servers' CPU time a request over all rounds`);
      console.table(
        measured.map(({ scenario, figures }) => {
          const ratios = figures.slices[on]!.map((slice, round) => slice.rps / figures.slices[off]![round]!.rps);
          const cpuRatio = figures.cpuUsPerRequest[off]! / figures.cpuUsPerRequest[on]!;
          return {
            scenario,
            'req/s ratio by round': ratios.map((ratio) => ratio.toFixed(2)).join(' '),
            'median req/s ratio': round2(median(ratios)),
            'CPU ratio (off/on)': round2(cpuRatio),
            [`within ${Math.round((1 - target) * 100)} %`]: `req/s ${median(ratios) >= target}, CPU ${cpuRatio >= target}`,
          };
        }),
      );
    }
  } finally {
    for (const server of servers) await stopServerProcess(server);
  }
}

/** What every server of the bench runs with, listening on `port`. */
function serverEnv(databaseUrl: string, port: number): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    // The load is one tenant's at 500 req/s and more: above the default per-tenant rate limit.
    LIMIT_REQUESTS_PER_SECOND: '1000000',
    // The API alone: the loaded jobs include NEW ones, which an embedded runner would
    // start exporting mid-run, its statements and events competing with the requests measured.
    RUNNER_CONCURRENCY: '0',
  };
}

const pageLoad = (url: string, headers: Record<string, string>): autocannon.Options => ({
  url,
  method: 'POST',
  headers,
  connections: 20,
  body: JSON.stringify({ query: PAGE_QUERY }),
});

const oneJobFlatOut = (url: string, headers: Record<string, string>, randomJob: () => string): autocannon.Options => ({
  url,
  method: 'POST',
  headers,
  connections: 20,
  requests: [{ setupRequest: (request) => ({ ...request, body: randomJob() }) }],
});

/** exportJob(id) at 500 req/s, open loop, after a warm-up: printed, and refused if any request failed. */
async function oneJobAtFixedRate(label: string, url: string, headers: Record<string, string>, randomJob: () => string) {
  const oneJobLoad = (durationSeconds: number) =>
    fixedRateLoad({ url, rate: 500, durationSeconds, connections: 20, headers, body: randomJob });
  await oneJobLoad(2); // warm-up: compiles the query and lets V8 optimise its path
  const one = await oneJobLoad(DURATION_S);
  console.log(
    `\n${label}: exportJob(id) at 500 req/s (open loop): ${one.rps} req/s, p50 ${one.p50} ms, p99 ${one.p99} ms (target: under 10 ms), max ${one.max} ms, ${one.sent} requests, ${one.failed} failed`,
  );
  if (one.failed > 0) throw new Error(`exportJob(id): ${one.failed} requests failed: ${JSON.stringify(one.failures)}`);
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Set-based load: every job in one INSERT … SELECT, realistic JSON included. */
async function loadJobs(url: string): Promise<{ firstId: number }> {
  const migrated = await createDb({ url, dataDir: '' });
  await migrated.close();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const started = performance.now();
  await sql`
    insert into datasets (id, org_id, sandbox_name, name, schema_ref_id, schema_ref_content_type)
    select 'ds' || lpad(i::text, 22, '0'), case when i < 10 then ${ORG} else 'OTHER_' || i || '@AdobeOrg' end, 'prod',
           'Dataset ' || i, 'https://ns.adobe.com/xdm/context/profile__union', 'application/vnd.adobe.xed+json;version=1'
    from generate_series(0, 49) i`;
  await sql`
    insert into export_jobs (org_id, sandbox_name, status, fields, schema_name, merge_policy_id, merge_policy_version,
      filter, additional_fields, dataset_id, errors, exported_profiles, exported_profiles_by_namespace,
      processed_profiles, total_profiles, request_id, creation_time, update_time)
    select
      case when i % 5 = 0 then ${ORG} else 'OTHER_' || (i % 40 + 10) || '@AdobeOrg' end, 'prod',
      (array['NEW','PROCESSING','SUCCEEDED','FAILED','CANCELLED'])[1 + i % 5],
      'identities.id,personalEmail.address', '_xdm.context.profile', 'timestampOrdered-none-mp', 1,
      jsonb_build_object('segments', jsonb_build_array(jsonb_build_object('segmentId', 'seg-' || i % 20, 'segmentNs', 'ups',
        'status', jsonb_build_array('REALIZED', 'EXISTING'))), 'segmentQualificationTime', null,
        'fromIngestTimestamp', null, 'emptyProfiles', false),
      jsonb_build_object('eventList', jsonb_build_object('fields', 'environment.browserDetails.name', 'filter', null)),
      case when i % 5 = 0 then 'ds' || lpad((i / 5 % 10)::text, 22, '0') else 'ds' || lpad((i % 40 + 10)::text, 22, '0') end,
      '[]'::jsonb, 1000, '{"email": 700, "ecid": 1000}'::jsonb, 1000, 1000, md5(i::text),
      now() - (i || ' seconds')::interval, now()
    from generate_series(0, ${JOBS + OTHER_TENANT_JOBS - 1}) i`;
  await sql`analyze`;
  const [row] = await sql<{ id: string }[]>`select min(id) as id from export_jobs where org_id = ${ORG}`;
  const [count] = await sql<{ n: string }[]>`select count(*) as n from export_jobs where org_id = ${ORG}`;
  await sql.end();
  console.log(`Loaded ${count!.n} jobs for ${ORG} (+${OTHER_TENANT_JOBS} of other tenants) in ${Math.round(performance.now() - started)} ms`);
  // The bench tenant has every fifth id from here on.
  return { firstId: Number(row!.id) };
}

async function printPlan(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const plan = await sql.unsafe(
    `explain select * from export_jobs where org_id = $1 and sandbox_name = 'prod'
     and (creation_time, id) < (now(), 9223372036854775807) order by creation_time desc, id desc limit 51`,
    [ORG],
  );
  await sql.end();
  console.log('\nPlan of a page query:');
  for (const line of plan) console.log('  ' + String(Object.values(line)[0]));
}

/**
 * An OTLP/HTTP endpoint on loopback that reads and drops every export, and answers as a
 * collector does: an empty ExportTraceServiceResponse in the request's encoding (in
 * protobuf, no bytes at all; a JSON `{}` would be parsed by the exporter as protobuf).
 */
async function discardingOtlpReceiver(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    const contentType = req.headers['content-type'] === 'application/json' ? 'application/json' : 'application/x-protobuf';
    req.on('end', () => res.writeHead(200, { 'content-type': contentType }).end(contentType === 'application/json' ? '{}' : ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** An RS256 key set in a file and a token it verifies, for AUTH_MODE=jwt. */
async function localKeySet(): Promise<{ env: Record<string, string>; token: string; remove(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-jwks-'));
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }] }));
  const token = await new SignJWT({ sub: 'bench', tenants: [ORG] })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer('https://idp.bench/')
    .setAudience('export-jobs-gateway')
    .setExpirationTime('2h')
    .sign(privateKey);
  return {
    env: { AUTH_JWKS_FILE: file, AUTH_ISSUER: 'https://idp.bench/', AUTH_AUDIENCE: 'export-jobs-gateway' },
    token,
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
