/** The stable codes of `ExportJob.errors`; messages beside them never carry internals. */
export const ExportErrorCode = {
  /** The export hit an error; the runner's log has the details. */
  EXPORT_FAILED: 'EXPORT_FAILED',
  /** The job's runners died (or lost their lease) too many times. */
  ATTEMPTS_EXHAUSTED: 'EXPORT_ATTEMPTS_EXHAUSTED',
  /** The records do not fit the job's output format (too many columns for CSV or Parquet); the message says which limit. */
  OUTPUT_UNWRITABLE: 'EXPORT_OUTPUT_UNWRITABLE',
  /** `evaluationInfo.segmentation` named a segment that has no definition to evaluate. */
  SEGMENT_NOT_DEFINED: 'SEGMENT_NOT_DEFINED',
  /** A segment job's evaluation hit an error; the runner's log has the details. */
  EVALUATION_FAILED: 'SEGMENT_EVALUATION_FAILED',
  /** A segment job's runners died (or lost their lease) too many times. */
  EVALUATION_ATTEMPTS_EXHAUSTED: 'SEGMENT_ATTEMPTS_EXHAUSTED',
} as const;
