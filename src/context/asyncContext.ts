/**
 * The process's one AsyncLocalStorage. What a request or a job run carries
 * without passing it (the log fields, the background flag, and, when tracing
 * is on, the OpenTelemetry context) lives in one store, so each promise the
 * process creates carries one store instead of one per concern: on Node 20
 * every AsyncLocalStorage instance costs something on every promise (bench:api
 * CPU profile: ~10 µs a request per extra instance under load).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import type { LogContext } from '../logging/logContext';

interface Store {
  log?: LogContext;
  background?: true;
  trace?: Context;
}

const storage = new AsyncLocalStorage<Store>();
const EMPTY: Store = {};

/** The store the caller runs in (empty outside any). */
export function currentStore(): Readonly<Store> {
  return storage.getStore() ?? EMPTY;
}

/** Runs `work`, and everything it starts, with `change` applied to the caller's store. */
export function runWithStore<T>(change: Store, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...change }, work);
}

/**
 * OpenTelemetry's context kept in the same store: the tracer provider is
 * registered with it (`startTracing`) instead of its own AsyncLocalStorage.
 * Binding event emitters is not supported: nothing here asks for it.
 */
export const sharedContextManager: ContextManager = {
  active: () => storage.getStore()?.trace ?? ROOT_CONTEXT,
  with: (context, fn, thisArg, ...args) => runWithStore({ trace: context }, () => fn.call(thisArg, ...args)),
  bind: (context, target) => {
    if (typeof target !== 'function') return target;
    const bound = (...args: unknown[]) => runWithStore({ trace: context }, () => (target as (...a: unknown[]) => unknown)(...args));
    return bound as typeof target;
  },
  enable() {
    return this;
  },
  disable() {
    return this;
  },
};
