/**
 * The evaluation rules, on both databases, against memberships worked out by
 * hand (segmentFixture.ts says who qualifies at T1): entering REALIZED at the
 * evaluation time, staying EXISTING with the first time, leaving EXITED at the
 * evaluation time, coming back REALIZED; nothing else touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database';
import { evaluateSegment } from '../../../src/segments/evaluation/evaluateSegment';
import { PqlSyntaxError } from '../../../src/segments/pql/pqlErrors';
import type { Tenant } from '../../../src/tenant';
import { storageTargets } from '../../helpers/databases';
import { addEvent, BUYERS, JO, membershipsOf, seedFixture, setAttribute, T1, T2, T3, UNTOUCHED_LINES, US_LOYAL } from './segmentFixture';

const member = (profileId: string, segmentId: string, status: string, time: Date) =>
  `prod ${profileId} ${segmentId} ups ${status} ${time.toISOString()}`;

describe.each(storageTargets)('evaluateSegment on $name', (target) => {
  let database: Database;
  let tenants = 0;
  /** A tenant of its own for each test, with the fixture in it. */
  const freshTenant = async (): Promise<Tenant> => {
    const tenant = { orgId: `org-eval-${target.name}-${++tenants}`, sandboxName: 'prod' };
    await seedFixture(database, tenant);
    return tenant;
  };
  const evaluate = (tenant: Tenant, segmentId: string, expression: string, now: Date) =>
    evaluateSegment(database.db, { tenant, segmentId, segmentNs: 'ups', expression, now, chunkSize: 4 });

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  it('realizes every qualifying profile at the evaluation time on the first evaluation', async () => {
    const tenant = await freshTenant();
    expect(await evaluate(tenant, 'seg-us-loyal', US_LOYAL, T1)).toEqual({ realized: 3, existing: 0, exited: 0, profiles: 10 });
    expect(await evaluate(tenant, 'seg-jo', JO, T1)).toEqual({ realized: 5, existing: 0, exited: 0, profiles: 10 });
    expect(await evaluate(tenant, 'seg-buyers', BUYERS, T1)).toEqual({ realized: 2, existing: 0, exited: 0, profiles: 10 });
    expect(await membershipsOf(database, tenant.orgId)).toEqual(
      [
        ...['p01', 'p03', 'p06'].map((id) => member(id, 'seg-us-loyal', 'REALIZED', T1)),
        ...['p01', 'p02', 'p06', 'p08', 'p10'].map((id) => member(id, 'seg-jo', 'REALIZED', T1)),
        ...['p05', 'p06'].map((id) => member(id, 'seg-buyers', 'REALIZED', T1)),
        ...UNTOUCHED_LINES,
      ].sort(),
    );
  });

  it('keeps the first qualification time of those who stay, exits those who leave and realizes newcomers at the new time', async () => {
    const tenant = await freshTenant();
    await evaluate(tenant, 'seg-us-loyal', US_LOYAL, T1);
    await setAttribute(database, tenant, 'p03', ['loyalty', 'points'], 400);
    await setAttribute(database, tenant, 'p06', ['homeAddress', 'countryCode'], 'DE');
    await setAttribute(database, tenant, 'p08', ['loyalty', 'points'], 800);

    expect(await evaluate(tenant, 'seg-us-loyal', US_LOYAL, T2)).toEqual({ realized: 1, existing: 1, exited: 2, profiles: 10 });
    expect(await membershipsOf(database, tenant.orgId, 'seg-us-loyal')).toEqual([
      'other p02 seg-us-loyal ups REALIZED 2024-01-04T00:00:00.000Z',
      member('p01', 'seg-us-loyal', 'EXISTING', T1),
      member('p03', 'seg-us-loyal', 'EXITED', T2),
      member('p06', 'seg-us-loyal', 'EXITED', T2),
      member('p08', 'seg-us-loyal', 'REALIZED', T2),
    ]);
  });

  it('realizes an exited profile again when it qualifies again, and leaves an exited one that still does not', async () => {
    const tenant = await freshTenant();
    await evaluate(tenant, 'seg-us-loyal', US_LOYAL, T1);
    await setAttribute(database, tenant, 'p03', ['loyalty', 'points'], 400);
    await setAttribute(database, tenant, 'p06', ['homeAddress', 'countryCode'], 'DE');
    await setAttribute(database, tenant, 'p08', ['loyalty', 'points'], 800);
    await evaluate(tenant, 'seg-us-loyal', US_LOYAL, T2);
    await setAttribute(database, tenant, 'p03', ['loyalty', 'points'], 900);

    // p06 left at T2 and is still out: no change, so not counted as exited at T3.
    expect(await evaluate(tenant, 'seg-us-loyal', US_LOYAL, T3)).toEqual({ realized: 1, existing: 2, exited: 0, profiles: 10 });
    expect(await membershipsOf(database, tenant.orgId, 'seg-us-loyal')).toEqual([
      'other p02 seg-us-loyal ups REALIZED 2024-01-04T00:00:00.000Z',
      member('p01', 'seg-us-loyal', 'EXISTING', T1),
      member('p03', 'seg-us-loyal', 'REALIZED', T3),
      member('p06', 'seg-us-loyal', 'EXITED', T2),
      member('p08', 'seg-us-loyal', 'EXISTING', T2),
    ]);
  });

  it('moves event-based memberships as the window slides past old events and new ones arrive', async () => {
    const tenant = await freshTenant();
    await evaluate(tenant, 'seg-buyers', BUYERS, T1);
    // T2's window is (2024-06-15T12:00Z, 2024-06-22T12:00Z]: p05's purchases fall out of it.
    await addEvent(database, tenant, 'p06', 'commerce.purchases', '2024-06-21T12:00:00Z');
    await addEvent(database, tenant, 'p06', 'commerce.purchases', '2024-06-20T12:00:00Z');
    await addEvent(database, tenant, 'p07', 'commerce.purchases', '2024-06-22T10:00:00Z');
    await addEvent(database, tenant, 'p07', 'commerce.purchases', '2024-06-18T12:00:00Z');

    expect(await evaluate(tenant, 'seg-buyers', BUYERS, T2)).toEqual({ realized: 1, existing: 1, exited: 1, profiles: 10 });
    expect(await membershipsOf(database, tenant.orgId, 'seg-buyers')).toEqual([
      'other p07 seg-buyers ups REALIZED 2024-01-06T00:00:00.000Z',
      member('p05', 'seg-buyers', 'EXITED', T2),
      member('p06', 'seg-buyers', 'EXISTING', T1),
      member('p07', 'seg-buyers', 'REALIZED', T2),
    ]);
  });

  it("never touches other segments' memberships, nor the same segment's in another sandbox or another org", async () => {
    const tenant = await freshTenant();
    const otherOrg = await freshTenant();
    // Every profile leaves or never enters: the other sandbox's p02 stays REALIZED all the same.
    await evaluate(tenant, 'seg-us-loyal', US_LOYAL, T1);
    await evaluate(tenant, 'seg-us-loyal', 'loyalty.points > 100000', T2);
    const others = (lines: string[]) => lines.filter((line) => !line.startsWith('prod') || !line.includes(' seg-us-loyal '));
    expect(others(await membershipsOf(database, tenant.orgId))).toEqual(UNTOUCHED_LINES);
    expect(await membershipsOf(database, otherOrg.orgId)).toEqual(UNTOUCHED_LINES);
    expect(await membershipsOf(database, tenant.orgId, 'seg-us-loyal')).toEqual([
      'other p02 seg-us-loyal ups REALIZED 2024-01-04T00:00:00.000Z',
      ...['p01', 'p03', 'p06'].map((id) => member(id, 'seg-us-loyal', 'EXITED', T2)),
    ]);
  });

  it('writes memberships in the namespace it is given, apart from the ups ones', async () => {
    const tenant = await freshTenant();
    await evaluateSegment(database.db, { tenant, segmentId: 'seg-jo', segmentNs: 'aam', expression: JO, now: T1 });
    await evaluate(tenant, 'seg-jo', 'loyalty.points > 100000', T1);
    expect((await membershipsOf(database, tenant.orgId, 'seg-jo')).filter((line) => line.startsWith('prod'))).toEqual(
      ['p01', 'p02', 'p06', 'p08', 'p10'].map((id) => `prod ${id} seg-jo aam REALIZED ${T1.toISOString()}`),
    );
  });

  it('refuses an invalid expression before writing anything', async () => {
    const tenant = await freshTenant();
    await expect(evaluate(tenant, 'seg-us-loyal', 'loyalty.points >', T1)).rejects.toBeInstanceOf(PqlSyntaxError);
    expect(await membershipsOf(database, tenant.orgId)).toEqual(UNTOUCHED_LINES);
  });

  it('evaluates a tenant without profiles to nothing', async () => {
    const tenant = { orgId: 'org-eval-empty', sandboxName: 'prod' };
    expect(await evaluate(tenant, 'seg-jo', JO, T1)).toEqual({ realized: 0, existing: 0, exited: 0, profiles: 0 });
  });
});
