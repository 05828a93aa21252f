import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { CopyStream } from './database';

// Lines are sent in chunks of about this many characters: one socket write each.
const COPY_CHUNK_CHARS = 256 * 1024;

/**
 * postgres.js' COPY FROM STDIN stream behind `CopyStream`. A manual write/drain
 * loop instead of `stream.pipeline`: postgres.js' COPY streams do not always
 * emit `close` (porsager/postgres issue), which can hang a pipeline.
 */
export function postgresCopyStream(stream: Writable): CopyStream {
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) =>
    stream.once('error', (error: Error) => {
      failure = error;
      reject(new Error('COPY failed', { cause: error }));
    }),
  );
  failed.catch(() => {}); // observed through `failure` and the awaits below
  let chunk = '';

  const flush = async () => {
    if (failure) throw new Error('COPY failed', { cause: failure });
    const data = chunk;
    chunk = '';
    if (data !== '' && !stream.write(data)) await Promise.race([once(stream, 'drain'), failed]);
  };

  return {
    write: async (line) => {
      chunk += line;
      if (chunk.length >= COPY_CHUNK_CHARS) await flush();
    },
    end: async () => {
      await flush();
      const finished = once(stream, 'finish');
      stream.end();
      await Promise.race([finished, failed]);
    },
    abort: async (reason) => {
      // CopyFail: PostgreSQL ends the COPY with an error and the transaction is rolled back after.
      if (!failure) stream.destroy(reason);
    },
  };
}
