/**
 * Shared subscription execution: one result and one JSON text per event,
 * operation and sharing scope, sent straight from a pushing source, in the events' order even
 * behind a field that resolves later, and ended only after the last send.
 */
import { buildSchema, parse, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sharedSubscriber, type DirectSender } from '../../src/http/sharedSubscriptionExecution';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type Tick { n: Int! slow: Int! broken: Int }
  type Subscription { ticks: Tick! }
`);

interface Tick {
  n: number;
  /** When `slow` resolves, or undefined for at once. */
  later?: Promise<number>;
}

/** A source like JobWatch: pulled, or pushed through deliverLive until end(). */
function pushingSource() {
  let consumer: { deliver(event: unknown): void; congested(): boolean } | undefined;
  let ended: (() => void) | undefined;
  const offered: Tick[] = [];
  const source = {
    next: () =>
      new Promise<IteratorResult<unknown>>((resolve) => {
        const tick = offered.shift();
        if (tick) resolve({ value: tick, done: false });
      }),
    return: () => {
      ended?.();
      return Promise.resolve({ value: undefined, done: true as const });
    },
    deliverLive(taker: typeof consumer) {
      consumer = taker;
      return new Promise<void>((resolve) => (ended = resolve));
    },
    [Symbol.asyncIterator]() {
      return source;
    },
  };
  return {
    source,
    push: (tick: Tick) => consumer!.deliver(tick),
    congested: () => consumer!.congested(),
    end: () => ended!(),
    started: () => consumer !== undefined,
    /** What the next pull answers (offer before pulling). */
    offer: (tick: Tick) => offered.push(tick),
  };
}

function recordingSender(): DirectSender & { sent: string[]; failed: ExecutionResult[]; full: boolean; closed: boolean } {
  const sender = {
    sent: [] as string[],
    failed: [] as ExecutionResult[],
    full: false,
    closed: false,
    sendJson: (json: string) => sender.sent.push(json),
    sendResult: (result: ExecutionResult) => sender.failed.push(result),
    congested: () => sender.full,
    gone: () => sender.closed,
  };
  return sender;
}

/** Executions of a subscription's selection, all tests together. */
let executions = 0;

function argsFor(query: string, source: ReturnType<typeof pushingSource>['source']): ExecutionArgs {
  return {
    schema,
    document: parse(query),
    rootValue: {
      ticks: () => source,
    },
    // Subscription.ticks is the event itself; Tick's fields read it.
    fieldResolver: (parent, _args, _context, info) => {
      if (info.parentType.name === 'Subscription') {
        executions++;
        return parent;
      }
      const tick = parent as Tick;
      if (info.fieldName === 'slow') return tick.later ?? tick.n;
      if (info.fieldName === 'broken') throw new Error(`tick ${tick.n} is broken`);
      return tick.n;
    },
  };
}

async function subscribed(query: string, sender: DirectSender | undefined, scope = 'one scope') {
  const pushing = pushingSource();
  const args = { ...argsFor(query, pushing.source), contextValue: { scope } };
  const subscribe = sharedSubscriber(
    (given) => (given === args ? sender : undefined),
    (context) => (context as { scope: string }).scope,
    (context) => context,
  );
  const results = (await subscribe(args)) as AsyncGenerator<ExecutionResult, void, void>;
  return { pushing, results };
}

/** A subscription of `ticks { n slow }` whose live delivery has begun, with a first tick whose `slow` resolves at `release`. */
async function withSlowFirstTick(sender: DirectSender) {
  const { pushing, results } = await subscribed('subscription { ticks { n slow } }', sender);
  const ended = results.next();
  await Promise.resolve();
  let release!: (value: number) => void;
  pushing.push({ n: 1, later: new Promise<number>((resolve) => (release = resolve)) });
  return { pushing, results, ended, release };
}

describe('shared subscription execution', () => {
  it.each([
    { scopes: ['one scope', 'one scope'], executions: 1, case: 'once for both subscribers of one sharing scope' },
    { scopes: ['tenant A', 'tenant B'], executions: 2, case: 'apart for each sharing scope' },
  ])('sends each event as JSON straight from the push, computed $case', async ({ scopes, executions: expected }) => {
    const first = recordingSender();
    const second = recordingSender();
    const a = await subscribed('subscription { ticks { n } }', first, scopes[0]);
    const b = await subscribed('subscription { ticks { n } }', second, scopes[1]);
    const ended = [a.results.next(), b.results.next()];
    await Promise.resolve();
    const tick = { n: 1 };
    const before = executions;
    a.pushing.push(tick);
    b.pushing.push(tick);
    // Sent synchronously, during the push itself.
    expect(first.sent).toEqual(['{"data":{"ticks":{"n":1}}}']);
    expect(second.sent).toEqual(first.sent);
    // Equal text either way; across scopes, nothing computed for one reached the other.
    expect(executions - before).toBe(expected);
    a.pushing.end();
    b.pushing.end();
    expect(await Promise.all(ended)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
  });

  it('keeps the events in order behind a field that resolves later, and ends only after the last send', async () => {
    const sender = recordingSender();
    const { pushing, ended, release } = await withSlowFirstTick(sender);
    pushing.push({ n: 2 });
    pushing.push({ n: 3 });
    pushing.end();
    expect(sender.sent).toEqual([]);
    let settled = false;
    void ended.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    release(10);
    await ended;
    expect(sender.sent).toEqual([
      '{"data":{"ticks":{"n":1,"slow":10}}}',
      '{"data":{"ticks":{"n":2,"slow":2}}}',
      '{"data":{"ticks":{"n":3,"slow":3}}}',
    ]);
  });

  it('sends nothing once the client has completed the operation, not even a result that was still resolving', async () => {
    const sender = recordingSender();
    const { results, ended, release } = await withSlowFirstTick(sender);
    await results.return();
    release(10);
    await ended;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sender.sent).toEqual([]);
    expect(sender.failed).toEqual([]);
  });

  it('hands a result with errors to the sender whole, to be formatted, never as shared JSON', async () => {
    const sender = recordingSender();
    const { pushing, results } = await subscribed('subscription { ticks { n broken } }', sender);
    const ended = results.next();
    await Promise.resolve();
    pushing.push({ n: 7 });
    pushing.end();
    await ended;
    expect(sender.sent).toEqual([]);
    expect(sender.failed).toHaveLength(1);
    expect(sender.failed[0]!.data).toEqual({ ticks: { n: 7, broken: null } });
    expect(sender.failed[0]!.errors?.[0]?.message).toBe('tick 7 is broken');
  });

  it('tells the source whether the sender is congested', async () => {
    const sender = recordingSender();
    const { pushing, results } = await subscribed('subscription { ticks { n } }', sender);
    const ended = results.next();
    await Promise.resolve();
    expect(pushing.congested()).toBe(false);
    sender.full = true;
    expect(pushing.congested()).toBe(true);
    await results.return();
    await ended;
  });

  it('ends the watch quietly at the next event once the socket is gone, before its close comes through', async () => {
    const sender = recordingSender();
    const { pushing, results } = await subscribed('subscription { ticks { n } }', sender);
    const ended = results.next();
    await Promise.resolve();
    pushing.push({ n: 1 });
    // Closed for reading too slowly, say: the socket's 'close' (and graphql-ws's return()) comes later.
    sender.closed = true;
    pushing.push({ n: 2 });
    // The source was told to stop (its replay reads no further page), and the operation ends without an error.
    expect(await ended).toEqual({ value: undefined, done: true });
    expect(sender.sent).toEqual([JSON.stringify({ data: { ticks: { n: 1 } } })]);
  });

  it('is pulled as before where the operation has no direct sender', async () => {
    const { pushing, results } = await subscribed('subscription { ticks { n } }', undefined);
    pushing.offer({ n: 5 });
    expect(await results.next()).toEqual({ value: { data: { ticks: { n: 5 } } }, done: false });
    expect(pushing.started()).toBe(false);
    await results.return();
  });

  it('ends with the error, and sends nothing more, when a send fails', async () => {
    const sender = recordingSender();
    sender.sendJson = () => {
      throw new Error('socket gone');
    };
    const { pushing, ended, release } = await withSlowFirstTick(sender);
    pushing.push({ n: 2 });
    release(1);
    await expect(ended).rejects.toThrow('socket gone');
    expect(sender.failed).toEqual([]);
  });
});
