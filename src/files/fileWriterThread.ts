/**
 * `writeBatchFiles` on a thread of its own (`fileWriterWorker.ts`), seen from
 * the server's thread: the same options and answer. The records are read here
 * (the database is this thread's), a chunk ahead of what the writer has asked
 * for, and handed over as the database's text (one string: splitting it into
 * records here and cloning each took a fifth of this thread's busy time in a
 * JSON Lines write); splitting, parsing and encoding them, hashing and
 * compressing happen there. Measured on PostgreSQL, Parquet's row groups held
 * the event loop 60–80 ms each, and the API's p99 during a Parquet write rose
 * from 13 to 46 ms.
 *
 * One thread serves the whole process: started by a write, kept while writes
 * follow one another, and ended once none has run for `IDLE_MS`, so that an
 * idle server holds none of its memory. It never keeps the process alive. If
 * it dies, the writes under way fail and the next write starts another.
 */
import { UnwritableRecords } from './unwritableRecords';
import { Worker } from 'node:worker_threads';
import { workerSource } from '../workerSource';
import type { WriteOptions, WrittenFile } from './batchFileWriter';
import type { FromFileWriter, ToFileWriter } from './fileWriterProtocol';

interface PendingWrite {
  options: WriteOptions;
  resolve(files: WrittenFile[]): void;
  reject(error: unknown): void;
  reads: Map<number, ChunkRead>;
  /** The first error of a read here: the cause the write reports, rather than the writer's account of it. */
  readError?: unknown;
}

/** How long the thread outlives its last write. */
const IDLE_MS = 10_000;

interface WriterThread {
  worker: Worker;
  writes: Map<number, PendingWrite>;
  /** Set while no write runs: ends the thread. */
  idle?: NodeJS.Timeout;
}

let thread: WriterThread | undefined;
let nextWrite = 1;

/** Writes a batch's files as `writeBatchFiles` does, on the file writer's thread. */
export function writeBatchFilesOnThread(options: WriteOptions): Promise<WrittenFile[]> {
  const started = writerThread();
  const { worker, writes } = started;
  clearTimeout(started.idle);
  const write = nextWrite++;
  return new Promise<WrittenFile[]>((resolve, reject) => {
    const pending: PendingWrite = { options, resolve, reject, reads: new Map() };
    writes.set(write, pending);
    const onAbort = () => worker.postMessage({ kind: 'abort', write } satisfies ToFileWriter);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => options.signal?.removeEventListener('abort', onAbort);
    pending.resolve = (files) => (settle(), resolve(files));
    pending.reject = (error) => (settle(), reject(error));
    worker.postMessage({
      kind: 'write',
      write,
      output: options.output,
      directory: options.directory,
      storagePrefix: options.storagePrefix,
      ...(options.columnSample === undefined ? {} : { columnSample: options.columnSample }),
    } satisfies ToFileWriter);
    if (options.signal?.aborted) onAbort();
  });
}

function writerThread(): WriterThread {
  if (thread) return thread;
  const worker = new Worker(workerSource(new URL('./fileWriterWorker.ts', import.meta.url), 'fileWriterWorker.mjs'), {
    eval: true,
    execArgv: [],
  });
  worker.unref();
  const writes = new Map<number, PendingWrite>();
  const started: WriterThread = { worker, writes };
  thread = started;
  const endIfIdle = () => {
    if (writes.size > 0) return;
    started.idle = setTimeout(() => {
      if (thread === started) thread = undefined;
      void worker.terminate();
    }, IDLE_MS).unref();
  };
  const post = (message: ToFileWriter) => worker.postMessage(message);
  worker.on('message', (message: FromFileWriter) => {
    const pending = writes.get(message.write);
    if (!pending) return;
    switch (message.kind) {
      case 'open':
        pending.reads.set(message.read, new ChunkRead(pending.options.readChunks()));
        return;
      case 'next': {
        const read = pending.reads.get(message.read);
        if (!read) return;
        read.next().then(
          (text) => post({ kind: 'chunk', write: message.write, read: message.read, text }),
          (error: unknown) => {
            pending.readError ??= error;
            post({ kind: 'chunk', write: message.write, read: message.read, text: null, error: String(error) });
          },
        );
        return;
      }
      case 'close':
        void pending.reads.get(message.read)?.close();
        pending.reads.delete(message.read);
        return;
      case 'written':
        pending.options.onRecordsWritten?.(message.records);
        return;
      case 'done':
      case 'failed': {
        writes.delete(message.write);
        endIfIdle();
        const closing = [...pending.reads.values()].map((read) => read.close());
        void Promise.all(closing).finally(() => {
          if (message.kind === 'done') return pending.resolve(message.files);
          // As writeBatchFiles: an abort rejects with the signal's reason; a failed read with its own error.
          if (message.aborted && pending.options.signal?.aborted) return pending.reject(pending.options.signal.reason);
          pending.reject(pending.readError ?? (message.unwritable ? new UnwritableRecords(message.message) : new Error(message.message)));
        });
        return;
      }
    }
  });
  const fail = (error: Error) => {
    if (thread === started) thread = undefined;
    const broken = new Error('The file writer thread stopped', { cause: error });
    for (const pending of writes.values()) pending.reject(broken);
    writes.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  return started;
}

/** One pass over a batch's records, read a chunk ahead of what was asked. */
class ChunkRead {
  readonly #chunks: AsyncIterator<string>;
  /** The read in flight: asked for, or ahead. */
  #reading: Promise<IteratorResult<string>> | undefined;
  #closed = false;

  constructor(chunks: AsyncIterable<string>) {
    this.#chunks = chunks[Symbol.asyncIterator]();
  }

  /** The next chunk, null once there is none; starts reading the one after. */
  async next(): Promise<string | null> {
    const current = this.#reading ?? this.#chunks.next();
    this.#reading = current;
    const result = await current;
    if (this.#reading === current) this.#reading = undefined;
    if (result.done) return null;
    if (!this.#closed) {
      this.#reading = this.#chunks.next();
      this.#reading.catch(() => {}); // reported when asked for
    }
    return result.value;
  }

  /** Stops reading: lets the read in flight end, then ends the iterator. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#reading) {
      const reading = this.#reading;
      await reading.catch(() => {});
      if (this.#reading === reading) this.#reading = undefined;
    }
    await this.#chunks.return?.();
  }
}
