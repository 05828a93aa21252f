-- Projection of exported documents onto a job's `fields`: dot paths, where a
-- path through an array projects every element (identities.id keeps [{id}, {id}])
-- and a path the document lacks is simply absent. Written in PL/pgSQL so the
-- export stays set-based inside the database, on PostgreSQL and PGlite alike.

-- The part of `doc` that `path` reaches, nested as in `doc`; null when absent.
CREATE FUNCTION gw_project_path(doc jsonb, path text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  projected jsonb;
  element jsonb;
  elements jsonb := '[]'::jsonb;
  found boolean := false;
BEGIN
  IF doc IS NULL THEN
    RETURN NULL;
  END IF;
  IF cardinality(path) = 0 THEN
    RETURN doc;
  END IF;
  IF jsonb_typeof(doc) = 'array' THEN
    -- Every element is projected; one that lacks the path stays as {} so that
    -- several paths through the same array still line up element by element.
    FOR element IN SELECT value FROM jsonb_array_elements(doc) LOOP
      projected := gw_project_path(element, path);
      found := found OR projected IS NOT NULL;
      elements := elements || jsonb_build_array(coalesce(projected, '{}'::jsonb));
    END LOOP;
    RETURN CASE WHEN found THEN elements END;
  END IF;
  IF jsonb_typeof(doc) <> 'object' OR NOT doc ? path[1] THEN
    RETURN NULL;
  END IF;
  projected := gw_project_path(doc -> path[1], path[2:]);
  RETURN CASE WHEN projected IS NOT NULL THEN jsonb_build_object(path[1], projected) END;
END;
$$;
--> statement-breakpoint

-- Deep merge of two projections of one document: objects key by key, arrays
-- element by element.
CREATE FUNCTION gw_merge(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  merged jsonb;
  key text;
  i integer;
BEGIN
  IF a IS NULL THEN RETURN b; END IF;
  IF b IS NULL THEN RETURN a; END IF;
  IF jsonb_typeof(a) = 'object' AND jsonb_typeof(b) = 'object' THEN
    merged := a;
    FOR key IN SELECT jsonb_object_keys(b) LOOP
      merged := merged || jsonb_build_object(key, gw_merge(a -> key, b -> key));
    END LOOP;
    RETURN merged;
  END IF;
  IF jsonb_typeof(a) = 'array' AND jsonb_typeof(b) = 'array' AND jsonb_array_length(a) = jsonb_array_length(b) THEN
    merged := '[]'::jsonb;
    FOR i IN 0 .. jsonb_array_length(a) - 1 LOOP
      merged := merged || jsonb_build_array(gw_merge(a -> i, b -> i));
    END LOOP;
    RETURN merged;
  END IF;
  RETURN b;
END;
$$;
--> statement-breakpoint

-- `doc` projected onto every path of `paths` (each a text[] of names, as rows
-- of a two-dimensional array would not allow ragged paths, paths come as JSON:
-- [["identities","id"],["personalEmail","address"]]). Null paths keep all.
CREATE FUNCTION gw_project(doc jsonb, paths jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  projected jsonb := '{}'::jsonb;
  path jsonb;
BEGIN
  IF paths IS NULL THEN
    RETURN doc;
  END IF;
  FOR path IN SELECT value FROM jsonb_array_elements(paths) LOOP
    projected := gw_merge(projected, gw_project_path(doc, ARRAY(SELECT jsonb_array_elements_text(path))));
  END LOOP;
  RETURN projected;
END;
$$;
