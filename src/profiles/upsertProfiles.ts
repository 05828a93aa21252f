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

export async function upsertProfiles(database: Database, tenant: Tenant, profiles: StagedProfile[]): Promise<number> {
  if (profiles.length === 0) return 0;
  return withStagingSession(database, async (session) => {
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
