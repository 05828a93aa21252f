/**
 * An evaluation that runs key ranges at once and is ended by a chunk (a cancel,
 * a lost lease) gives up only once the ranges still running are done: their
 * statements write memberships, and the caller releases the segment's lease
 * right after. PostgreSQL only: holding a range's statement back needs a second
 * connection with an uncommitted membership, which PGlite cannot have.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/createDb';
import type { Database } from '../../../src/db/database';
import { evaluateSegment } from '../../../src/segments/evaluation/evaluateSegment';
import { createPostgresDatabase } from '../../helpers/databases';
import { membershipsOf, seedFixture, T1, US_LOYAL } from './segmentFixture';

describe('an evaluation ended while a range still runs, on PostgreSQL', () => {
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

  it('waits for that range before it rejects', async () => {
    const tenant = { orgId: 'org-ranges-stop', sandboxName: 'prod' };
    await seedFixture(database, tenant);
    const earlier = new Date('2024-06-01T00:00:00Z');
    const stop = new Error('stop');
    const other = postgres(place.url, { max: 1, onnotice: () => {} });
    let settled = false;
    let evaluation: Promise<unknown> | undefined;
    try {
      await other.begin(async (tx) => {
        // p06 qualifies, in the second range (p03, p06]: its INSERT waits for this transaction.
        await tx`insert into segment_memberships (org_id, sandbox_name, profile_id, segment_id, segment_ns, status, qualification_time)
                 values (${tenant.orgId}, ${tenant.sandboxName}, 'p06', 'seg-stop', 'ups', 'REALIZED', ${earlier.toISOString()})`;
        evaluation = evaluateSegment(database.db, {
          tenant,
          segmentId: 'seg-stop',
          segmentNs: 'ups',
          expression: US_LOYAL,
          now: T1,
          chunkSize: 3,
          rangesAtOnce: 2,
          onChunk: () => {
            throw stop;
          },
        }).finally(() => {
          settled = true;
        });
        evaluation.catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 500));
        // The first range is reported and ends the walk; the second is still held back here.
        expect(settled).toBe(false);
      });
      await expect(evaluation).rejects.toBe(stop);
    } finally {
      await other.end();
    }
    // The second range ran to its end once the other writer committed (as an upsert, chunkWriteRace.test.ts).
    expect(await membershipsOf(database, tenant.orgId, 'seg-stop')).toEqual([
      `prod p01 seg-stop ups REALIZED ${T1.toISOString()}`,
      `prod p03 seg-stop ups REALIZED ${T1.toISOString()}`,
      `prod p06 seg-stop ups EXISTING ${earlier.toISOString()}`,
    ]);
  });
});
