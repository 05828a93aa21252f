/**
 * What a job exports (README, "What a job exports"): each filter rule on
 * hand-built profiles, with exactly the expected records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { exportedIds, ingest, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_FILTERS_${++tenants}@AdobeOrg` });

describe.each(storageTargets)('export filters on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 2, chunkSize: 2 });
  });
  afterAll(() => api?.close());

  /** Loads `profiles` into a new tenant, exports with `input`, returns the ids in its single batch. */
  async function exportOf(profiles: ProfileSpec[], input: Record<string, unknown>): Promise<string[]> {
    const headers = freshTenant();
    await ingest(api, profiles, headers);
    const { jobId } = await startExport(api, input, headers);
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    return exportedIds(api, job.destination.batchId);
  }

  const member = (profileId: string, status: string, extra: Partial<ProfileSpec> = {}, segmentId = 'seg'): ProfileSpec => ({
    profileId,
    segments: [{ segmentId, status }],
    ...extra,
  });

  it('exports every profile with a record when the filter names no segment', async () => {
    const ids = await exportOf(
      [{ profileId: 'a' }, { profileId: 'b' }, { profileId: 'c', hasProfileRecord: false }, member('d', 'EXITED')],
      {},
    );
    expect(ids).toEqual(['a', 'b', 'd']);
  });

  it('takes REALIZED and EXISTING members by default and leaves EXITED ones out', async () => {
    const ids = await exportOf(
      [member('r', 'REALIZED'), member('e', 'EXISTING'), member('x', 'EXITED'), { profileId: 'none' }],
      { filter: { segments: [{ segmentId: 'seg' }] } },
    );
    expect(ids).toEqual(['e', 'r']);
  });

  it('takes only the statuses the segment filter lists', async () => {
    const ids = await exportOf([member('r', 'REALIZED'), member('e', 'EXISTING'), member('x', 'EXITED')], {
      filter: { segments: [{ segmentId: 'seg', status: ['EXITED'] }] },
    });
    expect(ids).toEqual(['x']);
  });

  it('matches the segment namespace only when the filter gives one', async () => {
    const profiles: ProfileSpec[] = [
      { profileId: 'ups', segments: [{ segmentId: 'seg', segmentNs: 'ups', status: 'REALIZED' }] },
      { profileId: 'adcloud', segments: [{ segmentId: 'seg', segmentNs: 'AdCloud', status: 'REALIZED' }] },
    ];
    expect(await exportOf(profiles, { filter: { segments: [{ segmentId: 'seg', segmentNs: 'AdCloud' }] } })).toEqual([
      'adcloud',
    ]);
    expect(await exportOf(profiles, { filter: { segments: [{ segmentId: 'seg' }] } })).toEqual(['adcloud', 'ups']);
  });

  it('exports a profile once when it is a member in two namespaces and the filter names none, and counts it once', async () => {
    const headers = freshTenant();
    const inBoth = { segmentId: 'seg', status: 'REALIZED' };
    await ingest(
      api,
      [
        { profileId: 'both', segments: [{ ...inBoth, segmentNs: 'ups' }, { ...inBoth, segmentNs: 'AdCloud' }] },
        { profileId: 'one', segments: [{ ...inBoth, segmentNs: 'ups' }] },
      ],
      headers,
    );
    const { jobId } = await startExport(api, { filter: { segments: [{ segmentId: 'seg' }] } }, headers);
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    expect(await exportedIds(api, job.destination.batchId)).toEqual(['both', 'one']);
    expect(job.progress).toMatchObject({ processedProfiles: 2, totalProfiles: 2 });
  });

  it('keeps memberships qualified at startTime <= t < endTime', async () => {
    const at = (profileId: string, time: string) => member(profileId, 'REALIZED', {
      segments: [{ segmentId: 'seg', status: 'REALIZED', qualificationTime: time }],
    });
    const ids = await exportOf(
      [
        at('before', '2026-09-30T23:59:59.999Z'),
        at('at-start', '2026-10-01T00:00:00.000Z'),
        at('inside', '2026-10-15T00:00:00.000Z'),
        at('at-end', '2026-11-01T00:00:00.000Z'),
      ],
      {
        filter: {
          segments: [{ segmentId: 'seg' }],
          segmentQualificationTime: { startTime: '2026-10-01T00:00:00Z', endTime: '2026-11-01T00:00:00Z' },
        },
      },
    );
    expect(ids).toEqual(['at-start', 'inside']);
  });

  it('applies either bound of the qualification window alone', async () => {
    const at = (profileId: string, time: string) =>
      member(profileId, 'REALIZED', { segments: [{ segmentId: 'seg', status: 'REALIZED', qualificationTime: time }] });
    const profiles = [at('old', '2026-01-01T00:00:00Z'), at('new', '2026-10-01T00:00:00Z')];
    const window = (segmentQualificationTime: Record<string, string>) => ({
      filter: { segments: [{ segmentId: 'seg' }], segmentQualificationTime },
    });
    expect(await exportOf(profiles, window({ startTime: '2026-06-01T00:00:00Z' }))).toEqual(['new']);
    expect(await exportOf(profiles, window({ endTime: '2026-06-01T00:00:00Z' }))).toEqual(['old']);
  });

  it('takes only profiles updated strictly after fromIngestTimestamp', async () => {
    const ids = await exportOf(
      [
        { profileId: 'older', updatedAt: '2026-09-30T00:00:00Z' },
        { profileId: 'equal', updatedAt: '2026-10-01T00:00:00.000Z' },
        { profileId: 'newer', updatedAt: '2026-10-01T00:00:00.001Z' },
      ],
      { filter: { fromIngestTimestamp: '2026-10-01T00:00:00Z' } },
    );
    expect(ids).toEqual(['newer']);
  });

  it('leaves profiles without a profile record out unless emptyProfiles is true', async () => {
    const profiles = [member('full', 'REALIZED'), member('empty', 'REALIZED', { hasProfileRecord: false })];
    const filter = (emptyProfiles: boolean) => ({ filter: { segments: [{ segmentId: 'seg' }], emptyProfiles } });
    expect(await exportOf(profiles, filter(false))).toEqual(['full']);
    expect(await exportOf(profiles, filter(true))).toEqual(['empty', 'full']);
  });

  it('exports a profile of several listed segments once when segmentPerBatch is false', async () => {
    const ids = await exportOf(
      [
        { profileId: 'both', segments: [{ segmentId: 's1', status: 'REALIZED' }, { segmentId: 's2', status: 'EXISTING' }] },
        member('one', 'REALIZED', {}, 's1'),
        member('two', 'REALIZED', {}, 's2'),
        member('other', 'REALIZED', {}, 's3'),
      ],
      { filter: { segments: [{ segmentId: 's1' }, { segmentId: 's2' }] } },
    );
    expect(ids).toEqual(['both', 'one', 'two']);
  });

  it('combines every rule: segment, status, window, update time and record', async () => {
    const ids = await exportOf(
      [
        member('match', 'EXISTING', { updatedAt: '2026-10-10T00:00:00Z' }),
        member('stale', 'EXISTING', { updatedAt: '2026-01-01T00:00:00Z' }),
        member('exited', 'EXITED', { updatedAt: '2026-10-10T00:00:00Z' }),
        member('empty', 'EXISTING', { updatedAt: '2026-10-10T00:00:00Z', hasProfileRecord: false }),
      ],
      {
        filter: {
          segments: [{ segmentId: 'seg', segmentNs: 'ups', status: ['EXISTING'] }],
          segmentQualificationTime: { startTime: '2026-09-01T00:00:00Z' },
          fromIngestTimestamp: '2026-06-01T00:00:00Z',
        },
      },
    );
    expect(ids).toEqual(['match']);
  });
});
