import { createDataset } from '../../datasets/createDataset';
import { jobEventOf } from '../../events/jobEvent';
import { cancelExportJob } from '../../jobs/cancelExportJob';
import { createExportJob } from '../../jobs/createExportJob';
import { upsertProfiles } from '../../profiles/upsertProfiles';
import { validateProfiles } from '../../profiles/validateProfiles';
import type { MutationResolvers } from '../resolvers.generated';

export const Mutation: MutationResolvers = {
  createDataset: (_root, { input }, { db, tenant }) => createDataset(db, tenant, input),
  createExportJob: async (_root, { input }, { db, tenant, requestId, bearerToken, subject, limits, bus }) => {
    const { job, created } = await createExportJob(db, tenant, input, { requestId, bearerToken, subject }, limits);
    if (created) bus.publish(jobEventOf(job, 'CREATED', null));
    return job;
  },
  cancelExportJob: async (_root, { id }, { db, tenant, subject, bus }) => {
    const outcome = await cancelExportJob(db, tenant, id, subject);
    if (outcome.changedFrom) bus.publish(jobEventOf(outcome.job, 'STATUS_CHANGED', outcome.changedFrom));
    return outcome;
  },
  ingestProfiles: async (_root, { profiles }, { database, tenant }) => ({
    upserted: await upsertProfiles(database, tenant, validateProfiles(profiles)),
  }),
};
