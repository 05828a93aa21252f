/**
 * Opaque keyset cursors: a position in one kind of list, bound to the tenant
 * that received it. A cursor from another list or tenant is refused, so it can
 * never reveal or skip into someone else's rows.
 *
 * Two shapes of position: lists ordered by (time, id) (`CursorKind`) and lists
 * ordered by one text key (`KeyCursorKind`). Both share one envelope,
 * `v1:<kind>:<tenant tag>:<position>`, base64url-encoded.
 */
import { createHash } from 'node:crypto';
import { badUserInput } from '../errors';
import { IDENTITY_ID_PATTERN } from '../identityIdPattern';
import { LOWERCASE_UUID_PATTERN } from '../uuidPattern';
import type { Tenant } from '../tenant';
import { isStorableInstant } from '../storableInstant';

export interface CursorPosition {
  time: Date;
  id: string;
}

/** Lists ordered by (time, id): jobs, datasets, a dataset's batches, webhooks, segment definitions. */
export type CursorKind = 'job' | 'dataset' | 'batch' | 'webhook' | 'segmentDefinition';

/** Lists ordered by one key: a batch's records (by profile id), job events and webhook deliveries (by id). */
export type KeyCursorKind = 'record' | 'event' | 'delivery';

const VERSION = 'v1';

// What an id of each list looks like: anything else would only fail later, in SQL.
const ID_PATTERN: Record<CursorKind | KeyCursorKind, RegExp> = {
  job: IDENTITY_ID_PATTERN,
  dataset: /^[0-9a-f]{24}$/,
  batch: /^[\w-]{1,128}$/,
  // Profile ids are any non-empty text; the envelope does not split on the key, so `:` is fine.
  // Any but NUL, which PostgreSQL refuses even to compare (a cursor is easily forged: it is not signed).
  // eslint-disable-next-line no-control-regex -- NUL is what this refuses.
  record: /^[^\u0000]{1,1024}$/,
  webhook: /^[0-9a-f]{24}$/,
  segmentDefinition: LOWERCASE_UUID_PATTERN,
  event: IDENTITY_ID_PATTERN,
  delivery: IDENTITY_ID_PATTERN,
};

/** Returns an encoder of cursors for one list and tenant (the tenant's tag is hashed once). */
export function cursorEncoder(kind: CursorKind, tenant: Tenant): (position: CursorPosition) => string {
  const seal = envelope(kind, tenant);
  return (position) => seal(`${position.time.getTime()}:${position.id}`);
}

/** Decodes `cursor`, or throws BAD_USER_INPUT naming `field` (`after` or `before`). */
export function decodeCursor(kind: CursorKind, tenant: Tenant, cursor: string, field: string): CursorPosition {
  return openEnvelope(kind, tenant, cursor, field, (text) => {
    const match = /^(\d+):(.*)$/s.exec(text);
    const time = new Date(Number(match?.[1]));
    const id = match?.[2];
    // Past the year 9999 a time has no form PostgreSQL reads (`+010000-…`): a forged cursor, refused here.
    return id !== undefined && isStorableInstant(time) && ID_PATTERN[kind].test(id) ? { time, id } : null;
  });
}

/** Returns an encoder of cursors for one key-ordered list and tenant. */
export function keyCursorEncoder(kind: KeyCursorKind, tenant: Tenant): (key: string) => string {
  return envelope(kind, tenant);
}

/** Decodes a key cursor to its key, or throws BAD_USER_INPUT naming `field`. */
export function decodeKeyCursor(kind: KeyCursorKind, tenant: Tenant, cursor: string, field: string): string {
  return openEnvelope(kind, tenant, cursor, field, (text) => (ID_PATTERN[kind].test(text) ? text : null));
}

function envelope(kind: CursorKind | KeyCursorKind, tenant: Tenant): (position: string) => string {
  const prefix = `${VERSION}:${kind}:${tenantTag(tenant)}:`;
  return (position) => Buffer.from(prefix + position, 'utf8').toString('base64url');
}

/** The position inside a cursor of this list and tenant, read by `parsePosition` (null: malformed). */
function openEnvelope<Position>(
  kind: CursorKind | KeyCursorKind,
  tenant: Tenant,
  cursor: string,
  field: string,
  parsePosition: (text: string) => Position | null,
): Position {
  const match = /^([^:]*):([^:]*):([^:]*):(.*)$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const [, version, cursorKind, tag, text] = match ?? [];
  const position = version === VERSION && cursorKind === kind && text !== undefined ? parsePosition(text) : null;
  if (position === null) throw badUserInput(field, `\`${field}\` is not a cursor of this list`);
  if (tag !== tenantTag(tenant)) {
    throw badUserInput(field, `\`${field}\` is a cursor of another organisation or sandbox`);
  }
  return position;
}

function tenantTag(tenant: Tenant): string {
  return createHash('sha256')
    .update(`${tenant.orgId}\n${tenant.sandboxName}`)
    .digest('base64url')
    .slice(0, 12);
}
