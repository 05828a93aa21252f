/**
 * The one row of a statement that always answers one (an aggregate). None means the
 * database dropped its answer (PGlite did so for a regex past its limits, with no error):
 * counted as an empty answer, it would end a walk early, as a success.
 */
export function onlyRow<Row>(rows: readonly Row[], statement: string): Row {
  const [row] = rows;
  if (!row) throw new Error(`${statement} answered no row`);
  return row;
}
