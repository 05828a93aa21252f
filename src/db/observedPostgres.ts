/**
 * A postgres.js client seen at the one place our statements pass: `unsafe`
 * (what drizzle calls), and the transactions (`begin`, `savepoint`) and
 * reserved connections it hands out. Each statement sent under traced work
 * gets a span (`statementSpans.ts`); each piece of work that takes a
 * connection is counted in the pool's `PoolLoad` while it holds it.
 */
import type { PendingQuery, Sql } from 'postgres';
import type { PoolLoad } from './poolLoad';
import { endStatementSpan, startStatementSpan } from './statementSpans';

/** `sql`, observed; `load` counts the connections its work holds (absent inside a transaction, which holds one already). */
export function observedPostgres<T extends Sql>(sql: T, load?: PoolLoad): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      switch (property) {
        case 'unsafe':
          return (text: string, ...rest: unknown[]) => observeQuery(text, (value as (...args: unknown[]) => PendingQuery<never>).call(target, text, ...rest), load);
        case 'begin':
        case 'savepoint':
          // The last argument is the work, given the transaction's own client.
          return (...args: unknown[]) => {
            const work = args.at(-1);
            if (typeof work === 'function') args[args.length - 1] = (tx: Sql) => work(observedPostgres(tx));
            const release = load?.hold();
            const transaction = (value as (...args: unknown[]) => unknown).apply(target, args) as Promise<unknown>;
            if (release) transaction.then(release, release);
            return transaction;
          };
        case 'reserve':
          return async () => {
            const release = load?.hold();
            try {
              const reserved = await (value as () => Promise<Sql & { release(): void }>).call(target);
              if (release) {
                const giveBack = reserved.release.bind(reserved);
                reserved.release = () => {
                  release();
                  giveBack();
                };
              }
              return observedPostgres(reserved);
            } catch (error: unknown) {
              release?.();
              throw error;
            }
          };
        default:
          return value;
      }
    },
  });
}

/**
 * postgres.js queries are lazy promises, sent when first awaited; what is
 * observed ends when the query settles (its own `resolve`/`reject`), without
 * awaiting it here, which would send it before drizzle sets it up (`values()`).
 */
function observeQuery(text: string, query: PendingQuery<never>, load: PoolLoad | undefined): PendingQuery<never> {
  const span = startStatementSpan(text);
  const release = load?.hold();
  if (!span && !release) return query;
  // postgres.js settles a query through these two (src/query.js).
  const settling = query as unknown as { resolve(value: unknown): void; reject(error: unknown): void };
  const { resolve, reject } = settling;
  settling.resolve = (value) => {
    release?.();
    if (span) endStatementSpan(span);
    resolve(value);
  };
  settling.reject = (error) => {
    release?.();
    if (span) endStatementSpan(span, error);
    reject(error);
  };
  return query;
}
