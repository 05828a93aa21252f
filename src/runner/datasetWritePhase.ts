/**
 * The dataset write: once every record of the job is in `batch_records`, each
 * batch's records become files (format, compression and size from the job's
 * output), read back in key order a chunk at a time, with its manifest beside
 * them, stored by the job's file store (local disk, or uploaded to S3 from a
 * staging directory). Nothing is recorded here: the caller lists the files in
 * the statement that ends the job, so a crash leaves at most unlisted files,
 * which the rerun writes (and uploads) again, byte for byte.
 *
 * The phase watches the job while it writes: every `WATCH_INTERVAL_MS` it
 * records how many records are in files (`written_records`, the last tenth of
 * `progress.percent`), and a cancel, a lost lease or the runner stopping ends it.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { asc, eq } from 'drizzle-orm';
import { batchRecordTexts } from '../batches/batchRecordTexts';
import type { AppDatabase } from '../db/database';
import { batches, type ExportJobRow } from '../db/schema';
import { FaultPoint, reachFaultPoint } from '../faultPoint';
import { batchManifest, MANIFEST_NAME } from '../files/batchManifest';
import { writeFileSafely, type WrittenFile } from '../files/batchFileWriter';
import { writeBatchFilesOnThread } from '../files/fileWriterThread';
import type { FileStore } from '../files/fileStore';
import { contentTypeOf, outputOf } from '../files/outputSpec';
import type { NewBatchFile } from './sql/completeJob';
import { recordWrittenRecords } from './sql/recordWrittenRecords';
import { WriteProgress } from './writeProgress';

/** How often the phase looks whether it should stop. */
const WATCH_INTERVAL_MS = 500;
/**
 * Records read per statement, at most. Short statements, so API requests on
 * PGlite's one connection wait little: 5,000 small records took 16 ms there
 * (p99 65 ms, 200,000 records), inside the runner's own chunk time
 * (RUNNER_CHUNK_MS, 70). Against 2,000, the server's thread was busy about a
 * third less on PostgreSQL (1.3–1.7 against 2.0–2.7 s for 1,000,000 records).
 */
const READ_CHUNK = 5_000;

export type DatasetWriteOutcome =
  | { kind: 'written'; files: NewBatchFile[] }
  | { kind: 'cancelled' | 'lost' | 'stopping' };

export async function writeDataset(
  env: { db: AppDatabase; runnerId: string; files: FileStore; stopping(): boolean },
  job: ExportJobRow,
): Promise<DatasetWriteOutcome> {
  const { db, files } = env;
  const output = outputOf(job);
  // Records count once they went into a file (CSV and Parquet read some or all records first, for their columns).
  const progress = new WriteProgress();
  const watch = watchJob(env, job.id, () => progress.written);
  try {
    const jobBatches = await db.select().from(batches).where(eq(batches.jobId, job.id)).orderBy(asc(batches.id));
    const rows: NewBatchFile[] = [];
    const contentType = contentTypeOf(output);
    for (const batch of jobBatches) {
      let written: WrittenFile[] = [];
      // The store empties the directory first: what an earlier run left (a temporary file), this
      // run writes again. A run whose lease ran out while it was held up (a pause longer than the
      // lease) must not empty one whose files the job's new holder has written and listed: it
      // looks again before each batch, not just every 500 ms.
      await watch.lookNow();
      watch.signal.throwIfAborted();
      await files.storeBatch(
        job.id,
        batch.id,
        async (directory) => {
          written = await writeBatchFilesOnThread({
            readChunks: () => batchRecordTexts(db, batch.id, READ_CHUNK),
            onRecordsWritten: (records) => progress.recordsWritten(records),
            output,
            directory,
            storagePrefix: files.keyPrefixOf(job.id, batch.id),
            signal: watch.signal,
          });
          reachFaultPoint(FaultPoint.AFTER_BATCH_FILES_WRITTEN);
          const manifest = batchManifest(batch, output, written);
          const manifestText = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
          await writeFileSafely(directory, MANIFEST_NAME, 'NONE', Readable.from([manifestText]), watch.signal);
          // The manifest last: where files appear one by one (S3), a manifest in sight means its files are.
          return [...written.map(({ name }) => ({ name, contentType })), { name: MANIFEST_NAME, contentType: 'application/json' }];
        },
        watch.signal,
      );
      progress.batchDone();
      for (const file of written) {
        rows.push({
          id: randomUUID(),
          batchId: batch.id,
          jobId: job.id,
          orgId: job.orgId,
          sandboxName: job.sandboxName,
          fileIndex: file.fileIndex,
          name: file.name,
          format: output.format,
          compression: output.compression,
          records: file.records,
          bytes: file.bytes,
          sha256: file.sha256,
          storageKey: file.storageKey,
        });
      }
    }
    return { kind: 'written', files: rows };
  } catch (error: unknown) {
    if (watch.signal.aborted) return { kind: watch.signal.reason as 'cancelled' | 'lost' | 'stopping' };
    throw error;
  } finally {
    await watch.stop();
  }
}

/**
 * Records the phase's progress, and aborts with the reason to stop ('cancelled',
 * 'lost', 'stopping') once the job or the runner says so.
 */
function watchJob(env: { db: AppDatabase; runnerId: string; stopping(): boolean }, jobId: number, written: () => number) {
  const controller = new AbortController();
  let checking: Promise<void> | null = null;
  const look = () =>
    recordWrittenRecords(env.db, jobId, env.runnerId, written())
      .then((status) => {
        if (status === null) controller.abort('lost');
        else if (status === 'CANCELLING') controller.abort('cancelled');
      })
      // A failed look is no reason to stop: the next one looks again, and the lease decides.
      .catch(() => {});
  const timer = setInterval(() => {
    if (checking) return;
    if (env.stopping()) return controller.abort('stopping');
    checking = look().finally(() => (checking = null));
  }, WATCH_INTERVAL_MS);
  return {
    signal: controller.signal,
    /** Looks now, after the look on its way (if any): whether the job is still this run's to write. */
    lookNow: async () => {
      await checking;
      if (!controller.signal.aborted) await look();
    },
    /** Ends the looks, once the one on its way (if any) has: none runs after the phase. */
    stop: async () => {
      clearInterval(timer);
      await checking;
    },
  };
}

