/** The compiled projection (plain SQL) answers exactly what gw_project (PL/pgSQL) does. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/createDb';
import { rowsOf } from '../../src/db/rows';
import { pathLiteral, projectionSql } from '../../src/runner/sql/projectionSql';
import { storageTargets } from '../helpers/databases';

const DOCUMENTS = [
  { a: 1, b: { c: 2, d: { e: 3 } }, n: null, NULL: { x: 1 } },
  { b: { c: null }, list: [{ x: 1, y: 2 }, { y: 3 }, 'scalar'], deep: [{ in: [{ z: 1 }] }] },
  { b: 'not an object', list: [], nothing: {} },
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
      const compiled = projectionSql(paths, doc, (path) => sql`${doc} #> ${pathLiteral(path)}`);
      const [row] = rowsOf<{ compiled: unknown; reference: unknown }>(
        await database.db.execute(
          sql`select ${compiled} as compiled, gw_project(${doc}, ${JSON.stringify(paths)}::jsonb) as reference`,
        ),
      );
      expect(row!.compiled).toEqual(row!.reference);
    }
  });
});
