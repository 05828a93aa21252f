/**
 * Records the job's output format cannot hold (more distinct columns than it
 * allows): the job's owner must choose another format, so its message goes into
 * the job's errors. It names a limit, never a value of a record.
 */
export class UnwritableRecords extends Error {
  override readonly name = 'UnwritableRecords';
}
