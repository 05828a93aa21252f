/**
 * A chunk reads the segment's previous memberships of its id range from
 * `segment_memberships_members_idx` (segment first), never from the primary key
 * (profile first), which holds every segment's memberships of the range: with
 * plain `profile_id` bounds PGlite chose the primary key on an analyzed store of
 * 200,000 profiles in two segments each. Here on both databases, over a store
 * where every profile is a member of other segments, analyzed and not.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database';
import { evaluateSegmentChunkSql, type EvaluationSlice } from '../../../src/segments/evaluation/evaluateSegmentChunk';
import { compileSegmentPredicate } from '../../../src/segments/pql/compileSegmentPredicate';
import { storageTargets } from '../../helpers/databases';
import { JO, T1 } from './segmentFixture';

type PlanNode = { 'Node Type': string; 'Index Name'?: string; 'Subplan Name'?: string; Plans?: PlanNode[] };

const findCte = (node: PlanNode, name: string): PlanNode | undefined =>
  node['Subplan Name'] === `CTE ${name}` ? node : (node.Plans ?? []).map((child) => findCte(child, name)).find(Boolean);
const indexNames = (node: PlanNode): string[] => [
  ...(node['Index Name'] ? [node['Index Name']] : []),
  ...(node.Plans ?? []).flatMap(indexNames),
];

const tenant = { orgId: 'org-plan', sandboxName: 'prod' };
const PROFILES = 20_000;

describe.each(storageTargets)('the chunk statement on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
    await database.db.execute(sql`insert into profiles (org_id, sandbox_name, profile_id, identities, attributes, updated_at)
      select ${tenant.orgId}, ${tenant.sandboxName}, 'p' || lpad(i::text, 6, '0'), '[]'::jsonb,
        jsonb_build_object('person', jsonb_build_object('name', jsonb_build_object('firstName', case when i % 7 = 0 then 'Jo' else 'Al' end))), now()
      from generate_series(1, ${PROFILES}) i`);
    await database.db.execute(sql`insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
      select ${tenant.orgId}, ${tenant.sandboxName}, 'p' || lpad(i::text, 6, '0'), s.id, 'ups', 'REALIZED', now()
      from generate_series(1, ${PROFILES}) i, (values ('other-1'), ('other-2')) s(id)`);
  }, 60_000);
  afterAll(() => database?.close());

  const slices: [string, EvaluationSlice][] = [
    ['a keyset page', { after: 'p005000', limit: 10_000 }],
    ['a key range', { after: 'p005000', upTo: 'p015000' }],
  ];
  const previousIndexes = async (slice: EvaluationSlice) => {
    const statement = evaluateSegmentChunkSql(
      { tenant, segmentId: 'evaluated', segmentNs: 'ups', predicate: compileSegmentPredicate(JO, { profile: sql.raw('p'), now: T1 }).predicate, now: T1 },
      slice,
    );
    const [row] = await database.db.execute<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(sql`explain (format json) ${statement}`);
    const plan = row!['QUERY PLAN'];
    const root = (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan as PlanNode;
    const previous = findCte(root, 'previous');
    expect(previous).toBeDefined();
    return indexNames(previous!);
  };

  it.each(slices)('reads the previous memberships of %s from the segment-first index, before any ANALYZE', async (_, slice) => {
    expect(await previousIndexes(slice)).toEqual(['segment_memberships_members_idx']);
  });

  it.each(slices)('and of %s after one', async (_, slice) => {
    await database.db.execute(sql`analyze profiles`);
    await database.db.execute(sql`analyze segment_memberships`);
    expect(await previousIndexes(slice)).toEqual(['segment_memberships_members_idx']);
  });
});
