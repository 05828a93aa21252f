/** The segment part of the API: definitions (queries, mutations, the entity), the preview and segment jobs. */
import { createSegmentDefinition } from '../../segments/definitions/createSegmentDefinition';
import { deleteSegmentDefinition } from '../../segments/definitions/deleteSegmentDefinition';
import { findSegmentDefinition } from '../../segments/definitions/findSegmentDefinition';
import { listSegmentDefinitions } from '../../segments/definitions/listSegmentDefinitions';
import { previewSegment } from '../../segments/definitions/previewSegment';
import { updateSegmentDefinition } from '../../segments/definitions/updateSegmentDefinition';
import { evaluateSegments } from '../../segments/jobs/evaluateSegments';
import { findSegmentJob } from '../../segments/jobs/findSegmentJob';
import type {
  MutationResolvers,
  QueryResolvers,
  SegmentDefinitionConnectionResolvers,
  SegmentDefinitionResolvers,
  SegmentPreviewResolvers,
} from '../resolvers.generated';

export const segmentDefinitionQueries: Pick<
  QueryResolvers,
  'segmentDefinition' | 'segmentDefinitions' | 'previewSegment' | 'segmentJob'
> = {
  segmentDefinition: (_root, { id }, { database: { db }, tenant }) => findSegmentDefinition(db, tenant, id),
  segmentDefinitions: (_root, args, { database: { db }, tenant }) => listSegmentDefinitions(db, tenant, args),
  previewSegment: (_root, { expression }, { database: { db }, tenant, limits, abandoned, previews }) =>
    previewSegment(db, tenant, expression, { limitSeconds: limits.previewSeconds, abandoned, slots: previews }),
  segmentJob: (_root, { id }, { database: { db }, tenant }) => findSegmentJob(db, tenant, id),
};

export const segmentDefinitionMutations: Pick<
  MutationResolvers,
  'createSegmentDefinition' | 'updateSegmentDefinition' | 'deleteSegmentDefinition' | 'evaluateSegments'
> = {
  createSegmentDefinition: (_root, { input }, { database: { db }, tenant }) => createSegmentDefinition(db, tenant, input),
  updateSegmentDefinition: (_root, { id, input }, { database: { db }, tenant }) => updateSegmentDefinition(db, tenant, id, input),
  deleteSegmentDefinition: async (_root, { id }, { database: { db }, tenant }) => ({
    deletedSegmentDefinitionId: await deleteSegmentDefinition(db, tenant, id),
  }),
  evaluateSegments: (_root, { segmentIds }, { database: { db }, tenant, subject, limits }) =>
    evaluateSegments(db, tenant, segmentIds, { subject }, limits),
};

export const SegmentDefinition: SegmentDefinitionResolvers = {
  // A supergraph's reference `{ __typename: "SegmentDefinition", id }`: batched, tenant-scoped, null when absent.
  __resolveReference: (reference, { loaders }) => loaders.segmentDefinitionById.load(reference.id),
  expression: (definition) => ({
    type: definition.expressionType,
    format: definition.expressionFormat,
    value: definition.expressionValue,
  }),
  lastEvaluation: (definition, _args, { loaders }) => loaders.lastEvaluationOf.load(definition.id),
};

export const SegmentDefinitionConnection: SegmentDefinitionConnectionResolvers = {
  totalCount: (connection) => connection.countTotal(),
};

export const SegmentPreview: SegmentPreviewResolvers = {
  matchingProfiles: async (preview) => (await preview.counts()).matchingProfiles,
  totalProfiles: async (preview) => (await preview.counts()).totalProfiles,
  sample: (preview, { first }) => preview.sample(first),
};
