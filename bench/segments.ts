/**
 * `npm run bench:segments`: evaluates three segment expressions over a seeded
 * profile store (with `recentEvents`) and measures each against one
 * hand-written SQL statement that computes the same membership set, run in the
 * same database in the same run: an INSERT … SELECT of the same rows into
 * segment_memberships itself (under a segment id of its own), best of two.
 *
 * Environment: BENCH_DB=postgres (default; a fresh database from
 * TEST_DATABASE_URL) or pglite (a fresh data directory); BENCH_PROFILES
 * (default 1,000,000 on PostgreSQL, 200,000 on PGlite); BENCH_CHUNK (profiles
 * per chunk, fixed; default: sized by time as evaluateSegment does); BENCH_EXPLAIN=1 prints
 * EXPLAIN ANALYZE of one chunk statement a segment; BENCH_CASES (comma-separated
 * words of the segment ids, e.g. `strings`; default: all three); RUNNER_EVALUATION_RANGES
 * (key ranges at once, as the runner reads it: default 2 on PostgreSQL, 1 on PGlite).
 *
 * Per expression it prints: the first evaluation's time (best of two, the
 * segment emptied between), the hand-written statement's, their ratio (target
 * ≤ 1.5), a re-run at the same time, the chunk statements' p50/p99/max (on
 * PGlite, how long the API waits at worst), and the RSS of this process while
 * evaluating. It fails when the evaluation's members differ from the
 * hand-written set (count, checksum and symmetric difference).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/createDb';
import type { Database } from '../src/db/database';
import { SEED_REFERENCE_TIME, seedProfiles } from '../src/profiles/seedProfiles';
import { DEFAULT_EVALUATION_CHUNK_SIZE, evaluateSegment } from '../src/segments/evaluation/evaluateSegment';
import { evaluateSegmentChunkSql, type ChunkResult } from '../src/segments/evaluation/evaluateSegmentChunk';
import { compileSegmentPredicate } from '../src/segments/pql/compileSegmentPredicate';
import { createPostgresDatabase } from '../test/helpers/databases';
import { peakRssMb } from './serverProcess';

const TENANT = { orgId: 'BENCH_SEGMENTS@AdobeOrg', sandboxName: 'prod' };
const NOW = new Date(SEED_REFERENCE_TIME);
const WEEK_AGO = new Date(NOW.getTime() - 7 * 24 * 60 * 60 * 1000);

interface Case {
  segmentId: string;
  expression: string;
  /** The same condition written by hand over the profiles row `p`. */
  handWritten: SQL;
}

const CASES: Case[] = [
  {
    segmentId: 'bench-attributes',
    expression: 'homeAddress.countryCode = "US" and loyalty.points > 500',
    handWritten: sql`p.attributes #>> '{homeAddress,countryCode}' = 'US' and (p.attributes #>> '{loyalty,points}')::numeric > 500`,
  },
  {
    segmentId: 'bench-strings',
    expression: 'person.name.firstName.startsWith("Jo") and person.favoriteColors.includes("red")',
    handWritten: sql`p.attributes #>> '{person,name,firstName}' like 'Jo%' and p.attributes #> '{person,favoriteColors}' @> '["red"]'`,
  },
  {
    segmentId: 'bench-events',
    expression: 'xEvent[eventType = "commerce.purchases" and timestamp occurs < 7 days before now].count() >= 2',
    handWritten: sql`(select count(*) from experience_events e
      where e.org_id = p.org_id and e.sandbox_name = p.sandbox_name and e.profile_id = p.profile_id
        and e.data ->> 'eventType' = 'commerce.purchases'
        and (e.data ->> 'timestamp')::timestamptz > ${WEEK_AGO.toISOString()}::timestamptz
        and (e.data ->> 'timestamp')::timestamptz <= ${NOW.toISOString()}::timestamptz) >= 2`,
  },
];

type Kind = 'postgres' | 'pglite';

async function main(): Promise<void> {
  const kind = (process.env.BENCH_DB ?? 'postgres') as Kind;
  if (kind !== 'postgres' && kind !== 'pglite') throw new Error('BENCH_DB must be postgres or pglite');
  const profiles = Number(process.env.BENCH_PROFILES ?? (kind === 'pglite' ? 200_000 : 1_000_000));
  // Unset: chunks sized by time, as evaluateSegment does by default.
  const chunkSize = process.env.BENCH_CHUNK ? Number(process.env.BENCH_CHUNK) : undefined;
  // RUNNER_EVALUATION_RANGES as the runner reads it on this database.
  const rangesAtOnce = loadConfig({ ...process.env, DATABASE_URL: kind === 'postgres' ? 'postgres://bench' : '' }).runner.evaluationRangesAtOnce;
  console.log(
    `${kind}: ${profiles.toLocaleString('en')} profiles, chunks ${chunkSize ? `of ${chunkSize.toLocaleString('en')}` : 'sized by time (~50 ms each)'}, ${rangesAtOnce} range(s) at once`,
  );
  const place = await databasePlace(kind);
  try {
    const database = await place.open();
    try {
      const started = performance.now();
      const seeded = await seedProfiles(database, TENANT, profiles, { recentEvents: true });
      console.log(`Seeded ${seeded.profiles.toLocaleString('en')} profiles, ${seeded.events.toLocaleString('en')} events in ${seconds(performance.now() - started)} s`);
      const figures = [];
      for (const benchCase of selectedCases()) figures.push(await measure(database, benchCase, chunkSize, rangesAtOnce));
      console.log(`\nSummary (${kind}, ${profiles.toLocaleString('en')} profiles; evaluation and hand-written SQL: best of two)`);
      console.table(figures);
      console.log(`Peak RSS of this process over the whole run (seed included): ${peakRssMb(process.pid)} MB`);
    } finally {
      await database.close();
    }
  } finally {
    await place.remove();
  }
}

async function measure(database: Database, benchCase: Case, chunkSize: number | undefined, rangesAtOnce: number) {
  const { segmentId, expression } = benchCase;
  console.log(`\n${segmentId}: ${expression}`);
  const reference = await timeHandWritten(database, benchCase);

  const chunkMs: number[] = [];
  let rssMax = 0;
  const rssBefore = rssMb();
  const evaluate = async () => {
    const started = performance.now();
    const counts = await evaluateSegment(database.db, {
      tenant: TENANT,
      segmentId,
      segmentNs: 'ups',
      expression,
      now: NOW,
      chunkSize,
      rangesAtOnce,
      onChunk: (chunk: ChunkResult) => {
        chunkMs.push(chunk.elapsedMs);
        rssMax = Math.max(rssMax, rssMb());
      },
    });
    return { counts, ms: performance.now() - started };
  };
  const first = await evaluate();
  await emptySegment(database, segmentId);
  const second = await evaluate();
  const best = Math.min(first.ms, second.ms);
  console.log(`Evaluation: ${JSON.stringify(second.counts)} in ${seconds(first.ms)} s, then ${seconds(second.ms)} s`);
  const rerun = await evaluate();
  console.log(`Re-run at the same time: ${JSON.stringify(rerun.counts)} in ${seconds(rerun.ms)} s`);

  const check = await compareWithReference(database, segmentId);
  if (check.members !== reference.rows || check.difference !== 0 || check.checksum !== check.referenceChecksum) {
    throw new Error(`${segmentId}: the evaluation's ${check.members} members differ from the hand-written ${reference.rows} (${check.difference} differ)`);
  }
  console.log(`Same members as the hand-written statement: ${check.members.toLocaleString('en')}, checksum ${check.checksum}`);
  await emptySegment(database, referenceSegment(segmentId));
  if (process.env.BENCH_EXPLAIN === '1') await explainChunk(database, benchCase, chunkSize ?? DEFAULT_EVALUATION_CHUNK_SIZE);

  const sorted = [...chunkMs].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return {
    segment: segmentId,
    members: check.members,
    'evaluation s': round(best / 1000),
    'hand-written s': round(reference.ms / 1000),
    ratio: round(best / reference.ms),
    'into empty copy s': round(reference.intoCopyMs / 1000),
    're-run s': round(rerun.ms / 1000),
    chunks: chunkMs.length / 3,
    'chunk p50 ms': at(0.5),
    'chunk p99 ms': at(0.99),
    'chunk max ms': round(sorted.at(-1) ?? 0),
    'RSS before MB': rssBefore,
    'RSS max MB': rssMax,
  };
}

/** BENCH_CASES, or every case. */
function selectedCases(): Case[] {
  const wanted = process.env.BENCH_CASES?.split(',').map((word) => word.trim()).filter(Boolean);
  if (!wanted?.length) return CASES;
  const cases = CASES.filter((benchCase) => wanted.some((word) => benchCase.segmentId === `bench-${word}`));
  if (cases.length !== wanted.length) throw new Error(`BENCH_CASES: expected words of ${CASES.map((c) => c.segmentId).join(', ')}`);
  return cases;
}

const referenceSegment = (segmentId: string) => `${segmentId}-reference`;

/** The hand-written statement's rows: the members, as the evaluation writes them. */
const handWrittenRows = ({ handWritten }: Case, segment: string) => sql`
  select p.org_id, p.sandbox_name, p.profile_id, ${segment}, 'ups', 'REALIZED', ${NOW.toISOString()}::timestamptz
  from profiles p
  where p.org_id = ${TENANT.orgId} and p.sandbox_name = ${TENANT.sandboxName} and ${handWritten}`;

/**
 * The hand-written statement into segment_memberships itself (under a segment
 * of its own), twice, emptied between; the faster time. Its rows stay for the
 * comparison. Also, once, into an empty copy of the table, for scale: inserts
 * into the populated table's two large indexes cost most of the difference.
 */
async function timeHandWritten(database: Database, benchCase: Case): Promise<{ ms: number; rows: number; intoCopyMs: number }> {
  const segment = referenceSegment(benchCase.segmentId);
  let best = Infinity;
  let rows = 0;
  for (let run = 0; run < 2; run++) {
    await emptySegment(database, segment);
    const started = performance.now();
    const [inserted] = await database.db.execute<{ n: number }>(sql`
      with inserted as (
        insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
        ${handWrittenRows(benchCase, segment)} returning 1)
      select count(*)::int as n from inserted`);
    best = Math.min(best, performance.now() - started);
    rows = inserted?.n ?? 0;
  }
  await database.db.execute(sql`create table bench_copy (like segment_memberships including all)`);
  const started = performance.now();
  await database.db.execute(sql`insert into bench_copy ${handWrittenRows(benchCase, segment)}`);
  const intoCopyMs = performance.now() - started;
  await database.db.execute(sql`drop table bench_copy`);
  console.log(`Hand-written SQL: ${rows.toLocaleString('en')} members in ${seconds(best)} s (into an empty copy of the table: ${seconds(intoCopyMs)} s)`);
  return { ms: best, rows, intoCopyMs };
}

async function emptySegment(database: Database, segmentId: string): Promise<void> {
  await database.db.execute(sql`delete from segment_memberships where org_id = ${TENANT.orgId} and segment_id = ${segmentId}`);
  await database.db.execute(sql`vacuum segment_memberships`);
}

/** The segment's REALIZED-at-NOW members against the hand-written set. */
async function compareWithReference(database: Database, segmentId: string) {
  const membersOf = (segment: string) => sql`select profile_id from segment_memberships
    where org_id = ${TENANT.orgId} and sandbox_name = ${TENANT.sandboxName} and segment_id = ${segment}
      and segment_ns = 'ups' and status = 'REALIZED' and qualification_time = ${NOW.toISOString()}::timestamptz`;
  const members = membersOf(segmentId);
  const reference = membersOf(referenceSegment(segmentId));
  const [row] = await database.db.execute<{ members: number; checksum: string; reference_checksum: string; difference: number }>(sql`
    select (select count(*)::int from (${members}) m) as members,
      (select coalesce(sum(hashtextextended(profile_id, 7)), 0)::text from (${members}) m) as checksum,
      (select coalesce(sum(hashtextextended(profile_id, 7)), 0)::text from (${reference}) r) as reference_checksum,
      (select count(*)::int from ((${members} except ${reference}) union all (${reference} except ${members})) d) as difference`);
  return { members: row!.members, checksum: row!.checksum, referenceChecksum: row!.reference_checksum, difference: row!.difference };
}

/**
 * EXPLAIN ANALYZE of a chunk in the middle of the store, rolled back: a key range
 * of `chunkSize` profiles, the shape of most of an evaluation's chunks.
 */
async function explainChunk(database: Database, { segmentId, expression }: Case, chunkSize: number): Promise<void> {
  const idAt = async (offset: SQL) => {
    const [row] = await database.db.execute<{ id: string }>(sql`
      select profile_id as id from profiles where org_id = ${TENANT.orgId} and sandbox_name = ${TENANT.sandboxName}
      order by profile_id offset ${offset} limit 1`);
    return row!.id;
  };
  const half = sql`(select count(*) / 2 from profiles where org_id = ${TENANT.orgId})`;
  const range = { after: await idAt(half), upTo: await idAt(sql`${half} + ${chunkSize}`) };
  const { predicate } = compileSegmentPredicate(expression, { profile: sql.raw('p'), now: NOW });
  const statement = evaluateSegmentChunkSql(
    { tenant: TENANT, segmentId: `${segmentId}-explain`, segmentNs: 'ups', predicate, now: NOW },
    range,
  );
  const rollback = new Error('rollback');
  await database.db
    .transaction(async (tx) => {
      const plan = await tx.execute<{ 'QUERY PLAN': string }>(sql`explain (analyze, buffers) ${statement}`);
      console.log(plan.map((line) => line['QUERY PLAN']).join('\n'));
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}

async function databasePlace(kind: Kind): Promise<{ open(): Promise<Database>; remove(): Promise<void> }> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-segments-'));
    // PGLITE_SHARED_BUFFERS_MB as the server reads it.
    const { pgliteSharedBuffersMb } = loadConfig();
    return {
      open: () => createDb({ url: undefined, dataDir, pgliteSharedBuffersMb }),
      remove: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const postgres = await createPostgresDatabase();
  return { open: () => createDb({ url: postgres.url, dataDir: '' }), remove: () => postgres.drop() };
}


const rssMb = () => Math.round(process.memoryUsage.rss() / 1024 / 1024);
const round = (value: number) => Math.round(value * 100) / 100;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
