/**
 * Fault points, for crash tests: `GW_FAULT_POINT=<name>` makes the process
 * kill itself (SIGKILL, as a crash or an OOM kill would) when it reaches the
 * point of that name. Never set in production; unset, a point costs one comparison.
 */
export const FaultPoint = {
  /** Right after a job's creation commits, before the mutation answers: where its event used to be published. */
  AFTER_JOB_CREATED: 'after-job-created',
  /** When an export's first batch has its files, before its manifest and before the job ends. */
  AFTER_BATCH_FILES_WRITTEN: 'after-batch-files-written',
} as const;

export type FaultPoint = (typeof FaultPoint)[keyof typeof FaultPoint];

let armed: string | undefined;

/** Arms the point named by the config (`faultPoint`), at start. */
export function armFaultPoint(name: string | undefined): void {
  armed = name;
}

export function reachFaultPoint(name: FaultPoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
