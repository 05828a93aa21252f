/** The compiled projection (plain SQL) answers exactly what gw_project (PL/pgSQL) does. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { pathLiteral, projectionSql } from '../../src/runner/sql/projectionSql';
import { storageTargets } from '../helpers/databases';

const DOCUMENTS = [
  { a: 1, b: { c: 2, d: { e: 3 } }, n: null, NULL: { x: 1 } },
  { b: { c: null }, list: [{ x: 1, y: 2 }, { y: 3 }, 'scalar'], deep: [{ in: [{ z: 1 }] }] },
  { b: 'not an object', list: [], nothing: {} },
  // `#>` reads an integer key of an array as an index; a projection reads it as a key of each element.
  { list: [{ x: 5 }, { '0': { x: 6 } }], b: [{ c: 7 }] },
  {},
];

const PATH_SETS = [
  ['a'],
  ['b.c', 'b.d.e'],
  ['b', 'b.c'],
  ['n', 'missing.x'],
  ['list.x', 'list.y'],
  ['deep.in.z', 'a'],
  ['b.d.e.f', 'nothing'],
  ['NULL.x', 'a'],
  ['list.0.x', 'list.0'],
  ['b.c', 'b.0'],
];

describe.each(storageTargets)('the compiled projection on $name', (target) => {
  let database: Database;

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(() => database?.close());

  it.each(PATH_SETS)('projects %s like gw_project on every document', async (...fields) => {
    const paths = fields.map((field) => field.split('.'));
    for (const document of DOCUMENTS) {
      const doc = sql`${JSON.stringify(document)}::jsonb`;
      const valueAt = (path: string[]) => sql`${doc} #> ${pathLiteral(path)}`;
      const compiled = projectionSql(paths, { whole: doc, valueAt });
      const [row] = await database.db.execute<{ compiled: unknown; reference: unknown }>(
        sql`select ${compiled} as compiled, gw_project(${doc}, ${JSON.stringify(paths)}::jsonb) as reference`,
      );
      expect(row!.compiled).toEqual(row!.reference);
    }
  });
});
