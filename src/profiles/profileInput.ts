/**
 * A profile as a caller gives it to the store: the shape of the API's
 * `ProfileInput`, owned here so the rules and the file ingest (`npm run ingest`)
 * need none of the GraphQL code. The `ingestProfiles` resolver passes the API's
 * input as it is, and the compiler checks the two shapes agree.
 */
import type { SegmentStatus } from '../db/jobSpecJson';

export interface IdentityInput {
  namespace: string;
  id: string;
}

export interface SegmentMembershipInput {
  segmentId: string;
  segmentNs: string;
  status: SegmentStatus;
  qualificationTime: Date;
}

export interface ExperienceEventInput {
  ingestTime: Date;
  /** The event as exported. */
  data: Record<string, unknown>;
}

export interface ProfileInput {
  profileId: string;
  identities: IdentityInput[];
  attributes?: Record<string, unknown> | null;
  /** The merged update (ingest) time that `filter.fromIngestTimestamp` compares with. */
  updatedAt: Date;
  /** false for an "empty" profile that has only events; default true. */
  hasProfileRecord?: boolean | null;
  segments?: SegmentMembershipInput[] | null;
  events?: ExperienceEventInput[] | null;
}

/**
 * Reads one parsed JSON value (a line of a file) as a `ProfileInput`, or throws
 * `ProfileFieldError` naming the value's path. The ingest command passes the
 * API's own coercion (`src/schema/profileInputDecoder.ts`), so that the domain
 * needs no GraphQL code and a file obeys the API's rules.
 */
export type ProfileDecoder = (json: unknown) => ProfileInput;
