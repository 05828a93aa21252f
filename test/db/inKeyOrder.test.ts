/**
 * A keyset read of a batch's records (the chunk statement of
 * `batchRecordTexts`) walks the primary key in order even when the table has
 * no statistics, as after an export (no ANALYZE has run): the plan has an index
 * scan and no sort, on both databases.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { chunkStatement } from '../../src/batches/batchRecordTexts';
import { inKeyOrder } from '../../src/db/inKeyOrder';
import { storageTargets } from '../helpers/databases';

type PlanNode = { 'Node Type': string; Plans?: PlanNode[] };
const nodeTypes = (node: PlanNode): string[] => [node['Node Type'], ...(node.Plans ?? []).flatMap(nodeTypes)];

describe.each(storageTargets)('reads in key order on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
    await database.db.execute(sql`insert into batch_records (batch_id, profile_id, record)
      select 'fresh', lpad(i::text, 8, '0'), jsonb_build_object('profileId', lpad(i::text, 8, '0'))
      from generate_series(1, 20000) i`);
  });
  afterAll(() => database?.close());

  const explain = (db: Pick<Database['db'], 'execute'>) =>
    db.execute<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(
      sql`explain (format json) ${chunkStatement('fresh', '00010000', 2000)}`,
    );

  it('plans an index scan of the primary key and no sort', async () => {
    const [row] = await inKeyOrder(database.db, (tx) => explain(tx));
    const plan = row!['QUERY PLAN'];
    const root = (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan as PlanNode;
    const types = nodeTypes(root);
    expect(types).toContain('Index Scan');
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Bitmap Heap Scan');
  });

  it('leaves the setting to its own transaction', async () => {
    await inKeyOrder(database.db, async () => undefined);
    const [row] = await database.db.execute<{ enable_sort: string }>(sql`show enable_sort`);
    expect(row!.enable_sort).toBe('on');
  });
});
