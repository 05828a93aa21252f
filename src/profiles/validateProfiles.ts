/**
 * The rules of a profile, shared by the `ingestProfiles` mutation and the file
 * ingest: `stageProfile` checks one `ProfileInput` and turns it into the row
 * the staging table takes; `validateProfiles` does a mutation's whole batch.
 */
import { badUserInput } from '../errors';
import type { ProfileInput } from './profileInput';
import { keyProblem, storageProblem } from './storable';

export const MAX_PROFILES_PER_CALL = 1000;

/** One profile as the staging table holds it: JSON columns already serialised. */
export interface StagedProfile {
  /** 1-based position: the line of a file, or the place in a mutation's list. */
  line: number;
  profileId: string;
  /** JSON array of `{namespace, id}`. */
  identities: string;
  /** JSON object. */
  attributes: string;
  /** ISO 8601 in UTC. */
  updatedAt: string;
  hasProfileRecord: boolean;
  /** JSON array of `{segment_id, segment_ns, status, qualification_time}`; null when the profile gives no `segments`. */
  segments: string | null;
  /** JSON array of `{ingest_time, data}`; null when the profile gives no `events`. */
  events: string | null;
}

/** A rule a profile breaks: `field` is the path of the value (`segments[0].segmentId`), `problem` what is wrong with it. */
export class ProfileFieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    message = `${field} ${problem}`,
  ) {
    super(message);
    this.name = 'ProfileFieldError';
  }
}

/** Checks one profile and stages it; `at` prefixes the field paths of its errors (`profiles[3]`). */
export function stageProfile(input: ProfileInput, line: number, at = ''): StagedProfile {
  const path = (name: string) => (at ? `${at}.${name}` : name);
  const profileId = nonEmpty(input.profileId, path('profileId'));
  const identities = input.identities.map((identity, i) => ({
    namespace: nonEmpty(identity.namespace, path(`identities[${i}].namespace`)),
    id: nonEmpty(identity.id, path(`identities[${i}].id`)),
  }));
  return {
    line,
    profileId,
    identities: JSON.stringify(identities),
    attributes: JSON.stringify(storable(input.attributes ?? {}, path('attributes'))),
    updatedAt: input.updatedAt.toISOString(),
    hasProfileRecord: input.hasProfileRecord ?? true,
    segments: input.segments ? JSON.stringify(memberships(input.segments, path)) : null,
    events: input.events
      ? JSON.stringify(
          input.events.map((event, i) => ({
            ingest_time: event.ingestTime.toISOString(),
            data: storable(event.data, path(`events[${i}].data`)),
          })),
        )
      : null,
  };
}

/** A mutation's batch: at most 1,000 profiles, each id once; errors are `BAD_USER_INPUT` naming `profiles[i].…`. */
export function validateProfiles(inputs: readonly ProfileInput[], field = 'profiles'): StagedProfile[] {
  if (inputs.length > MAX_PROFILES_PER_CALL) {
    throw badUserInput(field, `At most ${MAX_PROFILES_PER_CALL} profiles per call (got ${inputs.length})`);
  }
  const seen = new Set<string>();
  try {
    return inputs.map((input, index) => {
      const staged = stageProfile(input, index + 1, `${field}[${index}]`);
      if (seen.has(staged.profileId)) {
        const problem = `repeats ${JSON.stringify(staged.profileId)}, already given in this call`;
        throw new ProfileFieldError(`${field}[${index}].profileId`, problem);
      }
      seen.add(staged.profileId);
      return staged;
    });
  } catch (error: unknown) {
    if (error instanceof ProfileFieldError) throw badUserInput(error.field, `\`${error.field}\` ${error.problem}`);
    throw error;
  }
}

function memberships(segments: NonNullable<ProfileInput['segments']>, path: (name: string) => string) {
  const seen = new Set<string>();
  return segments.map((segment, i) => {
    const segmentId = nonEmpty(segment.segmentId, path(`segments[${i}].segmentId`));
    const segmentNs = nonEmpty(segment.segmentNs, path(`segments[${i}].segmentNs`));
    // As JSON: a newline within a name cannot make two memberships one key.
    const key = JSON.stringify([segmentId, segmentNs]);
    if (seen.has(key)) {
      const problem = `repeats segment ${JSON.stringify(segmentId)} of this profile`;
      throw new ProfileFieldError(path(`segments[${i}].segmentId`), problem);
    }
    seen.add(key);
    return {
      segment_id: segmentId,
      segment_ns: segmentNs,
      status: segment.status,
      qualification_time: segment.qualificationTime.toISOString(),
    };
  });
}

/** `value`, once it is known PostgreSQL can store it; refused naming where inside it (`attributes.a.b`). */
function storable<Value>(value: Value, field: string): Value {
  const found = storageProblem(value, field);
  if (found) throw new ProfileFieldError(found.field, found.problem);
  return value;
}

/** An id or key: trimmed, non-empty, storable and short enough to index. */
function nonEmpty(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new ProfileFieldError(field, 'must not be empty');
  const problem = keyProblem(trimmed);
  if (problem) throw new ProfileFieldError(field, problem);
  return trimmed;
}
