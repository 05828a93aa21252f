/**
 * The ingestProfiles mutation's write: the validated profiles go through the
 * same staging table and the same set-based merge as a file ingest
 * (mergeStagedProfiles.ts), in one transaction: all of them or none.
 */
import type { Database } from '../db/database';
import { coerceError } from '../coerceError';
import type { Tenant } from '../tenant';
import { createStagingTable, mergeStagedProfiles } from './mergeStagedProfiles';
import type { StagedProfile } from './validateProfiles';
import { withStagingSession } from './stagingSession';

/**
 * How long a call waits for a row lock before it gives up (55P03, a passing error:
 * SERVICE_UNAVAILABLE, nothing written). Its profiles may be held by a file ingest or a
 * seed of the same tenant for minutes: a call waiting that long would hold one of the
 * API's connections all the while, and a few such calls every other tenant's requests too.
 * The commands' own loads wait their turn instead.
 */
export const UPSERT_LOCK_TIMEOUT_MS = 3_000;

export async function upsertProfiles(database: Database, tenant: Tenant, profiles: StagedProfile[]): Promise<number> {
  if (profiles.length === 0) return 0;
  return withStagingSession(database, async (session) => {
    await session.query(`set local lock_timeout = ${UPSERT_LOCK_TIMEOUT_MS}`);
    await createStagingTable(session);
    const writer = await session.openWriter();
    try {
      for (const profile of profiles) await writer.write(profile);
    } catch (error: unknown) {
      await writer.abort(coerceError(error));
      throw error;
    }
    await writer.end();
    return mergeStagedProfiles(session, tenant);
  });
}
