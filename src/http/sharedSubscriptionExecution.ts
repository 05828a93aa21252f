/**
 * Subscription execution that many subscribers share. graphql-js executes a
 * subscription's selection once per event per subscriber; with thousands of
 * subscribers watching the same jobs that is thousands of identical results.
 * Here the result of one event for one operation (document, variables) is
 * computed once and handed to every subscriber of that operation. The hub
 * delivers one event object to all its watchers, which makes it the cache key.
 */
import {
  createSourceEventStream,
  execute,
  print,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

export async function sharedSubscribe(
  args: ExecutionArgs,
): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const operation = `${args.operationName ?? ''}\n${print(args.document)}\n${JSON.stringify(args.variableValues ?? {})}`;
  const events = source as AsyncIterableIterator<unknown>;
  const resultOf = (event: unknown): Promise<ExecutionResult> => {
    if (typeof event !== 'object' || event === null) return Promise.resolve(execute({ ...args, rootValue: event }));
    let results = resultsByEvent.get(event);
    if (!results) resultsByEvent.set(event, (results = new Map()));
    let result = results.get(operation);
    if (!result) results.set(operation, (result = Promise.resolve(execute({ ...args, rootValue: event }))));
    return result;
  };
  // A plain iterator rather than an async generator: return() must reach the source at
  // once (the hub frees the watcher there), not after a pending next() settles.
  const mapped: AsyncGenerator<ExecutionResult, void, void> = {
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
      return mapped;
    },
  };
  return mapped;
}
