import { randomBytes } from 'node:crypto';

/** A new webhook id: 24 hex digits, the shape of the platform's ids (as datasets have). */
export function newWebhookId(): string {
  return randomBytes(12).toString('hex');
}

/** Whether `id` could name a webhook; anything else names none (and never reaches SQL). */
export function couldBeWebhookId(id: string): boolean {
  return /^[0-9a-f]{24}$/.test(id);
}
