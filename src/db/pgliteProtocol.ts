/**
 * The messages between the server's thread and the PGlite thread
 * (`pgliteThread.ts` ↔ `pgliteWorker.ts`). Every request carries an id and is
 * answered once, by a result or an error; notifications come unasked.
 */
export interface PgliteWorkerData {
  /** Where the database lives; undefined: in memory. */
  dataDir: string | undefined;
  /** In memory: the dumped data directory it starts from (`DatabaseOptions.memoryTemplate`). */
  memoryTemplate?: string;
  /** `shared_buffers` in MB; undefined: PGlite's own. */
  sharedBuffersMb?: number;
  migrationsFolder: string;
  /** Open (creating the data directory), migrate, close, answer `ready`: the thread then ends. */
  initializeOnly?: boolean;
}

export type PgliteRequest = {
  id: number;
  /** Sent by background work (`inBackground`): runs after waiting interactive requests. */
  background: boolean;
} & (
  | {
      kind: 'query';
      text: string;
      params: unknown[];
      rowMode: 'array' | 'object' | undefined;
      /** Type OIDs whose values come back as text, unparsed. */
      rawTypes: number[];
      /** The data of a `COPY … FROM '/dev/blob'`. */
      blob?: string;
      /** Runs inside this open transaction; otherwise on its own. */
      transaction?: number;
    }
  | { kind: 'begin' }
  | { kind: 'end'; transaction: number; commit: boolean }
  | { kind: 'listen'; listener: number; channel: string }
  | { kind: 'unlisten'; listener: number }
  | { kind: 'close' }
);

export type PgliteResponse =
  | { kind: 'ready' }
  | { kind: 'failed'; error: SerializedError }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'notification'; listener: number; payload: string };

/** An error as it crosses threads: its message, and PostgreSQL's fields (`code`, `detail`, …). */
export interface SerializedError {
  message: string;
  name: string;
  fields: Record<string, string | number | boolean>;
}

/** The plain-valued own fields of an error (a database error's `code`, `severity`, `constraint`, …). */
export function errorFields(error: Error): Record<string, string | number | boolean> {
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return fields;
}
