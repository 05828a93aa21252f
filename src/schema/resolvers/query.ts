import { findBatch } from '../../batches/findBatch';
import { listDatasets } from '../../datasets/listDatasets';
import { listJobEvents } from '../../events/listJobEvents';
import { findExportJob } from '../../jobs/findExportJob';
import { listExportJobs } from '../../jobs/listExportJobs';
import { exportLimitsOf } from '../../limits/exportLimits';
import { couldBeStoredKey } from '../../profiles/storable';
import type { QueryResolvers } from '../resolvers.generated';
import { segmentDefinitionQueries } from './segmentDefinition';
import { webhookQueries } from './webhook';

export const Query: QueryResolvers = {
  exportJob: (_root, { id }, { database: { db }, tenant }) => findExportJob(db, tenant, id),
  exportJobs: (_root, args, { database: { db }, tenant }) => listExportJobs(db, tenant, args),
  dataset: (_root, { id }, { loaders }) => loaders.datasetById.load(id),
  datasets: (_root, args, { database: { db }, tenant }) => listDatasets(db, tenant, args),
  batch: (_root, { id }, { database: { db }, tenant }) => (couldBeStoredKey(id) ? findBatch(db, tenant, id) : null),
  exportLimits: (_root, _args, { database: { db }, tenant, limits }) => exportLimitsOf(db, tenant, limits),
  jobEvents: (_root, args, { database: { db }, tenant }) => listJobEvents(db, tenant, args),
  ...webhookQueries,
  ...segmentDefinitionQueries,
};

