import { createDataset } from '../../datasets/createDataset';
import { cancelExportJob } from '../../jobs/cancelExportJob';
import { createExportJob } from '../../jobs/createExportJob';
import { upsertProfiles } from '../../profiles/upsertProfiles';
import { validateProfiles } from '../../profiles/validateProfiles';
import { FaultPoint, reachFaultPoint } from '../../faultPoint';
import type { MutationResolvers } from '../resolvers.generated';
import { segmentDefinitionMutations } from './segmentDefinition';
import { webhookMutations } from './webhook';

export const Mutation: MutationResolvers = {
  createDataset: (_root, { input }, { database: { db }, tenant }) => createDataset(db, tenant, input),
  // Their events are written by the changes themselves (the outbox trigger, migration 0012).
  createExportJob: async (_root, { input }, { database: { db }, tenant, requestId, bearerToken, subject, limits }) => {
    const { job } = await createExportJob(db, tenant, input, { requestId, bearerToken, subject }, limits);
    reachFaultPoint(FaultPoint.AFTER_JOB_CREATED);
    return job;
  },
  cancelExportJob: (_root, { id }, { database: { db }, tenant, subject }) => cancelExportJob(db, tenant, id, subject),
  ingestProfiles: async (_root, { profiles }, { database, tenant, storeStatistics }) => {
    const upserted = await upsertProfiles(database, tenant, validateProfiles(profiles));
    storeStatistics.upserted(upserted);
    return { upserted };
  },
  ...webhookMutations,
  ...segmentDefinitionMutations,
};
