/** How export jobs meet segment definitions: the merge policy they take, and the deletions they hold back. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobs } from '../../../src/db/schema';
import { CREATE_EXPORT_JOB } from '../../fixtures/operations';
import { storageTargets } from '../../helpers/databases';
import { createDataset, jobInput } from '../../helpers/seedApi';
import { startTestServer, type TestServer } from '../../helpers/testServer';
import { createDefinition, DELETE_SEGMENT_DEFINITION, freshTenant, GET_SEGMENT_DEFINITION, UPDATE_SEGMENT_DEFINITION } from './segmentDefinitionApi';

const CANCEL = /* GraphQL */ `
  mutation Cancel($id: ID!) { cancelExportJob(id: $id) { status job { status } } }
`;

describe.each(storageTargets)('segment definitions in export jobs on $name', (target) => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer(target);
  });
  afterAll(() => api?.close());

  /** Creates a job of `headers` over `segments` (and `more` input); returns the whole answer. */
  const createJob = async (headers: Record<string, string>, segments: unknown[], more: Record<string, unknown> = {}) => {
    const datasetId = await createDataset(api, headers);
    return api.graphql(CREATE_EXPORT_JOB, { input: jobInput(datasetId, { filter: { segments }, ...more }) }, headers);
  };

  describe('merge policy', () => {
    it("takes the merge policy of the first segment's definition when the job gives none", async () => {
      const headers = freshTenant('MP');
      const definition = await createDefinition(api, headers, { mergePolicyId: 'custom-mp' });
      const response = await createJob(headers, [{ segmentId: definition.id }]);
      expect(response.errors).toBeUndefined();
      expect(response.data!.createExportJob.mergePolicy).toEqual({ id: 'custom-mp', version: 1 });

      // With the definition's namespace named, the same.
      const named = await createJob(headers, [{ segmentId: definition.id, segmentNs: 'ups' }, { segmentId: 'adhoc' }]);
      expect(named.data!.createExportJob.mergePolicy).toEqual({ id: 'custom-mp', version: 1 });
    });

    it('keeps the merge policy the job gives, whatever its segments are defined with', async () => {
      const headers = freshTenant('MP');
      const a = await createDefinition(api, headers, { mergePolicyId: 'policy-a' });
      const b = await createDefinition(api, headers, { mergePolicyId: 'policy-b' });
      const response = await createJob(headers, [{ segmentId: a.id }, { segmentId: b.id }], {
        mergePolicy: { id: 'chosen-mp', version: 2 },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.createExportJob.mergePolicy).toEqual({ id: 'chosen-mp', version: 2 });
    });

    it('refuses segments defined with different merge policies when the job gives none, writing nothing', async () => {
      const headers = freshTenant('MP');
      const a = await createDefinition(api, headers, { mergePolicyId: 'policy-a' });
      const b = await createDefinition(api, headers, { mergePolicyId: 'policy-b' });
      const response = await createJob(headers, [{ segmentId: a.id }, { segmentId: 'adhoc' }, { segmentId: b.id }]);
      expect(response.data).toBeNull();
      expect(response.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'mergePolicy' });
      expect(response.errors?.[0]?.message).toMatch(/include `mergePolicy` when exporting several segments/);
      const jobs = await api.graphql('{ exportJobs { totalCount } }', {}, headers);
      expect(jobs.data!.exportJobs.totalCount).toBe(0);
    });

    it('accepts several segments whose definitions share one merge policy', async () => {
      const headers = freshTenant('MP');
      const a = await createDefinition(api, headers, { mergePolicyId: 'shared-mp' });
      const b = await createDefinition(api, headers, { mergePolicyId: 'shared-mp' });
      const response = await createJob(headers, [{ segmentId: a.id }, { segmentId: b.id }]);
      expect(response.data!.createExportJob.mergePolicy).toEqual({ id: 'shared-mp', version: 1 });
    });

    it('keeps the default for segments without a definition, as before definitions existed', async () => {
      const headers = freshTenant('MP');
      const definition = await createDefinition(api, headers, { mergePolicyId: 'custom-mp' });
      const cases: unknown[][] = [
        [{ segmentId: 'adhoc-1' }, { segmentId: 'adhoc-2' }],
        // The first segment has no definition: the job keeps the default.
        [{ segmentId: 'adhoc-1' }, { segmentId: definition.id }],
        // Another namespace names another segment than the definition's.
        [{ segmentId: definition.id, segmentNs: 'other' }],
      ];
      for (const segments of cases) {
        const response = await createJob(headers, segments);
        expect(response.errors, JSON.stringify(segments)).toBeUndefined();
        expect(response.data!.createExportJob.mergePolicy).toEqual({ id: 'timestampOrdered-none-mp', version: 1 });
      }
      const everyone = await createJob(headers, [], { filter: null });
      expect(everyone.data!.createExportJob.mergePolicy).toEqual({ id: 'timestampOrdered-none-mp', version: 1 });
    });

    it("never takes another tenant's definition", async () => {
      const owner = freshTenant('MP');
      const definition = await createDefinition(api, owner, { mergePolicyId: 'owner-mp' });
      const response = await createJob(freshTenant('MP'), [{ segmentId: definition.id }]);
      expect(response.data!.createExportJob.mergePolicy).toEqual({ id: 'timestampOrdered-none-mp', version: 1 });
    });
  });

  describe('deletion', () => {
    it('refuses to delete a definition a NEW job names, and deletes it once the job is cancelled', async () => {
      const headers = freshTenant('DEL');
      const definition = await createDefinition(api, headers);
      const job = await createJob(headers, [{ segmentId: 'adhoc' }, { segmentId: definition.id, segmentNs: 'ups' }]);
      const jobId = job.data!.createExportJob.id as string;

      const refused = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: definition.id }, headers);
      expect(refused.data).toBeNull();
      expect(refused.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT' });
      expect(refused.errors?.[0]?.message).toContain('NEW or PROCESSING');
      const kept = await api.graphql(GET_SEGMENT_DEFINITION, { id: definition.id }, headers);
      expect(kept.data!.segmentDefinition.id).toBe(definition.id);

      const cancelled = await api.graphql(CANCEL, { id: jobId }, headers);
      expect(cancelled.data!.cancelExportJob.job.status).toBe('CANCELLED');
      const deleted = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: definition.id }, headers);
      expect(deleted.errors).toBeUndefined();
      expect(deleted.data!.deleteSegmentDefinition.deletedSegmentDefinitionId).toBe(definition.id);
    });

    it('refuses a new expression while a NEW job is to evaluate it, lets its name change, and takes the expression once the job is cancelled', async () => {
      const headers = freshTenant('UPD');
      const definition = await createDefinition(api, headers);
      // An export that only reads memberships does not stand in the way.
      await createJob(headers, [{ segmentId: definition.id }]);
      const job = await createJob(headers, [{ segmentId: definition.id }], { evaluationInfo: { segmentation: true } });
      expect(job.errors).toBeUndefined();
      const changeExpression = { id: definition.id, input: { expression: { value: 'person.age > 30' } } };

      const refused = await api.graphql(UPDATE_SEGMENT_DEFINITION, changeExpression, headers);
      expect(refused.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT' });
      expect(refused.errors?.[0]?.message).toContain('NEW or PROCESSING');
      const kept = await api.graphql(GET_SEGMENT_DEFINITION, { id: definition.id }, headers);
      expect(kept.data!.segmentDefinition.expression.value).toBe(definition.expression.value);
      // A form that sends every field, its expression unchanged, renames it.
      const renamed = await api.graphql(
        UPDATE_SEGMENT_DEFINITION,
        { id: definition.id, input: { name: 'Renamed', expression: { value: definition.expression.value } } },
        headers,
      );
      expect(renamed.errors).toBeUndefined();
      expect(renamed.data!.updateSegmentDefinition.name).toBe('Renamed');

      expect((await api.graphql(CANCEL, { id: job.data!.createExportJob.id }, headers)).errors).toBeUndefined();
      const changed = await api.graphql(UPDATE_SEGMENT_DEFINITION, changeExpression, headers);
      expect(changed.errors).toBeUndefined();
      expect(changed.data!.updateSegmentDefinition.expression.value).toBe('person.age > 30');
      // Another tenant's id is NOT_FOUND still, not CONFLICT.
      const foreign = await api.graphql(UPDATE_SEGMENT_DEFINITION, changeExpression, freshTenant('UPD'));
      expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('refuses while a PROCESSING job names it, without a namespace too', async () => {
      const headers = freshTenant('DEL');
      const definition = await createDefinition(api, headers);
      const job = await createJob(headers, [{ segmentId: definition.id }]);
      // No runner here: the job is moved on by hand, as a runner's claim would.
      await api.database.db
        .update(exportJobs)
        .set({ status: 'PROCESSING' })
        .where(eq(exportJobs.id, Number(job.data!.createExportJob.id)));
      const refused = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: definition.id }, headers);
      expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    });

    it('deletes a definition that only jobs of other namespaces, other tenants or without segments name', async () => {
      const headers = freshTenant('DEL');
      const definition = await createDefinition(api, headers);
      await createJob(headers, [{ segmentId: definition.id, segmentNs: 'other' }]);
      await createJob(headers, [], { filter: null });
      await createJob(freshTenant('DEL'), [{ segmentId: definition.id }]);
      const deleted = await api.graphql(DELETE_SEGMENT_DEFINITION, { id: definition.id }, headers);
      expect(deleted.errors).toBeUndefined();
    });
  });
});
