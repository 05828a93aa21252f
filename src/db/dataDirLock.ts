/**
 * One process at a time in an embedded PGlite directory: a second opener (a
 * second server, or the ingest command beside a running server) would corrupt
 * it. The lock is a file holding the owner's pid, created whole (written aside,
 * then linked into place) so no one ever reads it half-written; a lock whose
 * process is gone is taken over.
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

export class DataDirInUseError extends Error {}

/** Takes the lock of `dataDir` or throws `DataDirInUseError`; returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  const ours = `${lockFile}.${process.pid}`;
  writeFileSync(ours, String(process.pid));
  try {
    for (;;) {
      try {
        linkSync(ours, lockFile);
        return () => unlinkSync(lockFile);
      } catch (error: unknown) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new Error(`Could not lock ${dataDir}`, { cause: error });
        }
      }
      const owner = Number(readFileSync(lockFile, 'utf8'));
      if (isAlive(owner) && owner !== process.pid) {
        throw new DataDirInUseError(
          `The embedded database in ${dataDir} is in use by process ${owner} (a running server?). ` +
            'Stop that process first, or use DATABASE_URL=postgres://… so several processes can share the data.',
        );
      }
      unlinkSync(lockFile); // left by a process that is gone
    }
  } finally {
    unlinkSync(ours);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
