/**
 * Messages between the server's thread and the file writer's thread
 * (`fileWriterThread.ts` ↔ `fileWriterWorker.ts`). Several batches may be
 * written at once (one per running job): each message names its write.
 *
 * The writer pulls records: for each pass over a batch (CSV and Parquet take a
 * first pass for their columns) it opens a read, asks for chunk after chunk,
 * and closes the read when it stops early. The server's thread reads them from
 * the database, a chunk ahead.
 */
import type { WrittenFile } from './batchFileWriter';
import type { OutputSpec } from './outputSpec';

export type ToFileWriter =
  | { kind: 'write'; write: number; output: OutputSpec; directory: string; storagePrefix: string; columnSample?: number }
  /**
   * The next chunk of a read, its records' JSON text joined by line breaks, as
   * the database gave it (split on the writer's thread, not the server's);
   * `text` null once the batch has no more, `error` when reading it failed.
   */
  | { kind: 'chunk'; write: number; read: number; text: string | null; error?: string }
  | { kind: 'abort'; write: number };

export type FromFileWriter =
  | { kind: 'open'; write: number; read: number }
  | { kind: 'next'; write: number; read: number }
  | { kind: 'close'; write: number; read: number }
  | { kind: 'written'; write: number; records: number }
  | { kind: 'done'; write: number; files: WrittenFile[] }
  /** `unwritable`: the error was an `UnwritableRecords`, whose message is for the job's owner. */
  | { kind: 'failed'; write: number; message: string; aborted: boolean; unwritable: boolean };
