/**
 * An evaluation chunk that the runner's statement timeout ends (PostgreSQL: PGlite has
 * none) is tried again smaller, as an export's chunk is, and the evaluation ends with
 * the memberships of one uninterrupted run. With a fixed chunk size, the error stands.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDatabase, Database } from '../../../src/db/database';
import { PostgresErrorCode, postgresErrorCode } from '../../../src/db/postgresErrors';
import { evaluateSegment } from '../../../src/segments/evaluation/evaluateSegment';
import { storageTargets } from '../../helpers/databases';
import { waitUntil } from '../../helpers/waitUntil';
import { membershipsOf, seedFixture, T1, US_LOYAL } from './segmentFixture';

const postgres = storageTargets.find((target) => target.name === 'postgres')!;
const TIMEOUT_MS = 300;

describe('an evaluation chunk out of statement time, on postgres', () => {
  let database: Database;
  let bounded: AppDatabase;
  beforeAll(async () => {
    database = await postgres.open();
    bounded = await database.boundedPool({ name: 'runner', connections: 2, statementTimeoutMs: TIMEOUT_MS });
  });
  afterAll(() => database?.close());

  /**
   * Holds a lock every chunk statement waits for (it writes memberships) until `released`
   * says so: the statements that start meanwhile run out of time. Resolves once the lock is
   * held, to the transaction (in an object: an async function would wait for a promise it returns).
   */
  const holdMembershipsUntil = async (released: () => boolean): Promise<{ holding: Promise<void> }> => {
    let locked = false;
    const holding = database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table segment_memberships in share mode`);
      locked = true;
      await waitUntil(released, 20_000);
    });
    await waitUntil(() => locked);
    return { holding };
  };

  it('retries the chunk smaller, and writes what one uninterrupted run writes', async () => {
    const tenant = { orgId: 'org-eval-timeout', sandboxName: 'prod' };
    await seedFixture(database, tenant);
    // The fixture's memberships of other sandboxes, which no evaluation here touches.
    const before = await membershipsOf(database, tenant.orgId, 'seg-us-loyal');
    const outOfTime: number[] = [];
    const { holding } = await holdMembershipsUntil(() => outOfTime.length > 0);
    const counts = await evaluateSegment(bounded, {
      tenant,
      segmentId: 'seg-us-loyal',
      expression: US_LOYAL,
      now: T1,
      onOutOfTime: (profiles) => void outOfTime.push(profiles),
    });
    await holding;
    expect(counts).toEqual({ realized: 3, existing: 0, exited: 0, profiles: 10 });
    expect(await membershipsOf(database, tenant.orgId, 'seg-us-loyal')).toEqual(
      [...before, ...['p01', 'p03', 'p06'].map((id) => `prod ${id} seg-us-loyal ups REALIZED ${T1.toISOString()}`)].sort(),
    );
    // The first chunk asked for the sizer's first size; each retry asked for fewer.
    expect(outOfTime[0]).toBeGreaterThan(1);
    for (let i = 1; i < outOfTime.length; i++) expect(outOfTime[i]).toBeLessThan(outOfTime[i - 1]!);
  });

  it('retries a key range smaller while the range beside it is written, and ends as one uninterrupted run', async () => {
    const tenant = { orgId: 'org-eval-timeout-ranges', sandboxName: 'prod' };
    await seedFixture(database, tenant);
    const T0 = new Date(T1.getTime() - 24 * 60 * 60 * 1000);
    await evaluateSegment(bounded, { tenant, segmentId: 'seg-us-loyal', expression: US_LOYAL, now: T0 });
    const before = await membershipsOf(database, tenant.orgId, 'seg-us-loyal');
    // p01's membership locked: the first range (p01-p04) waits and runs out of time, while the
    // second (p05-p08, p06 a member) is written beside it and then evaluated again.
    const outOfTime: number[] = [];
    let locked = false;
    const holding = database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from segment_memberships where org_id = ${tenant.orgId} and sandbox_name = 'prod' and profile_id = 'p01' and segment_id = 'seg-us-loyal' for update`);
      locked = true;
      await waitUntil(() => outOfTime.length > 0, 20_000);
    });
    await waitUntil(() => locked);
    const counts = await evaluateSegment(bounded, {
      tenant,
      segmentId: 'seg-us-loyal',
      expression: US_LOYAL,
      now: T1,
      sizing: { max: 4, targetMs: 50, initial: 4 },
      rangesAtOnce: 2,
      onOutOfTime: (profiles) => void outOfTime.push(profiles),
    });
    await holding;
    expect(outOfTime[0]).toBe(4);
    // The three members stay, with their first time; the second range counted once.
    expect(counts).toEqual({ realized: 0, existing: 3, exited: 0, profiles: 10 });
    expect(await membershipsOf(database, tenant.orgId, 'seg-us-loyal')).toEqual(
      before.map((line) => (line.startsWith('prod ') ? line.replace(' REALIZED ', ' EXISTING ') : line)),
    );
  });

  it('throws the timeout with a fixed chunk size, having written nothing', async () => {
    const tenant = { orgId: 'org-eval-timeout-fixed', sandboxName: 'prod' };
    await seedFixture(database, tenant);
    const before = await membershipsOf(database, tenant.orgId, 'seg-us-loyal');
    let failed = false;
    const { holding } = await holdMembershipsUntil(() => failed);
    const evaluation = evaluateSegment(bounded, { tenant, segmentId: 'seg-us-loyal', expression: US_LOYAL, now: T1, chunkSize: 4 });
    const error = await evaluation.catch((caught: unknown) => caught);
    failed = true;
    await holding;
    expect(postgresErrorCode(error)).toBe(PostgresErrorCode.QUERY_CANCELED);
    expect(await membershipsOf(database, tenant.orgId, 'seg-us-loyal')).toEqual(before);
  });
});
