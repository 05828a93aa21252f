import { randomBytes } from 'node:crypto';

/** A new signing secret: 24 random bytes in the Standard Webhooks form, `whsec_<base64>`, as `standardwebhooks` reads it. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
