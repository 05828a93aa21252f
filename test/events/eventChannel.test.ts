/** The bounded queue of a watch (src/events/eventChannel.ts), without a server. */
import { describe, expect, it } from 'vitest';
import { eventChannel } from '../../src/events/eventChannel';

describe('an event channel', () => {
  const channel = () => eventChannel<number>({ capacity: 3, droppable: (item) => item < 0, onClose: () => {} });

  it('hands a consumer that takes what is queued the error it ended with, not only that it ended', () => {
    const ended = channel();
    ended.push(1);
    const failure = new Error('the database is unavailable for a moment');
    ended.end(failure);
    expect(ended.takeQueued()).toEqual({ items: [1], ended: true, failure });
    const completed = channel();
    completed.end();
    expect(completed.takeQueued()).toEqual({ items: [], ended: true });
  });

  it('drops the oldest droppable item when full, and throws the error to a pull after what is queued', async () => {
    const full = channel();
    for (const item of [-1, 2, 3, 4]) full.push(item);
    full.end(new Error('ended'));
    expect(await full.next()).toEqual({ value: 2, done: false });
    expect(await full.next()).toEqual({ value: 3, done: false });
    expect(await full.next()).toEqual({ value: 4, done: false });
    await expect(full.next()).rejects.toThrow('ended');
  });
});
