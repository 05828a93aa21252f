import type { CodegenConfig } from '@graphql-codegen/cli';

/** `npm run codegen` regenerates; `npm run codegen:check` fails CI when the output is stale. */
const config: CodegenConfig = {
  schema: './schema.graphql',
  generates: {
    './src/schema/resolvers.generated.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        // Types `__resolveReference` on the entities (`@key`) of the subgraph.
        federation: true,
        enumsAsTypes: true,
        immutableTypes: false,
        contextType: '../context#Context',
        mappers: {
          ExportJob: '../db/schema#ExportJobRow',
          Dataset: '../db/schema#DatasetRow',
          ExportJobConnection: '../pagination/connection#Connection<ExportJobRow>',
          DatasetConnection: '../pagination/connection#Connection<DatasetRow>',
          Batch: '../db/schema#BatchRow',
          BatchFile: '../db/schema#BatchFileRow',
          BatchConnection: '../pagination/connection#Connection<BatchRow>',
          BatchRecordConnection: '../batches/batchRecordsLoader#BatchRecordPage',
          CancelExportJobPayload: '../jobs/cancelExportJob#CancelOutcome',
          ExportJobEvent: '../events/watchedJobEvent#WatchedJobEvent',
          ExportJobEventConnection: '../pagination/connection#Page<WatchedJobEvent>',
          Webhook: '../db/schema#WebhookRow',
          WebhookConnection: '../pagination/connection#Page<WebhookRow>',
          WebhookDelivery: '../db/schema#WebhookDeliveryRow',
          WebhookDeliveryConnection: '../pagination/connection#Page<WebhookDeliveryRow>',
          CreateWebhookPayload: '../webhooks/createWebhook#CreatedWebhook',
          SegmentDefinition: '../db/schema#SegmentDefinitionRow',
          SegmentJob: '../db/schema#SegmentJobRow',
          SegmentDefinitionConnection: '../pagination/connection#Connection<SegmentDefinitionRow>',
          SegmentPreview: '../segments/definitions/previewSegment#SegmentPreviewSource',
        },
        scalars: {
          DateTime: { input: 'Date', output: 'Date | string' },
          JSONObject: { input: 'Record<string, unknown>', output: 'Record<string, unknown>' },
          JSON: { input: 'unknown', output: 'unknown' },
          ID: { input: 'string', output: 'string' },
        },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: 'T | null',
        inputMaybeValue: 'T | null | undefined',
      },
    },
  },
};

export default config;
