-- The distinct identity namespaces of a profile, kept beside it (a generated
-- column, next migration) so an export counts exportedProfileByNamespaceCounter
-- without taking every identities array apart again.
CREATE FUNCTION gw_namespaces(identities jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT x ->> 'namespace' ORDER BY x ->> 'namespace'), '{}')
  FROM jsonb_array_elements(identities) x
$$;
