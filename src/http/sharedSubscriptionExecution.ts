/**
 * Subscription execution that many subscribers share. graphql-js executes a
 * subscription's selection once per event per subscriber; with thousands of
 * subscribers watching the same jobs that is thousands of identical results.
 * Here the result of one event for one operation (document, variables) is
 * computed once, and serialised once, for every subscriber of that operation in
 * the same sharing scope (`scopeOf`: all of the context a result may depend on;
 * `sharingScopeOf` in src/context.ts). The hub delivers one event object to all
 * its watchers, which makes it the cache key.
 *
 * Over a socket whose operation has a `DirectSender`, a source that can push
 * (`JobWatch.deliverLive`) sends each result straight from the hub's fan-out:
 * one string concatenation and one socket write per subscriber, where pulling
 * through graphql-ws costs an async iteration, a hook, a validation and a
 * `JSON.stringify` of the whole message per subscriber per event.
 */
import {
  createSourceEventStream,
  execute,
  print,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

/** Sends one operation's `next` messages on its socket, bypassing graphql-ws's per-message path. */
export interface DirectSender {
  /** Sends a `next` message whose payload is this JSON text (a result without errors). */
  sendJson(payloadJson: string): void;
  /** Sends a result that carries errors, formatted and counted as graphql-ws's path would. */
  sendResult(result: ExecutionResult): void;
  /** Whether the client reads slower than its events come. */
  congested(): boolean;
  /**
   * Whether the socket is closing or closed (by its client, or by the sender for a client
   * that stopped reading): nothing more can reach it, so the watch may end at once rather
   * than when the socket's close comes through, which behind unread data takes up to 30 s.
   */
  gone(): boolean;
}

/** A source that can hand its events over as they come instead of being pulled (`JobWatch`). */
interface PushingSource extends AsyncIterableIterator<unknown> {
  deliverLive(consumer: { deliver(event: unknown): void; congested(): boolean }): Promise<void>;
}

/** One event's result for one operation, and its JSON once a direct send needed it. */
interface SharedResult {
  result: ExecutionResult | Promise<ExecutionResult>;
  /** undefined: not serialised yet; null: the result has errors, which go out formatted. */
  json?: string | null;
}

const resultsByEvent = new WeakMap<object, Map<string, SharedResult>>();

/**
 * graphql-ws's `subscribe`. `senderOf` finds the direct sender that the
 * socket's `onSubscribe` registered for these execution args, if any;
 * `scopeOf` says which subscribers' contexts are alike enough to share results;
 * `eventContextOf` makes the context each event is executed in from the subscriber's.
 */
export function sharedSubscriber(
  senderOf: (args: ExecutionArgs) => DirectSender | undefined,
  scopeOf: (contextValue: unknown) => string,
  eventContextOf: (contextValue: unknown) => unknown,
) {
  return async function sharedSubscribe(
    args: ExecutionArgs,
  ): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
    const operation = [
      scopeOf(args.contextValue),
      args.operationName ?? '',
      print(args.document),
      JSON.stringify(args.variableValues ?? {}),
    ].join('\n');
    const executeFor = (event: unknown) => execute({ ...args, rootValue: event, contextValue: eventContextOf(args.contextValue) });
    const sharedOf = (event: unknown): SharedResult => {
      if (typeof event !== 'object' || event === null) return { result: executeFor(event) };
      let results = resultsByEvent.get(event);
      if (!results) resultsByEvent.set(event, (results = new Map()));
      let shared = results.get(operation);
      if (!shared) results.set(operation, (shared = { result: executeFor(event) }));
      return shared;
    };
    const events = source as AsyncIterableIterator<unknown>;
    const sender = senderOf(args);
    if (sender && isPushing(events)) return pushed(events, sender, sharedOf);
    return pulled(events, (event) => Promise.resolve(sharedOf(event).result));
  };
}

function isPushing(source: AsyncIterableIterator<unknown>): source is PushingSource {
  return typeof (source as Partial<PushingSource>).deliverLive === 'function';
}

/** The results as graphql-ws pulls them: one await per event per subscriber. */
function pulled(
  events: AsyncIterableIterator<unknown>,
  resultOf: (event: unknown) => Promise<ExecutionResult>,
): AsyncGenerator<ExecutionResult, void, void> {
  // A plain iterator rather than an async generator: return() must reach the source at
  // once (the hub frees the watcher there), not after a pending next() settles.
  const iterator: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      const item = await events.next();
      return item.done ? { value: undefined, done: true } : { value: await resultOf(item.value), done: false };
    },
    async return() {
      await events.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * The results sent by the source's own fan-out. To graphql-ws this iterator
 * yields nothing and ends when the watch does, after the last send, so its
 * `complete` message follows the last `next`. A send or an execution that
 * fails ends the watch, and the iterator then throws: graphql-ws answers with
 * `error`, as it would for a pulled result.
 */
function pushed(
  source: PushingSource,
  sender: DirectSender,
  sharedOf: (event: unknown) => SharedResult,
): AsyncGenerator<ExecutionResult, void, void> {
  // Sends wait here only behind a result that is still being computed (a field that reads
  // the database): a later event must not overtake it. It never rejects.
  let pending: Promise<void> | null = null;
  // Set by return(), or by a failure: the client completed the operation (or left), so a send
  // still waiting behind a result must not follow with a `next` for an id it no longer has.
  let stopped = false;
  let failure: { error: unknown } | null = null;
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    stopped = true;
    void source.return?.();
  };
  const send = (shared: SharedResult, result: ExecutionResult) => {
    if (stopped) return;
    if (sender.gone()) {
      // Ended quietly, not failed: a replay still reading the tenant's history stops at its next page.
      stopped = true;
      void source.return?.();
      return;
    }
    try {
      if (shared.json === undefined) shared.json = result.errors?.length ? null : JSON.stringify(result);
      if (shared.json === null) sender.sendResult(result);
      else sender.sendJson(shared.json);
    } catch (error: unknown) {
      fail(error);
    }
  };
  const deliver = (event: unknown) => {
    const shared = sharedOf(event);
    const { result } = shared;
    if (pending === null && !(result instanceof Promise)) {
      send(shared, result);
      return;
    }
    const step: Promise<void> = (pending ?? Promise.resolve())
      .then(() => result)
      .then((value) => send(shared, value), fail)
      .finally(() => {
        if (pending === step) pending = null;
      });
    pending = step;
  };
  let live: Promise<void> | undefined;
  const done = (): IteratorResult<ExecutionResult, void> => ({ value: undefined, done: true });
  const iterator: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      live ??= source.deliverLive({ deliver, congested: () => sender.congested() });
      await live;
      await pending;
      if (failure) throw (failure as { error: unknown }).error;
      return done();
    },
    async return() {
      stopped = true;
      await source.return?.();
      return done();
    },
    async throw(error: unknown) {
      stopped = true;
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
