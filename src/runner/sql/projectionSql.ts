/**
 * The `fields` projection as plain SQL expressions. gw_project (PL/pgSQL)
 * handles every shape of document but costs tens of microseconds a record;
 * here each requested path becomes a direct `#>` lookup and the result is built
 * with jsonb_build_object, several times faster. Paths through an array (whose
 * semantics need a loop) still go to gw_project, decided row by row.
 */
import { sql, type SQL } from 'drizzle-orm';

/** Where a path's value comes from: `path` is never empty. */
export type ValueAt = (path: string[]) => SQL;

/** The document a projection reads. */
export interface ProjectionSource {
  /** The whole document: the input of the gw_project fallback. */
  whole: SQL;
  /** Reads any path of the document. */
  valueAt: ValueAt;
  /**
   * The value of a path of `projectedLeaves`, when the caller computed it once
   * already (a column); by default `valueAt(path)`.
   */
  leaf?: ValueAt;
}

interface PathNode {
  /** A requested path ends here: take the whole value. */
  whole: boolean;
  children: Map<string, PathNode>;
}

/**
 * The projection of one document onto `paths`. Each leaf value is read once
 * (through `source.leaf`); the paths through arrays, whose semantics need a
 * loop, go to gw_project, and finding them costs nothing when a leaf was found:
 * `#>` answers null on an array for a key that is not an integer, so a leaf
 * that has a value crossed no array, unless the path has an integer key.
 */
export function projectionSql(paths: string[][], source: ProjectionSource): SQL {
  const root = trieOf(paths);
  const leaf = source.leaf ?? source.valueAt;
  const crossesArray = leavesOf(root, []).flatMap((path) => {
    const prefixes = path.slice(0, -1).map((_, i) => sql`jsonb_typeof(${source.valueAt(path.slice(0, i + 1))}) = 'array'`);
    if (prefixes.length === 0) return [];
    const anyPrefix = sql`(${sql.join(prefixes, sql` or `)})`;
    return path.some((name) => INTEGER_KEY.test(name)) ? [anyPrefix] : [sql`(${leaf(path)} is null and ${anyPrefix})`];
  });
  const direct = objectOf(root, [], leaf);
  if (crossesArray.length === 0) return direct;
  return sql`case when ${sql.join(crossesArray, sql` or `)}
    then gw_project(${source.whole}, ${JSON.stringify(paths)}::jsonb)
    else ${direct} end`;
}

/** `#>` reads such a key as an array index. */
const INTEGER_KEY = /^\s*-?\d+\s*$/;

/** The paths whose whole value a projection takes: the requested ones not below another requested one. */
export function projectedLeaves(paths: string[][]): string[][] {
  return leavesOf(trieOf(paths), []);
}

function leavesOf(node: PathNode, prefix: string[]): string[][] {
  return [...node.children].flatMap(([name, child]) =>
    child.whole ? [[...prefix, name]] : leavesOf(child, [...prefix, name]),
  );
}

function trieOf(paths: string[][]): PathNode {
  const root: PathNode = { whole: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const name of path) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = { whole: false, children: new Map() }));
      node = child;
    }
    node.whole = true;
  }
  return root;
}

/** The object holding `node`'s children that are present, `{}` when none is. */
function objectOf(node: PathNode, prefix: string[], valueAt: ValueAt): SQL {
  const parts = [...node.children].map(([name, child]) => {
    const path = [...prefix, name];
    return sql`coalesce(case when ${presentSql(child, path, valueAt)}
      then jsonb_build_object(${name}::text, ${valueOf(child, path, valueAt)}) end, '{}'::jsonb)`;
  });
  return sql.join(parts, sql` || `);
}

function valueOf(node: PathNode, path: string[], valueAt: ValueAt): SQL {
  return node.whole ? valueAt(path) : objectOf(node, path, valueAt);
}

/** Whether any requested path under `node` reaches a value. */
function presentSql(node: PathNode, path: string[], valueAt: ValueAt): SQL {
  if (node.whole) return sql`${valueAt(path)} is not null`;
  return sql`(${sql.join(
    [...node.children].map(([name, child]) => presentSql(child, [...path, name], valueAt)),
    sql` or `,
  )})`;
}

/** A path for `#>`, as an array of parameters (an array literal would read a name `NULL` as null). */
export function pathLiteral(path: string[]): SQL {
  return sql`array[${sql.join(
    path.map((name) => sql`${name}::text`),
    sql`, `,
  )}]`;
}
