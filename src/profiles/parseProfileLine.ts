/**
 * Turns one NDJSON line in the shape of GraphQL's `ProfileInput` into a row of
 * the ingest staging table: the JSON is read by the given `ProfileDecoder` (the
 * API's own coercion, for `npm run ingest`), then checked by `stageProfile`, the
 * rules the `ingestProfiles` mutation applies. Errors name the field inside the
 * line: `segments[0].status: Value "GONE" does not exist in "SegmentStatus" enum.`
 */
import { printable } from './printable';
import type { ProfileDecoder } from './profileInput';
import { ProfileFieldError, stageProfile, type StagedProfile } from './validateProfiles';

// Enough to find the fault in the line; no more of a value that may be megabytes.
const MAX_FIELD_CHARS = 200;
const MAX_REASON_CHARS = 400;

/**
 * A line that is not a valid profile. `field` is the path inside the line, empty for
 * the line as a whole. Both come from the file: they are kept printable and bounded.
 */
export class ProfileLineError extends Error {
  readonly field: string;
  readonly reason: string;

  constructor(
    readonly line: number,
    field: string,
    reason: string,
  ) {
    const printableReason = printable(reason, MAX_REASON_CHARS);
    super(`line ${line}: ${printableReason}`);
    this.name = 'ProfileLineError';
    this.field = printable(field, MAX_FIELD_CHARS);
    this.reason = printableReason;
  }
}

/** Parses and validates line number `line`; throws `ProfileLineError`. */
export function parseProfileLine(text: string, line: number, decode: ProfileDecoder): StagedProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error: unknown) {
    throw new ProfileLineError(line, '', `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    refuseInexactProfileId(json);
    return stageProfile(decode(json), line);
  } catch (error: unknown) {
    if (error instanceof ProfileFieldError) throw new ProfileLineError(line, error.field, error.message);
    throw error;
  }
}

/**
 * GraphQL's `ID` takes an integer, but one past 2^53 has lost digits in JSON.parse
 * already: 9007199254740993 would name, and replace, profile …992.
 */
function refuseInexactProfileId(json: unknown): void {
  if (typeof json !== 'object' || json === null) return;
  const { profileId } = json as { profileId?: unknown };
  if (typeof profileId === 'number' && Number.isInteger(profileId) && !Number.isSafeInteger(profileId)) {
    throw new ProfileFieldError('profileId', 'is a number too large to keep every digit: give it as a string');
  }
}
