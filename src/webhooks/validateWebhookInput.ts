/** `CreateWebhookInput` checked and turned into what is stored (the URL's DNS is checked apart). */
import { badUserInput } from '../errors';
import type { JobEventType } from '../events/jobEvent';
import type { ExportJobStatus } from '../jobs/exportJobStatus';
import { parseWebhookUrl } from './webhookUrl';
import { storageProblem } from '../profiles/storable';

export const MAX_DESCRIPTION_LENGTH = 500;

/** The API's `CreateWebhookInput`, owned here: the resolver passes the API's input as it is. */
export interface CreateWebhookInput {
  url: string;
  /** A watcher's `SNAPSHOT` among them is refused: it is never stored, so never sent. */
  events?: (JobEventType | 'SNAPSHOT')[] | null;
  statuses?: ExportJobStatus[] | null;
  description?: string | null;
}

export interface WebhookSpec {
  url: URL;
  /** Null: every type. */
  events: JobEventType[] | null;
  /** Null: every status. */
  statuses: ExportJobStatus[] | null;
  description: string | null;
}

export function validateWebhookInput(input: CreateWebhookInput, allowPrivate: boolean): WebhookSpec {
  const url = parseWebhookUrl(input.url, allowPrivate);
  const events = nonEmptyList('events', 'type', input.events);
  // A SNAPSHOT is what a new watcher is shown first; it is never stored, so never sent.
  if (events?.includes('SNAPSHOT')) {
    throw badUserInput('events', '`events` may not contain SNAPSHOT: webhooks are sent stored events only');
  }
  const statuses = nonEmptyList('statuses', 'status', input.statuses);
  const description = input.description ?? null;
  if (description !== null && description.length > MAX_DESCRIPTION_LENGTH) {
    throw badUserInput(
      'description',
      `\`description\` must be at most ${MAX_DESCRIPTION_LENGTH} characters (got ${description.length})`,
    );
  }
  // PostgreSQL's text holds no NUL (nor a lone surrogate, once stored): refused here, not by the insert.
  const problem = description === null ? null : storageProblem(description, 'description');
  if (problem) throw badUserInput('description', `\`description\` ${problem.problem}`);
  return { url, events: events as WebhookSpec['events'], statuses, description };
}

/** The list without repeats, or null when absent; an empty list would send nothing, so it is refused. */
function nonEmptyList<T>(field: string, what: string, list: T[] | null | undefined): T[] | null {
  if (list === null || list === undefined) return null;
  if (list.length === 0) {
    throw badUserInput(field, `\`${field}\` may not be empty: omit it to get every ${what}`);
  }
  return [...new Set(list)];
}
