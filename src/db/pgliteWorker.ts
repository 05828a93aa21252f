/**
 * The thread that owns the embedded PGlite (started by `pgliteThread.ts`).
 * PGlite executes SQL synchronously in WebAssembly on the thread that calls
 * it; here, that is never the server's event loop, so HTTP, WebSockets and
 * timers go on while a statement runs. It applies the migrations, then answers
 * the messages of `pgliteProtocol.ts` one at a time; or, started with
 * `initializeOnly` to create a new data directory, closes and answers `ready`.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import {
  errorFields,
  type PgliteRequest,
  type PgliteResponse,
  type PgliteWorkerData,
  type SerializedError,
} from './pgliteProtocol';

const port = parentPort!;
const { dataDir, memoryTemplate, sharedBuffersMb, migrationsFolder, initializeOnly } = workerData as PgliteWorkerData;

const send = (message: PgliteResponse) => port.postMessage(message);

async function open(): Promise<PGlite> {
  // As a start parameter, beside PGlite's own: its `postgresqlconf` option would rewrite the
  // data directory's whole postgresql.conf, and the setting would outlive the process.
  const startParams =
    sharedBuffersMb === undefined ? {} : { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`] };
  const client = dataDir
    ? new PGlite({ dataDir, ...startParams })
    : new PGlite({ ...(memoryTemplate ? { loadDataDir: snapshotBytes(memoryTemplate) } : {}), ...startParams });
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
  } catch (error: unknown) {
    await client.close();
    throw error;
  }
  return client;
}

/**
 * A dumped data directory (a tar) as `loadDataDir` reads it: PGlite 0.5 asks the
 * blob for its `arrayBuffer()` and `type` (and whether it is a File), nothing
 * else; an upgrade that reads it otherwise fails every test database's open.
 * Node 20's own Blob answers `arrayBuffer()` by reading itself back in small
 * pieces and joining them: about 0.3 s of each open of the 41 MB snapshot here.
 */
function snapshotBytes(path: string): Blob {
  const bytes = readFileSync(path);
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const read = async () => (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { type: 'application/x-tar', size: bytes.byteLength, arrayBuffer: read } as Blob;
}

/** Open transactions by id, each with the function that ends it. */
const transactions = new Map<number, { tx: Transaction; end: (commit: boolean) => void; ended: Promise<unknown> }>();
const unlisteners = new Map<number, () => Promise<void>>();
let nextTransactionId = 1;

async function handle(client: PGlite, request: PgliteRequest): Promise<unknown> {
  switch (request.kind) {
    case 'query': {
      const options: QueryOptions = {
        rowMode: request.rowMode,
        // Types whose text the caller keeps as it is (drizzle parses dates itself).
        parsers: Object.fromEntries(request.rawTypes.map((oid) => [oid, (text: string) => text])),
      };
      if (request.blob !== undefined) options.blob = new Blob([request.blob]);
      const runner = request.transaction === undefined ? client : transactionOf(request.transaction).tx;
      const startedAt = performance.now();
      const { rows, fields, affectedRows } = await runner.query(request.text, request.params, options);
      return { rows, fields, affectedRows, executionMs: performance.now() - startedAt };
    }
    case 'begin':
      return begin(client);
    case 'end': {
      const open = transactionOf(request.transaction);
      open.end(request.commit);
      await open.ended;
      return null;
    }
    case 'listen': {
      const unlisten = await client.listen(request.channel, (payload) =>
        send({ kind: 'notification', listener: request.listener, payload }),
      );
      unlisteners.set(request.listener, unlisten);
      return null;
    }
    case 'unlisten':
      await unlisteners.get(request.listener)?.();
      unlisteners.delete(request.listener);
      return null;
    case 'close':
      await client.close();
      return null;
  }
}

function transactionOf(id: number) {
  const open = transactions.get(id);
  if (!open) throw new Error(`Transaction ${id} is not open`);
  return open;
}

/** Opens a transaction and answers its id once inside it; it stays open until its `end`. */
function begin(client: PGlite): Promise<number> {
  const id = nextTransactionId++;
  return new Promise<number>((inside, failed) => {
    let end!: (commit: boolean) => void;
    const decided = new Promise<boolean>((resolve) => (end = resolve));
    const ended = client
      .transaction(async (tx) => {
        transactions.set(id, { tx, end, ended });
        inside(id);
        if (!(await decided)) await tx.rollback();
      })
      .finally(() => transactions.delete(id));
    // A failure to begin rejects the request; one at commit rejects the `end`.
    ended.catch(failed);
  });
}

function serialize(error: unknown): SerializedError {
  if (error instanceof Error) return { message: error.message, name: error.name, fields: errorFields(error) };
  return { message: String(error), name: 'Error', fields: {} };
}

/**
 * Requests run one at a time, chosen here rather than in PGlite's own FIFO
 * lock: an interactive request (an API call) goes before background ones (the
 * runner's chunks and counts), so it waits for at most the statement running
 * now. A background request that has waited `BACKGROUND_MAX_WAIT_MS` goes
 * first all the same: lease renewals must not starve. During a transaction
 * only its own requests run.
 */
const BACKGROUND_MAX_WAIT_MS = 200;
const queue: { request: PgliteRequest; arrivedAt: number }[] = [];
let running = false;
let inTransaction: number | undefined;

function nextRequest(): { request: PgliteRequest; arrivedAt: number } | undefined {
  const eligible = (entry: (typeof queue)[number]) => {
    const transaction = 'transaction' in entry.request ? entry.request.transaction : undefined;
    // A statement of a transaction that has ended (sent late, after its rollback) is answered at
    // once with the error that says so: waiting for its transaction, it would wait forever.
    if (transaction !== undefined && !transactions.has(transaction)) return true;
    return inTransaction === undefined ? transaction === undefined : transaction === inTransaction;
  };
  let chosen = -1;
  for (let i = 0; i < queue.length; i++) {
    const entry = queue[i]!;
    if (!eligible(entry)) continue;
    if (chosen === -1) chosen = i;
    const overdue = entry.request.background && performance.now() - entry.arrivedAt >= BACKGROUND_MAX_WAIT_MS;
    if (overdue) {
      chosen = i;
      break;
    }
    if (!entry.request.background && queue[chosen]!.request.background) chosen = i;
  }
  return chosen === -1 ? undefined : queue.splice(chosen, 1)[0]!;
}

function pump(client: PGlite): void {
  if (running) return;
  const next = nextRequest();
  if (!next) return;
  const request = next.request;
  running = true;
  handle(client, request)
    .then(
      (result) => {
        if (request.kind === 'begin') inTransaction = result as number;
        if (request.kind === 'end') inTransaction = undefined;
        send({ kind: 'result', id: request.id, result });
      },
      (error: unknown) => {
        if (request.kind === 'end') inTransaction = undefined;
        send({ kind: 'error', id: request.id, error: serialize(error) });
      },
    )
    .finally(() => {
      running = false;
      schedulePump(client);
    });
}

let pumpScheduled = false;

/**
 * Chooses the next request on the next turn of the event loop, once every
 * message that arrived meanwhile is queued: while a statement runs, the thread
 * receives nothing, and a request sent during it must be able to go first.
 */
function schedulePump(client: PGlite): void {
  if (pumpScheduled) return;
  pumpScheduled = true;
  setImmediate(() => {
    pumpScheduled = false;
    pump(client);
  });
}

open().then(
  async (client) => {
    if (initializeOnly) {
      await client.close();
      return send({ kind: 'ready' });
    }
    port.on('message', (request: PgliteRequest) => {
      queue.push({ request, arrivedAt: performance.now() });
      schedulePump(client);
    });
    send({ kind: 'ready' });
  },
  (error: unknown) => send({ kind: 'failed', error: serialize(error) }),
).catch((error: unknown) => send({ kind: 'failed', error: serialize(error) }));
