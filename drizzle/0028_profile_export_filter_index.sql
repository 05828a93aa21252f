-- The count of an export's profiles (progress.totalProfiles) checks each candidate's profile
-- against the export's filter: it exists, has a profile record, was updated after
-- fromIngestTimestamp. Read from the primary key, that check fetched every candidate's row,
-- its document with it; from this index it is an index-only scan.
CREATE INDEX "profiles_export_filter_idx" ON "profiles" USING btree ("org_id","sandbox_name","profile_id","has_profile_record","updated_at");