/**
 * What a SQL span says of its statement (`db.statement`): the text, with a
 * long select list abbreviated — a row read whole would otherwise put 2,000
 * characters into every span of it, most of what a trace of a cheap request
 * costs — and never more than STATEMENT_TEXT_LIMIT.
 */
import { describe, expect, it } from 'vitest';
import { STATEMENT_TEXT_LIMIT, statementText } from '../../src/db/statementSpans';

const columns = (n: number) => Array.from({ length: n }, (_, i) => `"export_jobs"."column_${i}"`).join(', ');

describe('statementText', () => {
  it('abbreviates a long select list to its first column and a count, keeping the table and the conditions', () => {
    const text = `select ${columns(60)} from "export_jobs" where ("export_jobs"."org_id" = $1 and "export_jobs"."id" = $2)`;
    expect(statementText(text)).toBe(
      'select "export_jobs"."column_0", … (60 columns) from "export_jobs" where ("export_jobs"."org_id" = $1 and "export_jobs"."id" = $2)',
    );
    expect(statementText(`select distinct ${columns(10)} from t`)).toBe('select distinct "export_jobs"."column_0", … (10 columns) from t');
    expect(statementText(`insert into "export_jobs" ("org_id") values ($1) returning ${columns(60)}`)).toBe(
      'insert into "export_jobs" ("org_id") values ($1) returning "export_jobs"."column_0", … (60 columns)',
    );
  });

  it('leaves short lists, other statements and lists it cannot read safely (a parenthesis) as they are', () => {
    const short = 'select "id", "name" from "datasets" where "id" = $1';
    expect(statementText(short)).toBe(short);
    const insert = 'insert into "export_jobs" ("org_id") values ($1) returning "id"';
    expect(statementText(insert)).toBe(insert);
    const withCall = `select count(*), ${columns(10)} from t`;
    expect(statementText(withCall)).toBe(withCall);
  });

  it('cuts whatever remains at STATEMENT_TEXT_LIMIT', () => {
    const long = `update t set a = $1 where ${'x = $2 and '.repeat(300)}true`;
    expect(statementText(long)).toHaveLength(STATEMENT_TEXT_LIMIT + 1);
    expect(statementText(long).endsWith('…')).toBe(true);
  });
});
