/**
 * What is POSTed for one stored event: the JSON body and the Standard Webhooks
 * headers that sign it. `webhook-id` is the event's, the same on every retry,
 * so a receiver can drop what it has already handled.
 */
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { ExportJobEventRow } from '../db/schema';
import { progressOfEvent } from '../jobs/progress';
import { keyCursorEncoder } from '../pagination/cursor';
import type { Tenant } from '../tenant';

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** Signs the events of one endpoint: built once per claim, so the secret is decoded once. */
export interface EventSigner {
  sign(event: ExportJobEventRow, now?: Date): SignedRequest;
}

export const USER_AGENT = 'export-jobs-gateway-webhooks/1';

export function eventSigner(tenant: Tenant, secret: string): EventSigner {
  const signer = new StandardWebhook(secret);
  const eventIdOf = keyCursorEncoder('event', tenant);
  return {
    sign(event, now = new Date()) {
      const body = JSON.stringify(webhookBody(event, eventIdOf(String(event.id))));
      const id = webhookIdOf(event);
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signer.sign(id, now, body),
        },
      };
    },
  };
}

/** The `webhook-id` of an event: stable across retries and endpoints. */
export function webhookIdOf(event: Pick<ExportJobEventRow, 'id'>): string {
  return `evt_${event.id}`;
}

/** The body: the event as `ExportJobEvent` shows it, and the job as the event left it. */
function webhookBody(event: ExportJobEventRow, opaqueId: string): Record<string, unknown> {
  const occurredAt = event.occurredAt.toISOString();
  return {
    type: `export_job.${event.type.toLowerCase()}`,
    timestamp: occurredAt,
    data: {
      event: {
        id: opaqueId,
        type: event.type,
        sequence: event.sequence,
        status: event.status,
        previousStatus: event.previousStatus,
        progress: progressOfEvent(event),
        occurredAt,
      },
      job: event.job,
    },
  };
}
