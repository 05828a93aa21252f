/** The records, batches and metrics an export writes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { batchRow, exportedIds, ingest, recordsOf, startExport, waitForJob, type ProfileSpec } from '../helpers/exportFlow';
import { startTestServer, type TestServer } from '../helpers/testServer';

let tenants = 0;
const freshTenant = () => ({ 'x-gw-ims-org-id': `ORG_RECORDS_${++tenants}@AdobeOrg` });

const ALICE: ProfileSpec = {
  profileId: 'alice',
  identities: [
    { namespace: 'email', id: 'alice@example.com' },
    { namespace: 'ecid', id: '111' },
    { namespace: 'email', id: 'alice@work.example' },
  ],
  attributes: {
    personalEmail: { address: 'alice@example.com', status: 'active' },
    person: { name: { firstName: 'Alice', lastName: 'Liddell' } },
    orders: [{ sku: 'A1', qty: 2 }, { note: 'gift' }],
  },
  segments: [
    { segmentId: 's1', status: 'REALIZED' },
    { segmentId: 's2', status: 'EXISTING' },
  ],
  events: [
    { ingestTime: '2026-10-01T00:00:00.000Z', data: { type: 'view', page: { name: 'home', url: '/' } } },
    { ingestTime: '2026-10-02T00:00:00.000Z', data: { type: 'click', page: { name: 'cart', url: '/cart' } } },
    { ingestTime: '2026-10-03T00:00:00.000Z', data: { type: 'view', page: { name: 'checkout', url: '/co' } } },
  ],
};
const BOB: ProfileSpec = {
  profileId: 'bob',
  identities: [{ namespace: 'crmId', id: 'C-9' }],
  attributes: { person: { name: { firstName: 'Bob' } } },
  segments: [{ segmentId: 's1', status: 'EXISTING' }],
};

describe.each(storageTargets)('export records on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target, { concurrency: 2, chunkSize: 1 });
  });
  afterAll(() => api?.close());

  async function run(input: Record<string, unknown>, profiles = [ALICE, BOB]) {
    const headers = freshTenant();
    await ingest(api, profiles, headers);
    const { jobId, datasetId } = await startExport(api, input, headers);
    const job = await waitForJob(api, jobId, undefined, headers);
    expect(job.status).toBe('SUCCEEDED');
    return { job, datasetId };
  }

  it('projects fields, every element of an array path, and always keeps profileId', async () => {
    const { job } = await run({
      fields: 'identities.id,personalEmail.address,orders.sku,person.middleName',
      filter: { segments: [{ segmentId: 's1' }] },
    });
    expect(await recordsOf(api, job.destination.batchId)).toEqual([
      {
        profileId: 'alice',
        identities: [{ id: 'alice@example.com' }, { id: '111' }, { id: 'alice@work.example' }],
        personalEmail: { address: 'alice@example.com' },
        orders: [{ sku: 'A1' }, {}],
      },
      { profileId: 'bob', identities: [{ id: 'C-9' }] },
    ]);
  });

  it('exports the whole document when fields is omitted', async () => {
    const { job } = await run({ filter: { segments: [{ segmentId: 's2' }] } });
    expect(await recordsOf(api, job.destination.batchId)).toEqual([
      { profileId: 'alice', identities: ALICE.identities, ...ALICE.attributes },
    ]);
  });

  it('adds the projected events that pass the ingest-time filter, [] when none does', async () => {
    const { job } = await run({
      fields: 'person.name.firstName',
      additionalFields: {
        eventList: {
          fields: 'page.name',
          filter: { fromIngestTimestamp: '2026-10-01T00:00:00.000Z', toIngestTimestamp: '2026-10-03T00:00:00.000Z' },
        },
      },
    });
    expect(await recordsOf(api, job.destination.batchId)).toEqual([
      { profileId: 'alice', person: { name: { firstName: 'Alice' } }, eventList: [{ page: { name: 'cart' } }] },
      { profileId: 'bob', person: { name: { firstName: 'Bob' } }, eventList: [] },
    ]);
  });

  it('keeps whole events, oldest first, when the event list names no fields or filter', async () => {
    const { job } = await run({ fields: 'person.name.lastName', additionalFields: { eventList: {} } }, [ALICE]);
    const [record] = await recordsOf(api, job.destination.batchId);
    expect(record!.eventList).toEqual(ALICE.events!.map((event) => event.data));
  });

  it('writes one batch when segmentPerBatch is false, holding each profile once', async () => {
    const { job, datasetId } = await run({ filter: { segments: [{ segmentId: 's1' }, { segmentId: 's2' }] } });
    expect(job.destination).toMatchObject({ segmentPerBatch: false, batches: null });
    expect(job.destination.batchId).toMatch(/^[0-9a-f]{32}$/);
    expect(await exportedIds(api, job.destination.batchId)).toEqual(['alice', 'bob']);
    expect(await batchRow(api, job.destination.batchId)).toMatchObject({
      datasetId,
      jobId: Number(job.id),
      segmentId: null,
      status: 'SUCCESS',
      recordCount: 2,
    });
    expect(job.metrics.totalExportedProfileCounter).toBe(2);
  });

  it('writes one batch per segment when segmentPerBatch is true, a profile in each of its segments', async () => {
    const { job } = await run({
      filter: { segments: [{ segmentId: 's1', segmentNs: 'ups' }, { segmentId: 's2', status: ['EXISTING'] }] },
      destination: { segmentPerBatch: true },
    });
    expect(job.destination.batchId).toBeNull();
    const [first, second] = job.destination.batches;
    expect(first).toMatchObject({ segmentId: 's1', segmentNs: 'ups', status: ['REALIZED', 'EXISTING'] });
    expect(second).toMatchObject({ segmentId: 's2', segmentNs: null, status: ['EXISTING'] });
    expect(await exportedIds(api, first.batchId)).toEqual(['alice', 'bob']);
    expect(await exportedIds(api, second.batchId)).toEqual(['alice']);
    expect(await batchRow(api, second.batchId)).toMatchObject({ segmentId: 's2', recordCount: 1, status: 'SUCCESS' });
    expect(job.metrics.totalExportedProfileCounter).toBe(3);
    // Per record: alice's two records count her email (once, though she has two) and ecid twice.
    expect(
      [...job.metrics.exportedProfileByNamespaceCounter].sort((a: any, b: any) => a.namespace.localeCompare(b.namespace)),
    ).toEqual([
      { namespace: 'crmId', count: 1 },
      { namespace: 'ecid', count: 2 },
      { namespace: 'email', count: 2 },
    ]);
  });

  it('fills metrics: times, record count, each namespace once per exported record', async () => {
    const { job } = await run({ filter: { segments: [{ segmentId: 's1' }] } });
    const { metrics } = job;
    expect(metrics.totalExportedProfileCounter).toBe(2);
    expect(
      [...metrics.exportedProfileByNamespaceCounter].sort((a: any, b: any) => a.namespace.localeCompare(b.namespace)),
    ).toEqual([
      { namespace: 'crmId', count: 1 },
      { namespace: 'ecid', count: 1 },
      { namespace: 'email', count: 1 },
    ]);
    for (const span of [metrics.totalTime, metrics.profileExportTime, metrics.datasetWriteTime]) {
      expect(Date.parse(span.endTime)).toBeGreaterThanOrEqual(Date.parse(span.startTime));
      expect(span.totalTimeInMs).toBe(Date.parse(span.endTime) - Date.parse(span.startTime));
    }
    expect(job.progress).toEqual({ processedProfiles: 2, totalProfiles: 2, percent: 100 });
    expect(job.computeGatewayJobId.exportJob).toEqual(expect.any(String));
    expect(job.computeGatewayJobId.pushJob).toEqual(expect.any(String));
  });

  it('succeeds with an empty batch when nothing matches', async () => {
    const { job } = await run({ filter: { segments: [{ segmentId: 'nobody' }] } });
    expect(job.progress).toEqual({ processedProfiles: 0, totalProfiles: 0, percent: 100 });
    expect(await batchRow(api, job.destination.batchId)).toMatchObject({ status: 'SUCCESS', recordCount: 0 });
  });
});
