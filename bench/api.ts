/**
 * `npm run bench:api`: the API under load on PostgreSQL. Loads 10,000 jobs into
 * one tenant (and 40,000 into others, so the index has to do its work), starts
 * the real server as a child process (its runner off: only the API is measured),
 * and drives it over HTTP with autocannon:
 *   1. `exportJobs(first: 50)` selecting the whole contract, 20 connections, flat out;
 *   2. `exportJob(id)` at a fixed 500 req/s, open loop (bench/fixedRateLoad.ts).
 * Both with one server process and with WORKERS=2 (one per core), each without
 * and with AUTH_MODE=jwt (an RS256 key set in a file), plus exportJob(id) flat
 * out; and once more with one process and METRICS=off (metrics are on otherwise,
 * as by default); last, one process with traces on, every request sampled, sent
 * over OTLP/HTTP to a local receiver that discards them. Prints req/s, p50 and
 * p99, the plan of the page query, and the ratios of throughput with
 * verification to without, with metrics to without, and with traces to metrics
 * alone (each pair from the same round). Targets: ≥ 500 req/s for (1); p99 < 10 ms for (2);
 * verification within 10 %; metrics within 5 %; traces within 15 %.
 * BENCH_ONLY=auth runs only the verification pairs, BENCH_ONLY=observability only the
 * metrics and traces variants; BENCH_ROUNDS=4 repeats them and prints the median ratios
 * (every other round in the reverse order, so an even number of rounds).
 * With one server process it also prints the server's CPU time a request, which a busy
 * machine disturbs far less than req/s.
 */
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { createDb } from '../src/db/createDb';
import { EXPORT_JOB_FIELDS } from '../test/fixtures/operations';
import { createPostgresDatabase } from '../test/helpers/databases';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { fixedRateLoad } from './fixedRateLoad';
import { startServerProcess, stopServerProcess } from './serverProcess';

const ORG = 'BENCH_ORG@AdobeOrg';
const JOBS = 10_000;
const OTHER_TENANT_JOBS = 40_000;
const PORT = Number(process.env.BENCH_PORT ?? 4400);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WORKER_COUNTS = [1, 2];

interface Variant {
  /** Which round of the metrics-and-traces triple (BENCH_ROUNDS); 0 for the others. */
  round: number;
  workers: number;
  auth: 'none' | 'jwt';
  metrics: 'on' | 'off';
  tracing: 'on' | 'off';
}

// Every worker count with and without verification (metrics on, the default); then one process
// with METRICS=off and on again, back to back on a warm database: the pair the metrics ratio compares;
// then traces on, compared with the metrics-on run beside it (traces off).
// BENCH_ONLY=auth or =observability runs only those variants: what verification, or metrics and
// traces, cost. BENCH_ROUNDS repeats them (default 1): a difference of a few per cent needs the
// median of several rounds.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
// Every other round runs its variants in the reverse order. This machine's throughput drifts
// within a round (by 15 % from the first variant to the last, measured): run in one order
// always, whatever comes first would look cheaper. An even number of rounds cancels a drift.
const inRounds = (variants: (round: number) => Variant[]): Variant[] =>
  Array.from({ length: ROUNDS }, (_, i) => (i % 2 === 0 ? variants(i + 1) : variants(i + 1).reverse())).flat();
const AUTH_VARIANTS: Variant[] = inRounds((round) =>
  WORKER_COUNTS.flatMap((workers) =>
    (['none', 'jwt'] as const).map((auth): Variant => ({ round, workers, auth, metrics: 'on', tracing: 'off' })),
  ),
);
const OBSERVABILITY_VARIANTS: Variant[] = inRounds((round) => [
  { round, workers: 1, auth: 'none', metrics: 'off', tracing: 'off' },
  { round, workers: 1, auth: 'none', metrics: 'on', tracing: 'off' },
  { round, workers: 1, auth: 'none', metrics: 'on', tracing: 'on' },
]);
const ONLY = process.env.BENCH_ONLY;
const VARIANTS: Variant[] = [
  ...(ONLY === 'observability' ? [] : AUTH_VARIANTS),
  ...(ONLY === 'auth' ? [] : OBSERVABILITY_VARIANTS),
];
const HEADERS = { 'content-type': 'application/json', 'x-gw-ims-org-id': ORG, 'x-sandbox-name': 'prod' };

const PAGE_QUERY = `query Page { exportJobs(first: 50) { edges { cursor node { ...ExportJobFields } } pageInfo { hasNextPage endCursor } } } ${EXPORT_JOB_FIELDS}`;
const ONE_QUERY = `query One($id: ID!) { exportJob(id: $id) { ...ExportJobFields } } ${EXPORT_JOB_FIELDS}`;

async function main(): Promise<void> {
  const database = await createPostgresDatabase();
  let server: ChildProcess | undefined;
  try {
    const { firstId } = await loadJobs(database.url);
    await printPlan(database.url);
    const summary: Record<string, string | number | boolean>[] = [];
    const auth = await localKeySet();
    const collector = await discardingOtlpReceiver();
    for (const { round, workers, auth: mode, metrics, tracing } of VARIANTS) {
      // The load is one tenant's at 500 req/s and more: above the default per-tenant rate limit.
      server = await startServerProcess(
        {
          DATABASE_URL: database.url,
          PORT: String(PORT),
          LIMIT_REQUESTS_PER_SECOND: '1000000',
          // The API alone: the loaded jobs include NEW ones, which an embedded runner would
          // start exporting mid-run, its statements and events competing with the requests measured.
          RUNNER_CONCURRENCY: '0',
          METRICS: metrics,
          ...(mode === 'jwt' ? auth.env : {}),
          // Every request sampled: the most traces can cost.
          ...(tracing === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: 'always_on' } : {}),
        },
        workers,
      );
      const headers = mode === 'jwt' ? { ...HEADERS, authorization: `Bearer ${auth.token}` } : HEADERS;
      const label = `WORKERS=${workers}, AUTH_MODE=${mode}, METRICS=${metrics}${tracing === 'on' ? ', traces on (100 %)' : ''}`;
      const url = `http://127.0.0.1:${PORT}/graphql`;
      const randomJob = () =>
        JSON.stringify({ query: ONE_QUERY, variables: { id: String(firstId + 5 * Math.floor(Math.random() * JOBS)) } });
      await run('warm-up', { url, headers, connections: 20, duration: 3, body: JSON.stringify({ query: PAGE_QUERY }) });
      const page = await run(`${label}: exportJobs(first: 50), all fields`, {
        url,
        headers,
        connections: 20,
        duration: DURATION_S,
        body: JSON.stringify({ query: PAGE_QUERY }),
      }, workers === 1 ? server.pid : undefined);
      const oneFlat = await run(`${label}: exportJob(id), flat out`, {
        url,
        headers,
        connections: 20,
        duration: DURATION_S,
        requests: [{ setupRequest: (request) => ({ ...request, body: randomJob() }) }],
      }, workers === 1 ? server.pid : undefined);
      const oneJobLoad = (durationSeconds: number) =>
        fixedRateLoad({ url, rate: 500, durationSeconds, connections: 20, headers, body: randomJob });
      await oneJobLoad(2); // warm-up: compiles the query and lets V8 optimise its path
      const one = await oneJobLoad(DURATION_S);
      console.log(
        `\n${label}: exportJob(id) at 500 req/s (open loop): ${one.rps} req/s, p50 ${one.p50} ms, p99 ${one.p99} ms, max ${one.max} ms, ${one.sent} requests, ${one.failed} failed`,
      );
      if (one.failed > 0) throw new Error(`exportJob(id): ${one.failed} requests failed`);
      await stopServerProcess(server);
      server = undefined;
      summary.push(
        { round, workers, auth: mode, metrics, tracing, scenario: 'exportJobs(first: 50)', 'req/s': page.rps, 'CPU µs/req': page.cpuUsPerRequest, 'p50 ms': page.p50, 'p99 ms': page.p99, target: '≥ 500 req/s', met: page.rps >= 500 },
        { round, workers, auth: mode, metrics, tracing, scenario: 'exportJob(id) flat out', 'req/s': oneFlat.rps, 'CPU µs/req': oneFlat.cpuUsPerRequest, 'p50 ms': oneFlat.p50, 'p99 ms': oneFlat.p99, target: '', met: '' },
        { round, workers, auth: mode, metrics, tracing, scenario: 'exportJob(id) @500/s', 'req/s': one.rps, 'CPU µs/req': '', 'p50 ms': one.p50, 'p99 ms': one.p99, target: 'p99 < 10 ms', met: one.p99 < 10 },
      );
    }
    await auth.remove();
    await collector.close();
    if (ONLY !== 'observability') {
      for (const workers of WORKER_COUNTS) {
        console.log(`\nThe cost of verification: req/s with AUTH_MODE=jwt over req/s without, WORKERS=${workers}, ${ROUNDS} round(s) and their median (target: at least 0.9)`);
        console.table(costTable(summary, 'auth', 0.9, workers));
      }
    }
    if (ONLY !== 'auth') {
      console.log(`\nThe cost of metrics: req/s with metrics (the default) over req/s with METRICS=off, one process, ${ROUNDS} round(s) and their median (target: at least 0.95)`);
      console.table(costTable(summary, 'metrics', 0.95));
      console.log(`\nThe cost of traces: req/s with traces on (100 % sampled, OTLP/HTTP protobuf) over metrics alone in the same round, one process, ${ROUNDS} round(s) and their median (target: at least 0.85)`);
      console.table(costTable(summary, 'tracing', 0.85));
    }
    console.log('\nSummary');
    console.table(summary);
  } finally {
    if (server) await stopServerProcess(server);
    await database.drop();
  }
}

/**
 * Req/s with `feature` on over the same round's run without it (for traces: metrics on in
 * both; for verification: with `workers` processes), per round and scenario, then the median
 * of the rounds per scenario. CPU a request is known only with one process.
 */
function costTable(
  summary: Record<string, string | number | boolean>[],
  feature: 'auth' | 'metrics' | 'tracing',
  target: number,
  workers = 1,
) {
  const rows: Record<string, string | number | boolean>[] = [];
  for (const scenario of ['exportJobs(first: 50)', 'exportJob(id) flat out']) {
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const of = (on: boolean) =>
        summary.find(
          (row) =>
            row.round === round &&
            row.scenario === scenario &&
            row.workers === workers &&
            (feature === 'auth'
              ? row.auth === (on ? 'jwt' : 'none') && row.metrics === 'on' && row.tracing === 'off'
              : row.auth === 'none' &&
                (feature === 'metrics'
                  ? row.metrics === (on ? 'on' : 'off') && row.tracing === 'off'
                  : row.metrics === 'on' && row.tracing === (on ? 'on' : 'off'))),
        )!;
      const ratio = Math.round((Number(of(true)['req/s']) / Number(of(false)['req/s'])) * 100) / 100;
      // Throughput moves with whatever else the two cores do; the server's CPU a request much less.
      const cpuRatio = Math.round((Number(of(false)['CPU µs/req']) / Number(of(true)['CPU µs/req'])) * 100) / 100;
      ratios.push(ratio);
      if (workers === 1) cpuRatios.push(cpuRatio);
      rows.push({
        round,
        scenario,
        'off req/s': of(false)['req/s']!,
        'on req/s': of(true)['req/s']!,
        ratio,
        ...(workers === 1
          ? {
              'off CPU µs/req': of(false)['CPU µs/req']!,
              'on CPU µs/req': of(true)['CPU µs/req']!,
              'CPU ratio (off/on)': cpuRatio,
            }
          : {}),
      });
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const within = `within ${Math.round((1 - target) * 100)} %`;
    rows.push({
      round: 'median',
      scenario,
      ratio: median(ratios),
      ...(workers === 1
        ? { 'CPU ratio (off/on)': median(cpuRatios), [within]: `req/s ${median(ratios) >= target}, CPU ${median(cpuRatios) >= target}` }
        : { [within]: `req/s ${median(ratios) >= target}` }),
    });
  }
  return rows;
}

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

/** An OTLP/HTTP endpoint on loopback that reads and drops every export, as a collector would answer it. */
async function discardingOtlpReceiver(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
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

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** The server process's CPU time (user + system) per request; with WORKERS > 1 only the primary's, so unused. */
  cpuUsPerRequest: number;
}

/** CPU time the process `pid` has used so far, in µs (/proc: clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function run(title: string, options: autocannon.Options, serverPid?: number): Promise<Figures> {
  const cpuBefore = serverPid ? cpuMicros(serverPid) : 0;
  const result = await autocannon({ method: 'POST', headers: HEADERS, ...options });
  const cpu = serverPid ? cpuMicros(serverPid) - cpuBefore : 0;
  const failed = result.errors + result.timeouts + result.non2xx;
  const figures = {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerRequest: Math.round(cpu / Math.max(1, result.requests.total)),
  };
  console.log(`\n${title}: ${figures.rps} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, ${figures.cpuUsPerRequest} µs of server CPU a request, ${result.requests.total} requests, ${failed} failed`);
  if (failed > 0) throw new Error(`${title}: ${failed} requests failed`);
  return figures;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
