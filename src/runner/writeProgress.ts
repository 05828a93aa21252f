/**
 * How many of a job's records are in files, as the write phase reports it
 * (`written_records`, the last tenth of `progress.percent`). It never goes
 * back: when CSV or Parquet undo an attempt (a late record brought a new
 * column, see ColumnsOutgrown) and write the batch again, the count holds
 * still until the new attempt passes the old one, so no watcher sees the
 * percent fall.
 */
export class WriteProgress {
  /** Records of the batches already written. */
  #earlierBatches = 0;
  /** Records of the current batch in files, as its writer counts them (drops on an undo). */
  #currentAttempt = 0;
  /** The most the current batch has been reported at. */
  #currentHigh = 0;

  /** The writer's count: records went into a file, or (negative) an attempt's files were undone. */
  recordsWritten(records: number): void {
    this.#currentAttempt += records;
    this.#currentHigh = Math.max(this.#currentHigh, this.#currentAttempt);
  }

  /** The current batch is done: its records count for good. */
  batchDone(): void {
    this.#earlierBatches += this.#currentHigh;
    this.#currentAttempt = 0;
    this.#currentHigh = 0;
  }

  /** Records in files so far; never less than an earlier answer. */
  get written(): number {
    return this.#earlierBatches + this.#currentHigh;
  }
}
