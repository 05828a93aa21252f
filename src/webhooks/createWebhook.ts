import type { WebhookRow } from '../db/schema';

/** What `createWebhook` and `rotateWebhookSecret` answer: the secret is shown only here. */
export interface CreatedWebhook {
  webhook: WebhookRow;
  secret: string;
}
