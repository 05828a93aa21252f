/**
 * Turns one NDJSON line in the shape of GraphQL's `ProfileInput` into a row of
 * the ingest staging table. The JSON is checked the way GraphQL coerces a
 * `ProfileInput` (same fields, types, enum values and `DateTime` scalar), then
 * by `stageProfile`, the rules the `ingestProfiles` mutation applies.
 * Errors name the field inside the line: `segments[0].status must be one of …`.
 */
import { GraphQLError } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { SEGMENT_STATUSES, type SegmentStatus } from '../db/statuses';
import { isStorableInstant, OUTSIDE_STORABLE_YEARS } from '../storableInstant';
import type { ExperienceEventInput, IdentityInput, ProfileInput, SegmentMembershipInput } from './profileInput';
import { storageProblem } from './storable';
import { ProfileFieldError, stageProfile, type StagedProfile } from './validateProfiles';

/** A line that is not a valid profile. `field` is the path inside the line, empty for the line as a whole. */
export class ProfileLineError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'ProfileLineError';
  }
}

const PROFILE_FIELDS = ['profileId', 'identities', 'attributes', 'updatedAt', 'hasProfileRecord', 'segments', 'events'];
const IDENTITY_FIELDS = ['namespace', 'id'];
const SEGMENT_FIELDS = ['segmentId', 'segmentNs', 'status', 'qualificationTime'];
const EVENT_FIELDS = ['ingestTime', 'data'];

/** Parses and validates line number `line`; throws `ProfileLineError`. */
export function parseProfileLine(text: string, line: number): StagedProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error: unknown) {
    throw new ProfileLineError(line, '', `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return stageProfile(decodeProfile(json), line);
  } catch (error: unknown) {
    if (error instanceof ProfileFieldError) throw new ProfileLineError(line, error.field, error.message);
    throw error;
  }
}

function fail(field: string, problem: string): never {
  throw new ProfileFieldError(field, problem);
}

function decodeProfile(json: unknown): ProfileInput {
  const value = object(json, 'the line', PROFILE_FIELDS);
  return {
    profileId: id(value.profileId, 'profileId'),
    identities: array(value.identities, 'identities').map((item, i) => decodeIdentity(item, `identities[${i}]`)),
    attributes: optional(value.attributes, (v) => jsonObject(v, 'attributes')),
    updatedAt: dateTime(value.updatedAt, 'updatedAt'),
    hasProfileRecord: optional(value.hasProfileRecord, (v) => boolean(v, 'hasProfileRecord')),
    segments: optional(value.segments, (v) =>
      array(v, 'segments').map((item, i) => decodeSegment(item, `segments[${i}]`)),
    ),
    events: optional(value.events, (v) => array(v, 'events').map((item, i) => decodeEvent(item, `events[${i}]`))),
  };
}

function decodeIdentity(json: unknown, at: string): IdentityInput {
  const value = object(json, at, IDENTITY_FIELDS);
  return { namespace: string(value.namespace, `${at}.namespace`), id: string(value.id, `${at}.id`) };
}

function decodeSegment(json: unknown, at: string): SegmentMembershipInput {
  const value = object(json, at, SEGMENT_FIELDS);
  return {
    segmentId: string(value.segmentId, `${at}.segmentId`),
    segmentNs: string(value.segmentNs, `${at}.segmentNs`),
    status: segmentStatus(value.status, `${at}.status`),
    qualificationTime: dateTime(value.qualificationTime, `${at}.qualificationTime`),
  };
}

function decodeEvent(json: unknown, at: string): ExperienceEventInput {
  const value = object(json, at, EVENT_FIELDS);
  return { ingestTime: dateTime(value.ingestTime, `${at}.ingestTime`), data: jsonObject(value.data, `${at}.data`) };
}

function object(value: unknown, field: string, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be a JSON object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    // Like GraphQL, an unknown field is an error: it is most often a misspelt one.
    if (!known.includes(key)) {
      const path = field === 'the line' ? key : `${field}.${key}`;
      fail(path, `is not a field of ${field === 'the line' ? 'a profile' : field} (known: ${known.join(', ')})`);
    }
  }
  return record;
}

function required(value: unknown, field: string): unknown {
  if (value === undefined || value === null) fail(field, 'is required');
  return value;
}

/** GraphQL's null and an absent field both mean "not given". */
function optional<T>(value: unknown, decode: (value: unknown) => T): T | undefined {
  return value === undefined || value === null ? undefined : decode(value);
}

function array(value: unknown, field: string): unknown[] {
  if (!Array.isArray(required(value, field))) fail(field, 'must be an array');
  return value as unknown[];
}

function string(value: unknown, field: string): string {
  if (typeof required(value, field) !== 'string') fail(field, `must be a string (got ${describe(value)})`);
  return storableString(value as string, field);
}

/**
 * GraphQL's `ID` accepts a string or an integer; an integer past 2^53 has lost digits in
 * JSON.parse already, and would name (and overwrite) another profile: give it as a string.
 */
function id(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) fail(field, 'is a number too large to keep every digit: give it as a string');
    return String(value);
  }
  return string(value, field);
}

function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') fail(field, `must be true or false (got ${describe(value)})`);
  return value;
}

function segmentStatus(value: unknown, field: string): SegmentStatus {
  if (!SEGMENT_STATUSES.includes(required(value, field) as SegmentStatus)) {
    fail(field, `must be one of ${SEGMENT_STATUSES.join(', ')} (got ${describe(value)})`);
  }
  return value as SegmentStatus;
}

function dateTime(value: unknown, field: string): Date {
  if (typeof required(value, field) !== 'string') fail(field, `must be an RFC 3339 date-time string (got ${describe(value)})`);
  let date: Date;
  try {
    // The scalar the GraphQL schema uses: a file accepts exactly the date-times the API does.
    date = DateTimeResolver.parseValue(value) as Date;
  } catch (error: unknown) {
    if (!(error instanceof GraphQLError)) throw error;
    fail(field, `must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z (got ${describe(value)})`);
  }
  if (!isStorableInstant(date)) fail(field, `${OUTSIDE_STORABLE_YEARS} (got ${describe(value)})`);
  return date;
}

function jsonObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof required(value, field) !== 'object' || Array.isArray(value)) {
    fail(field, `must be a JSON object (got ${describe(value)})`);
  }
  checkStorable(value, field);
  return value as Record<string, unknown>;
}

function checkStorable(value: unknown, field: string): void {
  const found = storageProblem(value, field);
  if (found) fail(found.field, found.problem);
}

function storableString(value: string, field: string): string {
  checkStorable(value, field);
  return value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
