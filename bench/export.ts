/**
 * `npm run bench:export`: seeds 1M synthetic profiles (BENCH_PROFILES) on a
 * fresh PostgreSQL database, then exports one segment with two fields through
 * the real runner (`npm run worker`, its own process) and, on the same data,
 * one equivalent raw-SQL INSERT … SELECT. Prints profiles/s, both times, their
 * ratio and the worker's peak RSS. Targets: within 1.5× the raw SQL, RSS < 300 MB.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { createDb } from '../src/db/createDb';
import { seedProfiles } from '../src/profiles/seedProfiles';
import { createPostgresDatabase } from '../test/helpers/databases';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);
const TENANT = { orgId: 'BENCH_EXPORT@AdobeOrg', sandboxName: 'prod' };
const SEGMENT = 'seg-00';
const FIELDS = 'personalEmail.address,person.name.firstName';

async function main(): Promise<void> {
  const target = await createPostgresDatabase();
  const sql = postgres(target.url, { max: 2, onnotice: () => {} });
  try {
    const database = await createDb({ url: target.url, dataDir: '' });
    let started = performance.now();
    await seedProfiles(database, TENANT, PROFILES);
    await database.close();
    // As autovacuum would leave a settled store: hint bits set, statistics fresh. Without it
    // whichever of the two exports reads first pays for the other.
    await sql`vacuum analyze`;
    console.log(`Seeded ${PROFILES.toLocaleString('en')} profiles in ${seconds(started)} s`);

    const [members] = await sql`select count(*)::int as n from segment_memberships
      where org_id = ${TENANT.orgId} and segment_id = ${SEGMENT} and status in ('REALIZED', 'EXISTING')`;
    console.log(`Segment ${SEGMENT}: ${members!.n.toLocaleString('en')} members to export (REALIZED, EXISTING)`);

    started = performance.now();
    const raw = await rawExport(sql);
    const rawSeconds = (performance.now() - started) / 1000;
    console.log(`Raw SQL INSERT … SELECT: ${raw.toLocaleString('en')} records in ${rawSeconds.toFixed(2)} s`);

    const exported = await runnerExport(sql, target.url);
    const ratio = exported.seconds / rawSeconds;
    console.log(`Runner export: ${exported.records.toLocaleString('en')} records in ${exported.seconds.toFixed(2)} s`);
    console.log('\nSummary');
    console.table([
      {
        profiles: PROFILES,
        records: exported.records,
        'records/s': Math.round(exported.records / exported.seconds),
        'export s': Number(exported.seconds.toFixed(2)),
        'raw SQL s': Number(rawSeconds.toFixed(2)),
        ratio: Number(ratio.toFixed(2)),
        'peak RSS MB': exported.peakRssMb,
        'ratio ≤ 1.5': ratio <= 1.5,
        'RSS < 300 MB': exported.peakRssMb < 300,
      },
    ]);
    if (raw !== exported.records) throw new Error(`Raw SQL wrote ${raw} records, the export ${exported.records}`);
  } finally {
    await sql.end();
    await target.drop();
  }
}

/** The same records, written by hand-made SQL: one statement, no chunks, no bookkeeping. */
async function rawExport(sql: postgres.Sql): Promise<number> {
  await sql`create table raw_export (profile_id text primary key, record jsonb not null)`;
  const result = await sql`
    insert into raw_export (profile_id, record)
    select p.profile_id, jsonb_strip_nulls(jsonb_build_object(
      'profileId', p.profile_id,
      'personalEmail', case when p.attributes #> '{personalEmail,address}' is not null
        then jsonb_build_object('address', p.attributes #> '{personalEmail,address}') end,
      'person', case when p.attributes #> '{person,name,firstName}' is not null
        then jsonb_build_object('name', jsonb_build_object('firstName', p.attributes #> '{person,name,firstName}')) end))
    from segment_memberships m
    join profiles p on p.org_id = m.org_id and p.sandbox_name = m.sandbox_name and p.profile_id = m.profile_id
    where m.org_id = ${TENANT.orgId} and m.sandbox_name = ${TENANT.sandboxName}
      and m.segment_id = ${SEGMENT} and m.status in ('REALIZED', 'EXISTING') and p.has_profile_record`;
  return result.count;
}

/** Creates the job, runs one worker process until the job succeeds, sampling the worker's peak RSS. */
async function runnerExport(sql: postgres.Sql, url: string): Promise<{ records: number; seconds: number; peakRssMb: number }> {
  await sql`insert into datasets (id, org_id, sandbox_name, name, schema_ref_id, schema_ref_content_type)
    values ('bench00000000000000000000', ${TENANT.orgId}, ${TENANT.sandboxName}, 'bench', 'x', 'y')`;
  const worker = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'src/main.ts', 'worker'], {
    env: { ...process.env, DATABASE_URL: url, RUNNER_CONCURRENCY: '1', RUNNER_POLL_MS: '20' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let it start and migrate
    const [job] = await sql`insert into export_jobs (org_id, sandbox_name, fields, schema_name, merge_policy_id,
        merge_policy_version, filter, dataset_id, request_id)
      values (${TENANT.orgId}, ${TENANT.sandboxName}, ${FIELDS}, '_xdm.context.profile', 'timestampOrdered-none-mp', 1,
        ${sql.json({ segments: [{ segmentId: SEGMENT, segmentNs: null, status: ['REALIZED', 'EXISTING'] }], segmentQualificationTime: null, fromIngestTimestamp: null, emptyProfiles: false })},
        'bench00000000000000000000', 'bench')
      returning id`;
    let peakKb = 0;
    for (;;) {
      peakKb = Math.max(peakKb, peakRssKb(worker.pid!));
      const [row] = await sql`select status, exported_profiles,
          extract(epoch from finished_at - creation_time)::float8 as seconds
        from export_jobs where id = ${job!.id}`;
      if (row!.status === 'SUCCEEDED') {
        // The job's own clock, creation to finish: the bench's polling adds nothing.
        return { records: row!.exported_profiles, seconds: row!.seconds, peakRssMb: Math.round(peakKb / 1024) };
      }
      if (row!.status === 'FAILED') throw new Error('The export failed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
}

/** The process's high-water mark of resident memory (VmHWM), in kB. */
function peakRssKb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
