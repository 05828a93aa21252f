/**
 * The file writer's thread: runs `writeBatchFiles` for the server's thread
 * (`fileWriterThread.ts`), its records pulled from there chunk by chunk. The
 * encoding (JSON parsing, CSV rows, Parquet row groups, hashing) then never
 * holds the event loop that serves the API, and it runs beside the reading of
 * the next chunk instead of after it.
 */
import { UnwritableRecords } from './unwritableRecords';
import { parentPort } from 'node:worker_threads';
import { writeBatchFiles } from './batchFileWriter';
import type { FromFileWriter, ToFileWriter } from './fileWriterProtocol';

const port = parentPort!;
const send = (message: FromFileWriter) => port.postMessage(message);

interface Write {
  abort: AbortController;
  /** Per read: who waits for its next chunk. */
  waiting: Map<number, (chunk: Extract<ToFileWriter, { kind: 'chunk' }>) => void>;
  nextRead: number;
}
const writes = new Map<number, Write>();

port.on('message', (message: ToFileWriter) => {
  switch (message.kind) {
    case 'write':
      return start(message);
    case 'chunk': {
      const waiter = writes.get(message.write)?.waiting.get(message.read);
      writes.get(message.write)?.waiting.delete(message.read);
      return waiter?.(message);
    }
    case 'abort':
      return writes.get(message.write)?.abort.abort(new Error('aborted'));
  }
});

function start(message: Extract<ToFileWriter, { kind: 'write' }>): void {
  const id = message.write;
  const state: Write = { abort: new AbortController(), waiting: new Map(), nextRead: 1 };
  writes.set(id, state);
  writeBatchFiles({
    output: message.output,
    directory: message.directory,
    storagePrefix: message.storagePrefix,
    ...(message.columnSample === undefined ? {} : { columnSample: message.columnSample }),
    signal: state.abort.signal,
    onRecordsWritten: (records) => send({ kind: 'written', write: id, records }),
    readChunks: () => pulledChunks(id, state),
  }).then(
    (files) => send({ kind: 'done', write: id, files }),
    (error: unknown) =>
      send({
        kind: 'failed',
        write: id,
        message: error instanceof Error ? error.message : String(error),
        aborted: state.abort.signal.aborted,
        unwritable: error instanceof UnwritableRecords,
      }),
  ).finally(() => writes.delete(id));
}

/** One pass over the batch: chunks asked of the server's thread one at a time. */
async function* pulledChunks(write: number, state: Write): AsyncGenerator<string> {
  const read = state.nextRead++;
  send({ kind: 'open', write, read });
  let ended = false;
  try {
    for (;;) {
      const { signal } = state.abort;
      signal.throwIfAborted();
      let onAbort = () => {};
      const chunk = await new Promise<Extract<ToFileWriter, { kind: 'chunk' }>>((resolve, reject) => {
        // An abort does not wait for the chunk asked for.
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        state.waiting.set(read, resolve);
        send({ kind: 'next', write, read });
      }).finally(() => signal.removeEventListener('abort', onAbort));
      if (chunk.error !== undefined) throw new Error(chunk.error);
      if (chunk.text === null) {
        ended = true;
        return;
      }
      yield chunk.text;
    }
  } finally {
    if (!ended) send({ kind: 'close', write, read });
  }
}
