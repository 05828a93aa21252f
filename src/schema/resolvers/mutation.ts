import { createDataset } from '../../datasets/createDataset';
import { cancelExportJob } from '../../jobs/cancelExportJob';
import { createExportJob } from '../../jobs/createExportJob';
import { upsertProfiles } from '../../profiles/upsertProfiles';
import { validateProfiles } from '../../profiles/validateProfiles';
import type { MutationResolvers } from '../resolvers.generated';

export const Mutation: MutationResolvers = {
  createDataset: (_root, { input }, { db, tenant }) => createDataset(db, tenant, input),
  createExportJob: async (_root, { input }, { db, tenant, requestId, bearerToken, nudgeRunner }) => {
    const job = await createExportJob(db, tenant, input, { requestId, bearerToken });
    nudgeRunner();
    return job;
  },
  cancelExportJob: (_root, { id }, { db, tenant }) => cancelExportJob(db, tenant, id),
  ingestProfiles: async (_root, { profiles }, { db, tenant }) => ({
    upserted: await upsertProfiles(db, tenant, validateProfiles(profiles)),
  }),
};
