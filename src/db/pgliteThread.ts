/**
 * The embedded PGlite on a thread of its own (`pgliteWorker.ts`), seen from the
 * server's thread: a client with PGlite's `query` and `transaction`, which is
 * all drizzle's PGlite driver calls, plus LISTEN and COPY from text.
 *
 * Why a thread: PGlite runs SQL synchronously on the thread that calls it. On
 * the server's own thread, a 5 s statement froze HTTP, WebSockets and timers
 * for 5 s (a WebSocket could not even be acknowledged). Here only the database
 * waits; short statements (chunks sized by time, `RUNNER_CHUNK_MS`) keep the
 * wait of each request short too.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerSource } from '../workerSource';
import { isBackgroundWork } from './backgroundWork';
import { withExecutionTime } from './executionTime';
import { tracedStatement } from './statementSpans';
import type { PgliteRequest, PgliteResponse, PgliteWorkerData, SerializedError } from './pgliteProtocol';

/** What a query answers: its rows (an array, like postgres.js), which also carry PGlite's `rows` and `fields`. */
export type ThreadRows = Record<string, unknown>[] & { rows: unknown[]; fields: unknown[]; affectedRows?: number };

export interface ThreadQueryOptions {
  rowMode?: 'array' | 'object';
  /** Types to leave as text: only the keys count, the functions are not called (drizzle's are identities). */
  parsers?: Record<number, unknown>;
}

export interface ThreadQuerier {
  query(text: string, params?: unknown[], options?: ThreadQueryOptions): Promise<ThreadRows>;
  /** `COPY table FROM STDIN` in text format, from one string of lines. */
  copyFrom(table: string, lines: string): Promise<void>;
}

export interface PgliteClient extends ThreadQuerier {
  /** Runs `work` in one transaction; nothing else runs on the database meanwhile. */
  transaction<T>(work: (tx: ThreadQuerier) => Promise<T>): Promise<T>;
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Requests sent to the thread and not yet answered: statements queued or running. */
  pendingRequests(): number;
  /** Why the thread can answer nothing any more (it stopped: a crash, or `close`); undefined while it runs. */
  failure(): Error | undefined;
  close(): Promise<void>;
}

type Request = PgliteRequest extends infer R ? (R extends unknown ? Omit<R, 'id' | 'background'> : never) : never;

/**
 * Starts the thread, opens the database in `dataDir` (in memory when
 * undefined, from `memoryTemplate` if given) and migrates it. A data directory
 * that holds no database yet is first created by a thread of its own.
 */
export async function openPgliteThread(
  dataDir: string | undefined,
  migrationsFolder: string,
  settings: Pick<PgliteWorkerData, 'memoryTemplate' | 'sharedBuffersMb'> = {},
): Promise<PgliteClient> {
  const workerData: PgliteWorkerData = { dataDir, migrationsFolder, ...settings };
  // PGlite's own test of whether a data directory holds a database to resume.
  if (dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION'))) await initializeInThreadOfItsOwn(workerData);
  const worker = startThread(workerData);
  const pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  const listeners = new Map<number, (payload: string) => void>();
  let nextId = 1;
  let broken: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: PgliteResponse) => {
      switch (message.kind) {
        case 'ready':
          return resolve();
        case 'failed':
          return reject(deserialize(message.error));
        case 'result':
          pending.get(message.id)?.resolve(message.result);
          return pending.delete(message.id);
        case 'error':
          pending.get(message.id)?.reject(deserialize(message.error));
          return pending.delete(message.id);
        case 'notification':
          return listeners.get(message.listener)?.(message.payload);
      }
    });
    const fail = (error: Error) => {
      broken = new Error('The embedded database thread stopped', { cause: error });
      reject(broken);
      for (const waiting of pending.values()) waiting.reject(broken);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  });
  await ready;

  const request = (message: Request): Promise<unknown> => {
    if (broken) return Promise.reject(broken);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ ...message, id, background: isBackgroundWork() });
      } catch (error: unknown) {
        // A parameter the thread cannot be sent (a function, a symbol): nothing will answer it.
        pending.delete(id);
        throw error;
      }
    });
  };

  const querier = (transaction: number | undefined): ThreadQuerier => ({
    // Every statement of ours passes here: where it gets its span.
    query: (text, params = [], options = {}) => tracedStatement(text, async () => {
      const result = (await request({
        kind: 'query',
        text,
        params,
        rowMode: options.rowMode,
        rawTypes: Object.keys(options.parsers ?? {}).map(Number),
        transaction,
      })) as { rows: Record<string, unknown>[]; fields: unknown[]; affectedRows?: number; executionMs: number };
      const rows = Object.assign(result.rows, { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows });
      return withExecutionTime(rows, result.executionMs);
    }),
    copyFrom: async (table, lines) => {
      const text = `copy ${table} from '/dev/blob'`;
      await tracedStatement(text, () => request({ kind: 'query', text, params: [], rowMode: undefined, rawTypes: [], blob: lines, transaction }));
    },
  });

  let nextListener = 1;
  return {
    ...querier(undefined),
    transaction: async (work) => {
      const id = (await request({ kind: 'begin' })) as number;
      let result;
      try {
        result = await work(querier(id));
      } catch (error: unknown) {
        await request({ kind: 'end', transaction: id, commit: false }).catch(() => {
          // The transaction is rolled back either way; the work's error is the one to report.
        });
        throw error;
      }
      await request({ kind: 'end', transaction: id, commit: true });
      return result;
    },
    listen: async (channel, onMessage) => {
      const listener = nextListener++;
      listeners.set(listener, onMessage);
      await request({ kind: 'listen', listener, channel });
      return async () => {
        listeners.delete(listener);
        await request({ kind: 'unlisten', listener });
      };
    },
    pendingRequests: () => pending.size,
    failure: () => broken,
    close: async () => {
      if (!broken) await request({ kind: 'close' });
      await worker.terminate();
    },
  };
}

function startThread(workerData: PgliteWorkerData): Worker {
  return new Worker(workerSource(new URL('./pgliteWorker.ts', import.meta.url), 'pgliteWorker.mjs'), { eval: true, execArgv: [], workerData });
}

/**
 * Creates and migrates a new data directory on a thread that then ends, before
 * the thread that serves it starts. PGlite's WebAssembly memory only grows, and
 * creating a database (initdb) grows it most: a server that created its data
 * directory on its serving thread idled at 850 MB of RSS until restarted, and at
 * 420 MB after (2026-12-02, empty database, PGlite's 128 MB of shared_buffers).
 */
async function initializeInThreadOfItsOwn(workerData: PgliteWorkerData): Promise<void> {
  const worker = startThread({ ...workerData, initializeOnly: true });
  const failed = (cause: Error) => new Error(`Creating the embedded database in ${workerData.dataDir} failed`, { cause });
  try {
    // No time limit, as before the thread was split off: a start waits as long as initdb does.
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: PgliteResponse) => {
        if (message.kind === 'ready') resolve();
        else if (message.kind === 'failed') reject(failed(deserialize(message.error)));
      });
      worker.on('error', (error) => reject(failed(error)));
      worker.on('exit', (code) => reject(failed(new Error(`its thread stopped (exit code ${code})`))));
    });
  } finally {
    await worker.terminate();
  }
}

function deserialize(serialized: SerializedError): Error {
  const error = Object.assign(new Error(serialized.message), serialized.fields);
  error.name = serialized.name;
  return error;
}
