/**
 * A bounded queue that is an async iterator: the hub pushes, one subscriber
 * pulls. A slow subscriber only fills its own queue; when that is full the
 * oldest droppable item (progress) goes first. `return()` ends it at once,
 * even while a `next()` waits, and tells its owner (async generators would
 * wait for the pending await instead).
 */
export interface EventChannel<T> extends AsyncIterableIterator<T> {
  push(item: T): void;
  /** Ends the iteration after what is queued; with an error, the next pull throws it. */
  end(error?: Error): void;
  /** Items waiting to be pulled. */
  queued(): number;
  /** Takes what is queued, for a consumer that stops pulling; `ended`: nothing more will come, `failure`: the error it ended with. */
  takeQueued(): { items: T[]; ended: boolean; failure?: Error };
}

export function eventChannel<T>(options: {
  capacity: number;
  droppable: (item: T) => boolean;
  onClose: () => void;
}): EventChannel<T> {
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let failWaiting: ((error: Error) => void) | undefined;
  let ended = false;
  let failure: Error | undefined;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    options.onClose();
  };
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });

  const channel: EventChannel<T> = {
    push(item) {
      if (ended) return;
      if (waiting) {
        const resolve = waiting;
        waiting = failWaiting = undefined;
        resolve({ value: item, done: false });
        return;
      }
      if (queue.length >= options.capacity) {
        const oldest = queue.findIndex(options.droppable);
        queue.splice(oldest >= 0 ? oldest : 0, 1);
      }
      queue.push(item);
    },
    end(error) {
      if (ended) return;
      ended = true;
      failure = error;
      if (waiting) {
        const resolve = waiting;
        const reject = failWaiting;
        waiting = failWaiting = undefined;
        close();
        if (error && reject) reject(error);
        else resolve(done());
      }
    },
    next() {
      const item = queue.shift();
      if (item !== undefined) return Promise.resolve({ value: item, done: false });
      if (ended) {
        close();
        return failure ? Promise.reject(failure) : Promise.resolve(done());
      }
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failWaiting = reject;
      });
    },
    return() {
      ended = true;
      queue.length = 0;
      waiting?.(done());
      waiting = failWaiting = undefined;
      close();
      return Promise.resolve(done());
    },
    queued: () => queue.length,
    takeQueued: () => ({ items: queue.splice(0), ended, ...(failure ? { failure } : {}) }),
    [Symbol.asyncIterator]() {
      return channel;
    },
  };
  return channel;
}
