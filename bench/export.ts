/**
 * `npm run bench:export [-- --db pglite|postgres|both] [--profiles N]`: exports
 * a seeded profile store through the real server on each database and
 * measures it against one raw INSERT … SELECT of the same records, run in the
 * same database in the same run, into a table keyed like a batch's records.
 *
 * Per database (default both; 200,000 profiles on PGlite, 1,000,000 on
 * PostgreSQL; `--profiles` or BENCH_PROFILES for another number):
 *   1. seed the store (which leaves statistics behind) and time the raw
 *      statement of each scenario, best of two;
 *   2. start the server as `npm start` does (runner inside, RUNNER_CONCURRENCY=1)
 *      and export each scenario through GraphQL, timed by the job's own clock
 *      (metrics.totalTime), while `exportJob(id)` is asked at 50 req/s, open loop;
 *   3. check the export wrote exactly the raw statement's records.
 * Prints records/s, both times and their ratio, the server's peak RSS and the
 * p99 of `exportJob(id)` during the export. Targets: ratio ≤ 2 on PGlite
 * (≤ 1.5 for a segment on PostgreSQL), p99 < 100 ms on PGlite, RSS < 300 MB.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type SQL } from 'drizzle-orm';
import { createDb } from '../src/db/createDb';
import type { Database } from '../src/db/database';
import { seedProfiles } from '../src/profiles/seedProfiles';
import { createPostgresDatabase } from '../test/helpers/databases';
import { fixedRateLoad, type FixedRateResult } from './fixedRateLoad';
import { peakRssMb, startServerProcess, stopServerProcess } from './serverProcess';

const TENANT = { orgId: 'BENCH_EXPORT@AdobeOrg', sandboxName: 'prod' };
const HEADERS = { 'content-type': 'application/json', 'x-gw-ims-org-id': TENANT.orgId, 'x-sandbox-name': TENANT.sandboxName };
const FIELDS = 'personalEmail.address,person.name.firstName';
const PORT = Number(process.env.BENCH_PORT ?? 4410);
const POLL_RATE = 50;

type DatabaseKind = 'pglite' | 'postgres';

interface Scenario {
  name: string;
  filter: Record<string, unknown>;
  /** The rows (profile_id, record) of the same records, by hand-made SQL. */
  rawSelect: SQL;
}

/** The two fields, projected as the export does: a missing path is left out. */
const RAW_RECORD = sql`jsonb_strip_nulls(jsonb_build_object(
  'profileId', p.profile_id,
  'personalEmail', case when p.attributes #> '{personalEmail,address}' is not null
    then jsonb_build_object('address', p.attributes #> '{personalEmail,address}') end,
  'person', case when p.attributes #> '{person,name,firstName}' is not null
    then jsonb_build_object('name', jsonb_build_object('firstName', p.attributes #> '{person,name,firstName}')) end))`;

const SCENARIOS: Scenario[] = [
  {
    name: 'every profile',
    filter: { emptyProfiles: true },
    rawSelect: sql`select p.profile_id, ${RAW_RECORD} from profiles p
      where p.org_id = ${TENANT.orgId} and p.sandbox_name = ${TENANT.sandboxName}`,
  },
  {
    name: 'segment seg-00',
    filter: { segments: [{ segmentId: 'seg-00' }] },
    rawSelect: sql`select p.profile_id, ${RAW_RECORD}
      from segment_memberships m
      join profiles p on p.org_id = m.org_id and p.sandbox_name = m.sandbox_name and p.profile_id = m.profile_id
      where m.org_id = ${TENANT.orgId} and m.sandbox_name = ${TENANT.sandboxName}
        and m.segment_id = 'seg-00' and m.status in ('REALIZED', 'EXISTING') and p.has_profile_record`,
  },
];

interface Figures {
  database: DatabaseKind;
  scenario: string;
  profiles: number;
  records: number;
  'records/s': number;
  'export s': number;
  'raw SQL s': number;
  ratio: number;
  'peak RSS MB': number;
  'exportJob p99 ms': number;
  'exportJob max ms': number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { db: { type: 'string', default: 'both' }, profiles: { type: 'string' } },
  });
  const kinds: DatabaseKind[] = values.db === 'both' ? ['pglite', 'postgres'] : [values.db as DatabaseKind];
  if (!kinds.every((kind) => kind === 'pglite' || kind === 'postgres')) throw new Error('--db must be pglite, postgres or both');
  const figures: Figures[] = [];
  for (const kind of kinds) {
    const profiles = Number(values.profiles ?? process.env.BENCH_PROFILES ?? (kind === 'pglite' ? 200_000 : 1_000_000));
    figures.push(...(await benchmark(kind, profiles)));
  }
  console.log('\nSummary (export: the job from creation to SUCCEEDED; raw SQL: one INSERT … SELECT, best of two)');
  console.table(figures);
}

async function benchmark(kind: DatabaseKind, profiles: number): Promise<Figures[]> {
  console.log(`\n${kind}: ${profiles.toLocaleString('en')} profiles`);
  const place = await databasePlace(kind);
  let server: ChildProcess | undefined;
  try {
    let database = await place.open();
    let started = performance.now();
    await seedProfiles(database, TENANT, profiles);
    console.log(`Seeded in ${seconds(performance.now() - started)} s`);
    const rawSeconds: number[] = [];
    for (const scenario of SCENARIOS) rawSeconds.push(await timeRawStatement(database, scenario));
    await database.close();

    server = await startServerProcess({ ...place.env, PORT: String(PORT), RUNNER_CONCURRENCY: '1', RUNNER_POLL_MS: '20' });
    const datasetId = await createDataset();
    const idle = await pollJob('1', 3);
    console.log(`exportJob(id) with no export running: p50 ${idle.p50} ms, p99 ${idle.p99} ms, max ${idle.max} ms`);
    const exports: Exported[] = [];
    for (const scenario of SCENARIOS) exports.push(await exportThroughServer(scenario, datasetId));
    const rssMb = peakRssMb(server.pid!);
    await stopServerProcess(server);
    server = undefined;

    database = await place.open();
    for (const [i, scenario] of SCENARIOS.entries()) await checkSameRecords(database, scenario, exports[i]!);
    await database.close();

    return SCENARIOS.map((scenario, i) => {
      const exported = exports[i]!;
      return {
        database: kind,
        scenario: scenario.name,
        profiles,
        records: exported.records,
        'records/s': Math.round(exported.records / exported.seconds),
        'export s': round(exported.seconds),
        'raw SQL s': round(rawSeconds[i]!),
        ratio: round(exported.seconds / rawSeconds[i]!),
        'peak RSS MB': rssMb,
        'exportJob p99 ms': exported.polling.p99,
        'exportJob max ms': exported.polling.max,
      };
    });
  } finally {
    if (server) await stopServerProcess(server);
    await place.remove();
  }
}

/** Where a run's database lives: a fresh PGlite directory or a fresh PostgreSQL database. */
async function databasePlace(
  kind: DatabaseKind,
): Promise<{ env: Record<string, string>; open(): Promise<Database>; remove(): Promise<void> }> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-export-'));
    return {
      env: { DATA_DIR: dataDir, DATABASE_URL: '' },
      open: () => createDb({ url: undefined, dataDir }),
      remove: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const postgres = await createPostgresDatabase();
  return {
    env: { DATABASE_URL: postgres.url },
    open: () => createDb({ url: postgres.url, dataDir: '' }),
    remove: () => postgres.drop(),
  };
}

const rawTable = (scenario: Scenario) => sql.identifier(`raw_${SCENARIOS.indexOf(scenario)}`);

/** The scenario's raw statement into a table keyed like `batch_records`, twice; the faster time. */
async function timeRawStatement(database: Database, scenario: Scenario): Promise<number> {
  const table = rawTable(scenario);
  await database.db.execute(sql`create table ${table} (batch_id text, profile_id text, record jsonb not null,
    primary key (batch_id, profile_id))`);
  let best = Infinity;
  for (let run = 0; run < 2; run++) {
    await database.db.execute(sql`truncate ${table}`);
    const started = performance.now();
    await database.db.execute(sql`insert into ${table} (batch_id, profile_id, record)
      select 'raw', source.* from (${scenario.rawSelect}) source`);
    best = Math.min(best, performance.now() - started);
  }
  const [{ n } = { n: 0 }] = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from ${table}`);
  console.log(`Raw SQL, ${scenario.name}: ${n.toLocaleString('en')} records in ${seconds(best)} s`);
  return best / 1000;
}

async function graphql<Data>(query: string, variables: Record<string, unknown> = {}): Promise<Data> {
  const response = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Data; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function createDataset(): Promise<string> {
  const data = await graphql<{ createDataset: { id: string } }>(`mutation {
    createDataset(input: { name: "bench", schemaRef: { id: "https://ns.adobe.com/xdm/context/profile__union",
      contentType: "application/vnd.adobe.xed+json;version=1" } }) { id } }`);
  return data.createDataset.id;
}

interface Exported {
  records: number;
  seconds: number;
  batchId: string;
  polling: FixedRateResult;
}

/** Creates the job and asks for it at 50 req/s until it ends. */
async function exportThroughServer(scenario: Scenario, datasetId: string): Promise<Exported> {
  const { createExportJob: job } = await graphql<{ createExportJob: { id: string } }>(
    `mutation Create($input: CreateExportJobInput!) { createExportJob(input: $input) { id } }`,
    { input: { fields: FIELDS, schema: { name: '_xdm.context.profile' }, destination: { datasetId }, filter: scenario.filter } },
  );
  const stop = new AbortController();
  const polling = pollJob(job.id, 3600, stop.signal);
  let ended;
  try {
    for (;;) {
      const { exportJob } = await graphql<{ exportJob: { status: string; destination: { batchId: string }; metrics: { totalTime: { totalTimeInMs: number }; totalExportedProfileCounter: number } } }>(
        `query Job($id: ID!) { exportJob(id: $id) { status destination { batchId } metrics { totalTime { totalTimeInMs } totalExportedProfileCounter } } }`,
        { id: job.id },
      );
      if (exportJob.status === 'FAILED' || exportJob.status === 'CANCELLED') throw new Error(`The export ended ${exportJob.status}`);
      if (exportJob.status === 'SUCCEEDED') {
        ended = exportJob;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    stop.abort();
  }
  const load = await polling;
  if (load.failed > 0) throw new Error(`exportJob(id): ${load.failed} requests failed during the export`);
  const exported = {
    records: ended.metrics.totalExportedProfileCounter,
    seconds: ended.metrics.totalTime.totalTimeInMs / 1000,
    batchId: ended.destination.batchId,
    polling: load,
  };
  console.log(
    `Export, ${scenario.name}: ${exported.records.toLocaleString('en')} records in ${exported.seconds.toFixed(2)} s; ` +
      `exportJob(id) meanwhile: ${load.sent} requests, p50 ${load.p50} ms, p99 ${load.p99} ms, max ${load.max} ms`,
  );
  return exported;
}

/** Asks for job `id` at 50 req/s, open loop, for `seconds` or until `signal`. */
function pollJob(id: string, seconds: number, signal?: AbortSignal): Promise<FixedRateResult> {
  const body = JSON.stringify({ query: `query One($id: ID!) { exportJob(id: $id) { id status progress { percent } } }`, variables: { id } });
  return fixedRateLoad({ url: `http://127.0.0.1:${PORT}/graphql`, rate: POLL_RATE, durationSeconds: seconds, connections: 10, headers: HEADERS, body: () => body, signal });
}

/** The export's batch holds exactly the raw statement's records. */
async function checkSameRecords(database: Database, scenario: Scenario, exported: Exported): Promise<void> {
  const [{ differing } = { differing: -1 }] = await database.db.execute<{ differing: number }>(sql`
    select count(*)::int as differing from (select profile_id, record from batch_records where batch_id = ${exported.batchId}) b
    full join ${rawTable(scenario)} r on r.profile_id = b.profile_id
    where r.record is distinct from b.record`);
  if (differing !== 0) throw new Error(`${scenario.name}: ${differing} records differ between the export and the raw SQL`);
}

const round = (value: number) => Math.round(value * 100) / 100;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
