/**
 * Checks a batch of `ProfileInput`s and turns it into the rows of the profile
 * store. Field paths in errors name the input (`profiles[3].segments[0].segmentId`).
 */
import { badUserInput } from '../errors';
import { UNSTORABLE_PROBLEM, unstorablePath } from './storable';
import type { ProfileInput } from '../schema/resolvers.generated';
import type { StagedProfile } from './parseProfileLine';

export const MAX_PROFILES_PER_CALL = 1000;

export interface ProfileRows {
  profiles: {
    profile_id: string;
    identities: { namespace: string; id: string }[];
    attributes: Record<string, unknown>;
    updated_at: string;
    has_profile_record: boolean;
  }[];
  /** Profiles whose memberships are replaced (those that gave `segments`). */
  replaceSegmentsOf: string[];
  memberships: { profile_id: string; segment_id: string; segment_ns: string; status: string; qualification_time: string }[];
  /** Profiles whose events are replaced (those that gave `events`). */
  replaceEventsOf: string[];
  events: { profile_id: string; ingest_time: string; data: Record<string, unknown> }[];
}

export function validateProfiles(inputs: readonly ProfileInput[], field = 'profiles'): ProfileRows {
  if (inputs.length > MAX_PROFILES_PER_CALL) {
    throw badUserInput(field, `At most ${MAX_PROFILES_PER_CALL} profiles per call (got ${inputs.length})`);
  }
  const rows: ProfileRows = { profiles: [], replaceSegmentsOf: [], memberships: [], replaceEventsOf: [], events: [] };
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const at = `${field}[${index}]`;
    const profileId = nonEmpty(input.profileId, `${at}.profileId`);
    if (seen.has(profileId)) throw badUserInput(`${at}.profileId`, `Profile ${JSON.stringify(profileId)} is given twice`);
    seen.add(profileId);
    rows.profiles.push({
      profile_id: profileId,
      identities: input.identities.map((identity, i) => ({
        namespace: nonEmpty(identity.namespace, `${at}.identities[${i}].namespace`),
        id: nonEmpty(identity.id, `${at}.identities[${i}].id`),
      })),
      attributes: storableJson(input.attributes ?? {}, `${at}.attributes`),
      updated_at: input.updatedAt.toISOString(),
      has_profile_record: input.hasProfileRecord ?? true,
    });
    if (input.segments) {
      rows.replaceSegmentsOf.push(profileId);
      const segmentsSeen = new Set<string>();
      input.segments.forEach((segment, i) => {
        const segmentId = nonEmpty(segment.segmentId, `${at}.segments[${i}].segmentId`);
        const segmentNs = nonEmpty(segment.segmentNs, `${at}.segments[${i}].segmentNs`);
        const key = `${segmentId}\n${segmentNs}`;
        if (segmentsSeen.has(key)) {
          throw badUserInput(`${at}.segments[${i}].segmentId`, `Segment ${JSON.stringify(segmentId)} is given twice`);
        }
        segmentsSeen.add(key);
        rows.memberships.push({
          profile_id: profileId,
          segment_id: segmentId,
          segment_ns: segmentNs,
          status: segment.status,
          qualification_time: segment.qualificationTime.toISOString(),
        });
      });
    }
    if (input.events) {
      rows.replaceEventsOf.push(profileId);
      input.events.forEach((event, i) => {
        const data = storableJson(event.data, `${at}.events[${i}].data`);
        rows.events.push({ profile_id: profileId, ingest_time: event.ingestTime.toISOString(), data });
      });
    }
  });
  return rows;
}

function storableJson(value: Record<string, unknown>, field: string): Record<string, unknown> {
  if (unstorablePath(value, field)) throw badUserInput(field, `\`${field}\` ${UNSTORABLE_PROBLEM}`);
  return value;
}

/**
 * The rows as the staging table takes them, one per profile, numbered from
 * `firstLine`: the one shape both the mutation and the file ingest merge from.
 */
export function stagedProfiles(rows: ProfileRows, firstLine = 1): StagedProfile[] {
  const segmentsOf = new Set(rows.replaceSegmentsOf);
  const eventsOf = new Set(rows.replaceEventsOf);
  const memberships = groupBy(rows.memberships, ({ profile_id: _, ...membership }) => membership);
  const events = groupBy(rows.events, ({ ingest_time, data }) => ({ ingest_time, data }));
  return rows.profiles.map((profile, index) => ({
    line: firstLine + index,
    profileId: profile.profile_id,
    identities: JSON.stringify(profile.identities),
    attributes: JSON.stringify(profile.attributes),
    updatedAt: profile.updated_at,
    hasProfileRecord: profile.has_profile_record,
    segments: segmentsOf.has(profile.profile_id) ? JSON.stringify(memberships.get(profile.profile_id) ?? []) : null,
    events: eventsOf.has(profile.profile_id) ? JSON.stringify(events.get(profile.profile_id) ?? []) : null,
  }));
}

function groupBy<Row extends { profile_id: string }, Out>(rows: Row[], shape: (row: Row) => Out): Map<string, Out[]> {
  const groups = new Map<string, Out[]>();
  for (const row of rows) {
    const group = groups.get(row.profile_id) ?? [];
    group.push(shape(row));
    groups.set(row.profile_id, group);
  }
  return groups;
}

function nonEmpty(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw badUserInput(field, `\`${field}\` must not be empty`);
  if (unstorablePath(trimmed, field)) throw badUserInput(field, `\`${field}\` ${UNSTORABLE_PROBLEM}`);
  return trimmed;
}
