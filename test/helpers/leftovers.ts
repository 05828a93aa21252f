/**
 * What a test file opened through the helpers and has not closed yet:
 * databases, test servers, service processes. `test/leftoverGuard.ts`, run
 * around every test file, fails a file whose own hooks left any of them open,
 * after closing them (graphql-ws's tests/utils/tservers.ts keeps such a list):
 * a forgotten close shows as the failure of the file that forgot it, not as a
 * hang, a stray runner or a slow run later.
 */
interface Leftover {
  what: string;
  close(): Promise<unknown>;
}

const open = new Map<number, Leftover>();
let opened = 0;

/** Records `what` as open until the returned function is called; `close` ends it if the file forgets. */
export function trackOpen(what: string, close: () => Promise<unknown>): () => void {
  const id = ++opened;
  open.set(id, { what, close });
  return () => void open.delete(id);
}

/** Closes what is still open, the last opened first (a server before its database); answers what it was. */
export async function closeLeftovers(): Promise<string[]> {
  const left = [...open.values()].reverse();
  open.clear();
  for (const leftover of left) await leftover.close().catch(() => {});
  return left.map((leftover) => leftover.what);
}
