/**
 * `npm run bench:export -- --scale [--profiles N]` (issue 15, item 3): how one sharded
 * export scales with the runners that share it, on PostgreSQL only.
 *
 *   1. On a fresh database, seed N profiles (default 2,000,000; `--profiles` or
 *      BENCH_PROFILES) and a segment `seg-scale` of every other one (memberships
 *      written straight into segment_memberships: REALIZED, `ups`, now), then
 *      VACUUM ANALYZE the store.
 *   2. Time the raw INSERT … SELECT of the segment's records into a table keyed like
 *      batch_records, best of two (bench/export.ts's raw statement and projection).
 *   3. Export the segment through the real server four times, each a job of its own
 *      created through GraphQL and timed by its own clock (creation to its last
 *      profile read), while `exportJob(id)` is asked at 50 req/s as bench/export.ts does:
 *        0. for reference, one slot with the job not split (RUNNER_SHARD_MIN_PROFILES
 *           above the segment), as every export ran before sharded exports;
 *        a. one runner slot: the server with RUNNER_CONCURRENCY=1;
 *        b. two slots in one process: the server with RUNNER_CONCURRENCY=2;
 *        c. two processes: two `npm run worker` with RUNNER_CONCURRENCY=1 each, and a
 *           server with RUNNER_CONCURRENCY=0 for the API.
 *      Otherwise RUNNER_SHARD_MIN_PROFILES stays at its default, so the job is split into parts.
 *      Each export must end SUCCEEDED with exactly the raw statement's records; its
 *      parts are counted, and who ran them is read from the processes' logs.
 *   4. Print the raw statement's time and each export's with its ratio to it, beside
 *      the targets: one slot ≤ 1.1×, two slots ≤ 0.75×, two processes ≤ 0.75×.
 * Between exports, batch_records is vacuumed and analyzed, so that autovacuum after one
 * export's million rows does not run during the next.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/database';
import { analyzeProfileStore } from '../src/profiles/analyzeProfileStore';
import { seedProfiles } from '../src/profiles/seedProfiles';
import {
  checkSameRecords,
  createDataset,
  databasePlace,
  exportThroughServer,
  peakRssWatch,
  PORT,
  round,
  seconds,
  segmentRawSelect,
  TENANT,
  timeRawStatement,
  type Exported,
  type Scenario,
} from './export';
import { startServerProcess, startWorkerProcess, stopServerProcess } from './serverProcess';

const SEGMENT_ID = 'seg-scale';

/** One way to run the export: the server's runner slots, and worker processes beside it. */
interface Setup {
  name: string;
  /** RUNNER_CONCURRENCY of the server. */
  serverSlots: number;
  /** `npm run worker` processes, RUNNER_CONCURRENCY=1 each. */
  workers: number;
  /** The most the export may take, as a multiple of the raw statement's time; none for a reference. */
  target?: number;
  /** More configuration of every process. */
  env?: Record<string, string>;
}

const SETUPS: Setup[] = [
  // The reference: the same export not split, as before sharded exports.
  { name: 'one slot, unsharded', serverSlots: 1, workers: 0, env: { RUNNER_SHARD_MIN_PROFILES: '1000000000' } },
  { name: 'one slot', serverSlots: 1, workers: 0, target: 1.1 },
  { name: 'two slots, one process', serverSlots: 2, workers: 0, target: 0.75 },
  { name: 'two worker processes', serverSlots: 0, workers: 2, target: 0.75 },
];

interface ScaleFigures {
  setup: string;
  runners: string;
  records: number;
  parts: number;
  /** Parts run by each process: the coordinator's slot first (`c`), then every other runner's claims. */
  'parts run by': string;
  'records/s': number;
  'export s': number;
  'raw SQL s': number;
  ratio: number;
  target: string;
  met: boolean | '';
  'exportJob p99 ms': number;
}

/** A process of the run: its name, and the runner log lines of its stderr. */
interface RunningProcess {
  name: string;
  child: ChildProcess;
  lines: Record<string, unknown>[];
}

export async function benchmarkScale(profiles: number): Promise<void> {
  console.log(`\npostgres, --scale: ${profiles.toLocaleString('en')} profiles, segment ${SEGMENT_ID} of every other one`);
  const scenario: Scenario = {
    name: `segment ${SEGMENT_ID}`,
    filter: { segments: [{ segmentId: SEGMENT_ID }] },
    probeSockets: false,
    rawSelect: segmentRawSelect(SEGMENT_ID),
  };
  const place = await databasePlace('postgres');
  const figures: ScaleFigures[] = [];
  try {
    const database = await place.open();
    try {
      let started = performance.now();
      await seedProfiles(database, TENANT, profiles);
      console.log(`Seeded in ${seconds(performance.now() - started)} s`);
      started = performance.now();
      const members = await insertMembers(database);
      await analyzeProfileStore(database.db);
      console.log(`Segment ${SEGMENT_ID}: ${members.toLocaleString('en')} members, written and analyzed in ${seconds(performance.now() - started)} s`);
      const rawSeconds = await timeRawStatement(database, scenario);

      for (const setup of SETUPS) {
        const run = await exportWith(setup, place.env, scenario);
        const job = await jobOf(database, run.exported.batchId);
        if (job.status !== 'SUCCEEDED') throw new Error(`${setup.name}: the job ended ${job.status}`);
        await checkSameRecords(database, scenario, run.exported);
        console.log(`  job ${job.id} SUCCEEDED in ${job.parts} parts (${run.partsRunBy}); its batch holds exactly the raw statement's records`);
        await database.db.execute(sql`vacuum (analyze) batch_records`);
        const ratio = run.exported.seconds / rawSeconds;
        figures.push({
          setup: setup.name,
          runners: setup.workers > 0 ? `${setup.workers} workers × 1 slot` : `server, ${setup.serverSlots} slot(s)`,
          records: run.exported.records,
          parts: job.parts,
          'parts run by': run.partsRunBy,
          'records/s': Math.round(run.exported.records / run.exported.seconds),
          'export s': round(run.exported.seconds),
          'raw SQL s': round(rawSeconds),
          ratio: round(ratio),
          target: setup.target === undefined ? 'reference' : `≤ ${setup.target}`,
          met: setup.target === undefined ? '' : ratio <= setup.target,
          'exportJob p99 ms': run.exported.polling.p99,
        });
      }
    } finally {
      await database.close();
    }
  } finally {
    await place.remove();
  }
  console.log(
    `\nSummary, --scale (export of segment ${SEGMENT_ID}: the job from creation to its last profile read; raw SQL: one INSERT … SELECT, best of two; ` +
      'targets: one slot ≤ 1.1×, two slots ≤ 0.75×, two processes ≤ 0.75× the raw SQL)',
  );
  console.table(figures);
}

/** Every other seeded profile (by its number) becomes a REALIZED member of the segment; answers how many. */
async function insertMembers(database: Database): Promise<number> {
  const [{ n } = { n: 0 }] = await database.db.execute<{ n: number }>(sql`
    with inserted as (
      insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
      select org_id, sandbox_name, profile_id, ${SEGMENT_ID}, 'ups', 'REALIZED', now()
      from profiles
      where org_id = ${TENANT.orgId} and sandbox_name = ${TENANT.sandboxName} and substr(profile_id, 2)::bigint % 2 = 0
      returning 1)
    select count(*)::int as n from inserted`);
  return n;
}

/** The job that wrote `batchId`: its id, status and how many parts it was split into. */
async function jobOf(database: Database, batchId: string): Promise<{ id: number; status: string; parts: number }> {
  const [job] = await database.db.execute<{ id: number; status: string; parts: number }>(sql`
    select j.id::int as id, j.status, (select count(*)::int from export_job_parts p where p.job_id = j.id) as parts
    from export_jobs j where j.batch_id = ${batchId}`);
  if (!job) throw new Error(`No job wrote batch ${batchId}`);
  return job;
}

/**
 * Starts the setup's server (and workers), exports the segment through it, stops them.
 * Answers the export and who ran its parts, from the runners' logs.
 */
async function exportWith(
  setup: Setup,
  databaseEnv: Record<string, string>,
  scenario: Scenario,
): Promise<{ exported: Exported; partsRunBy: string }> {
  console.log(`\n${setup.name}: server RUNNER_CONCURRENCY=${setup.serverSlots}` + (setup.workers ? `, ${setup.workers} × npm run worker with RUNNER_CONCURRENCY=1` : ''));
  const env = { ...databaseEnv, RUNNER_POLL_MS: '20', ...setup.env };
  const processes: RunningProcess[] = [];
  let stopping = false;
  try {
    const server = await startServerProcess({ ...env, PORT: String(PORT), RUNNER_CONCURRENCY: String(setup.serverSlots) });
    processes.push(watched('server', server));
    // After the server: its start built dist/, which the workers run.
    for (let i = 1; i <= setup.workers; i++) processes.push(watched(`worker ${i}`, await startWorkerProcess({ ...env, RUNNER_CONCURRENCY: '1' })));
    // A process that dies mid-export would leave the job to wait out a lease: fail the run instead.
    const died = Promise.race(
      processes.map(async ({ name, child }) => {
        const [code, signal] = await once(child, 'exit');
        if (!stopping) throw new Error(`${name} exited (${code ?? signal}) during the export`);
        return new Promise<never>(() => {});
      }),
    );
    died.catch(() => {});
    const datasetId = await createDataset();
    const exported = await Promise.race([exportThroughServer(scenario, datasetId, undefined, peakRssWatch(server.pid!)), died]);
    stopping = true;
    return { exported, partsRunBy: partsRunBy(processes) };
  } finally {
    stopping = true;
    for (const { child } of processes.reverse()) await stopServerProcess(child);
  }
}

/**
 * Parts per process, read from the runners' logs: the process whose runner claimed the
 * job (its coordinator) runs the parts no other runner claimed, which it does not log;
 * every other slot logs `Export part claimed`.
 */
function partsRunBy(processes: RunningProcess[]): string {
  const claimedJob = processes.find(({ lines }) => lines.some((line) => line.message === 'Export job claimed'));
  const split = processes.flatMap(({ lines }) => lines).find((line) => line.message === 'Export job split into parts');
  const parts = Number(split?.parts ?? 0);
  const claims = processes.map(({ name, lines }) => ({ name, parts: lines.filter((line) => line.message === 'Export part claimed').length }));
  const byOthers = claims.reduce((sum, { parts: n }) => sum + n, 0);
  return claims
    .map(({ name, parts: n }) => (name === claimedJob?.name ? `${name}: ${parts - byOthers} as coordinator + ${n}` : `${name}: ${n}`))
    .join(', ');
}

/** Keeps the JSON log lines of the process's stderr; prints its errors as they come. */
function watched(name: string, child: ChildProcess): RunningProcess {
  const running: RunningProcess = { name, child, lines: [] };
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        running.lines.push(parsed);
        if (parsed.level === 'error' || parsed.level === 'fatal') console.error(`${name}: ${line}`);
      } catch {
        // not a log line
      }
    }
  });
  return running;
}
