/**
 * What every log line of a request or a job run carries without each call
 * passing it: the request id, the job. Kept in the process's async context
 * (src/context/asyncContext.ts), so what a request or run starts (awaits,
 * callbacks) carries it too.
 */
import { currentStore, runWithStore } from '../context/asyncContext';

export interface LogContext {
  requestId?: string;
  jobId?: number;
}

/** Runs `work` with `fields` added to every log line it writes. */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return runWithStore({ log: { ...currentStore().log, ...fields } }, work);
}

/** The fields of the context the caller runs in (empty outside any). */
export function logContextFields(): LogContext {
  return currentStore().log ?? {};
}

/** The request id of the request the caller serves, if any. */
export function currentRequestId(): string | undefined {
  return currentStore().log?.requestId;
}
