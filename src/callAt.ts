/**
 * The longest delay `setTimeout` takes: a signed 32-bit count of milliseconds,
 * about 24.8 days. Node runs a longer one after 1 ms instead.
 */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `callback` once at `at` (ms since the epoch), however far ahead: a time
 * past `MAX_TIMER_DELAY_MS` is waited for in steps. A time already past calls it
 * on the next turn. Returns what cancels it. The timer does not hold the process open.
 */
export function callAt(at: number, callback: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const delay = at - Date.now();
    if (delay > MAX_TIMER_DELAY_MS) timer = setTimeout(arm, MAX_TIMER_DELAY_MS);
    // A timer may fire a millisecond early by the wall clock: wait again rather than call early.
    else timer = setTimeout(() => (Date.now() >= at ? callback() : arm()), Math.max(delay, 0));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
