/**
 * A chunk writes new memberships with a plain INSERT (faster than an upsert),
 * which is right while nothing else writes the segment's memberships — the
 * evaluation lease sees to evaluations, but `ingestProfiles` may still name the
 * segment. When a membership of the chunk appears meanwhile, the INSERT fails
 * with nothing written and the chunk runs again as an upsert. And an evaluation
 * that runs key ranges at once, ended by a chunk (a cancel, a lost lease) while
 * another range waits on such a writer, gives up only once that range is done:
 * its statement writes memberships, and the caller releases the segment's lease
 * right after. PostgreSQL only: the race needs a second connection holding an
 * uncommitted membership, which PGlite (one connection, one statement at a
 * time) cannot have.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/createDb';
import type { Database } from '../../../src/db/database';
import { evaluateSegment } from '../../../src/segments/evaluation/evaluateSegment';
import { evaluateSegmentChunk, type ChunkResult, type EvaluationSlice } from '../../../src/segments/evaluation/evaluateSegmentChunk';
import type { Tenant } from '../../../src/tenant';
import { compileSegmentPredicate } from '../../../src/segments/pql/compileSegmentPredicate';
import { createPostgresDatabase } from '../../helpers/databases';
import { membershipsOf, seedFixture, T1, US_LOYAL } from './segmentFixture';

describe('a chunk that meets a membership written meanwhile, on PostgreSQL', () => {
  let place: { url: string; drop(): Promise<void> };
  let database: Database;
  beforeAll(async () => {
    place = await createPostgresDatabase();
    database = await createDb({ url: place.url, dataDir: '' });
  });
  afterAll(async () => {
    await database?.close();
    await place?.drop();
  });

  const EARLIER = new Date('2024-06-01T00:00:00Z');
  /**
   * Runs `during` while another writer, on a connection of its own, holds a membership of
   * `profileId` not yet committed (a chunk's INSERT of it waits), then commits it.
   */
  async function whileAnotherWriterHolds(
    tenant: Tenant,
    profileId: string,
    segmentId: string,
    during: (tx: postgres.TransactionSql) => Promise<void>,
  ): Promise<void> {
    const other = postgres(place.url, { max: 1, onnotice: () => {} });
    try {
      await other.begin(async (tx) => {
        await tx`insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
          values (${tenant.orgId}, ${tenant.sandboxName}, ${profileId}, ${segmentId}, 'ups', 'REALIZED', ${EARLIER.toISOString()})`;
        await during(tx);
      });
    } finally {
      await other.end();
    }
  }
  /** The fixture's segment evaluated at T1 in ranges of three profiles, two at once. */
  const evaluateTwoRangesAtOnce = (tenant: Tenant, segmentId: string, onChunk: (chunk: ChunkResult) => void) =>
    evaluateSegment(database.db, { tenant, segmentId, segmentNs: 'ups', expression: US_LOYAL, now: T1, chunkSize: 3, rangesAtOnce: 2, onChunk });

  // A chunk is a keyset page or a key range (evaluateSegment uses both); each tenant its own.
  const slices: [string, string, EvaluationSlice][] = [
    ['a keyset page', 'org-race-page', { after: null, limit: 100 }],
    ['a key range', 'org-race-range', { after: null, upTo: 'p10' }],
  ];

  it.each(slices)('as %s writes nothing on the first try, then upserts: the membership written meanwhile stays EXISTING with its time', async (_, orgId, slice) => {
    const tenant = { orgId, sandboxName: 'prod' };
    await seedFixture(database, tenant);
    const evaluation = {
      tenant,
      segmentId: 'seg-race',
      segmentNs: 'ups',
      predicate: compileSegmentPredicate(US_LOYAL, { profile: sql.raw('p'), now: T1 }).predicate,
      now: T1,
    };
    let chunk: ReturnType<typeof evaluateSegmentChunk> | undefined;
    // p01 qualifies; another writer gives it a membership, not yet committed.
    await whileAnotherWriterHolds(tenant, 'p01', 'seg-race', async () => {
      chunk = evaluateSegmentChunk(database.db, evaluation, slice);
      // The chunk's INSERT waits for that transaction, which commits: the INSERT fails.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const result = await chunk!;
    expect(result).toMatchObject({ realized: 2, existing: 1, exited: 0, profiles: 10 });
    expect(await membershipsOf(database, tenant.orgId, 'seg-race')).toEqual([
      `prod p01 seg-race ups EXISTING ${EARLIER.toISOString()}`,
      `prod p03 seg-race ups REALIZED ${T1.toISOString()}`,
      `prod p06 seg-race ups REALIZED ${T1.toISOString()}`,
    ]);
    // Nothing else of the table was touched on the way.
    const [row] = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from segment_memberships where org_id = ${orgId} and segment_id = 'seg-race'`,
    );
    expect(row!.n).toBe(3);
  });

  it('ends an evaluation with ranges at once only once a range held back by the writer is done', async () => {
    const tenant = { orgId: 'org-ranges-stop', sandboxName: 'prod' };
    await seedFixture(database, tenant);
    const stop = new Error('stop');
    const reported: Array<string | null> = [];
    let settled = false;
    let evaluation: Promise<unknown> | undefined;
    // p06 qualifies, in the second range (p03, p06]: its INSERT waits for the other writer.
    await whileAnotherWriterHolds(tenant, 'p06', 'seg-stop', async () => {
      evaluation = evaluateTwoRangesAtOnce(tenant, 'seg-stop', (chunk) => {
        reported.push(chunk.lastProfileId);
        throw stop;
      }).finally(() => {
        settled = true;
      });
      evaluation.catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The first range is reported and ends the walk; the second is still held back here.
      expect(reported).toEqual(['p03']);
      expect(settled).toBe(false);
    });
    await expect(evaluation).rejects.toBe(stop);
    // The second range ran to its end once the other writer committed, as an upsert (above).
    expect(await membershipsOf(database, tenant.orgId, 'seg-stop')).toEqual([
      `prod p01 seg-stop ups REALIZED ${T1.toISOString()}`,
      `prod p03 seg-stop ups REALIZED ${T1.toISOString()}`,
      `prod p06 seg-stop ups EXISTING ${EARLIER.toISOString()}`,
    ]);
  });

  it('reports ranges in key order: a later range done first waits for the one before it', async () => {
    const tenant = { orgId: 'org-ranges-order', sandboxName: 'prod' };
    await seedFixture(database, tenant);
    const reported: Array<string | null> = [];
    let evaluation: Promise<unknown> | undefined;
    // p01 qualifies, in the first range (, p03]: its INSERT waits for the other writer,
    // while the second range (p03, p06] runs to its end beside it.
    await whileAnotherWriterHolds(tenant, 'p01', 'seg-order', async (tx) => {
      evaluation = evaluateTwoRangesAtOnce(tenant, 'seg-order', (chunk) => void reported.push(chunk.lastProfileId));
      evaluation.catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The second range has written p06 (committed, visible here); nothing is reported before the first.
      const [written] = await tx<{ n: number }[]>`select count(*)::int as n from segment_memberships
        where org_id = ${tenant.orgId} and segment_id = 'seg-order' and profile_id = 'p06'`;
      expect(written!.n).toBe(1);
      expect(reported).toEqual([]);
    });
    expect(await evaluation).toEqual({ realized: 2, existing: 1, exited: 0, profiles: 10 });
    expect(reported).toEqual(['p03', 'p06', 'p09', 'p10']);
  });
});
