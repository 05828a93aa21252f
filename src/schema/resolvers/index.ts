import { JSONObjectResolver, JSONResolver } from 'graphql-scalars';
import type { Resolvers } from '../resolvers.generated';
import { StorableDateTime } from '../storableDateTime';
import { Batch } from './batch';
import { BatchFile } from './batchFile';
import { BatchConnection, BatchRecordConnection, DatasetConnection, ExportJobConnection } from './connections';
import { Dataset } from './dataset';
import { ExportJob } from './exportJob';
import { ExportJobEvent } from './exportJobEvent';
import { Mutation } from './mutation';
import { Query } from './query';
import { SegmentDefinition, SegmentDefinitionConnection, SegmentPreview } from './segmentDefinition';
import { Subscription } from './subscription';
import { Webhook, WebhookDelivery } from './webhook';

export const resolvers: Resolvers = {
  DateTime: StorableDateTime,
  JSONObject: JSONObjectResolver,
  JSON: JSONResolver,
  Query,
  Mutation,
  Subscription,
  ExportJob,
  ExportJobEvent,
  Webhook,
  WebhookDelivery,
  Dataset,
  ExportJobConnection,
  DatasetConnection,
  Batch,
  BatchFile,
  BatchConnection,
  BatchRecordConnection,
  SegmentDefinition,
  SegmentDefinitionConnection,
  SegmentPreview,
};
