/** A job id in its one canonical form: "0100" is not job 100. */
export const JOB_ID_PATTERN = /^[1-9]\d{0,14}$/;

/** Job ids are increasing integers that clients see as strings. */
export function parseJobId(id: string): number | null {
  return JOB_ID_PATTERN.test(id) ? Number(id) : null;
}
