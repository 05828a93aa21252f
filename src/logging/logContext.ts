/**
 * What every log line of a request or a job run carries without each call
 * passing it: the request id, the job. Kept in AsyncLocalStorage, so what a
 * request or run starts (awaits, callbacks) carries it too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  requestId?: string;
  jobId?: number;
}

const current = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `fields` added to every log line it writes. */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return current.run({ ...current.getStore(), ...fields }, work);
}

/** The fields of the context the caller runs in (empty outside any). */
export function logContextFields(): LogContext {
  return current.getStore() ?? {};
}

/** The request id of the request the caller serves, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore()?.requestId;
}
