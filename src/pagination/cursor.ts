/**
 * Opaque keyset cursors: a position (time, id) in one kind of list, bound to the
 * tenant that received it. A cursor from another list or tenant is refused, so
 * it can never reveal or skip into someone else's rows.
 */
import { createHash } from 'node:crypto';
import { badUserInput } from '../errors';
import type { Tenant } from '../tenant';

export interface CursorPosition {
  time: Date;
  id: string;
}

export type CursorKind = 'job' | 'dataset';

const VERSION = 'v1';

// What an id of each list looks like: anything else would only fail later, in SQL.
const ID_PATTERN: Record<CursorKind, RegExp> = {
  job: /^[1-9]\d{0,14}$/,
  dataset: /^[0-9a-f]{24}$/,
};

/** Returns an encoder of cursors for one list and tenant (the tenant's tag is hashed once). */
export function cursorEncoder(kind: CursorKind, tenant: Tenant): (position: CursorPosition) => string {
  const prefix = `${VERSION}:${kind}:${tenantTag(tenant)}:`;
  return (position) => Buffer.from(`${prefix}${position.time.getTime()}:${position.id}`, 'utf8').toString('base64url');
}

/** Decodes `cursor`, or throws BAD_USER_INPUT naming `field` (`after` or `before`). */
export function decodeCursor(kind: CursorKind, tenant: Tenant, cursor: string, field: string): CursorPosition {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const [version, cursorKind, tag, millis, id] = parts;
  const time = new Date(Number(millis));
  const wellFormed =
    parts.length === 5 &&
    version === VERSION &&
    cursorKind === kind &&
    /^\d+$/.test(millis ?? '') &&
    !Number.isNaN(time.getTime()) &&
    id !== undefined &&
    ID_PATTERN[kind].test(id);
  if (!wellFormed || id === undefined) throw badUserInput(field, `\`${field}\` is not a cursor of this list`);
  if (tag !== tenantTag(tenant)) {
    throw badUserInput(field, `\`${field}\` is a cursor of another organisation or sandbox`);
  }
  return { time, id };
}

function tenantTag(tenant: Tenant): string {
  return createHash('sha256')
    .update(`${tenant.orgId}\n${tenant.sandboxName}`)
    .digest('base64url')
    .slice(0, 12);
}
