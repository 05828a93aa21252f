/**
 * Throttles a job's progress events: at most one every `intervalMs`; an update
 * that comes sooner is held and sent when the interval is up, so the latest
 * progress is never lost, only delayed. The exception: an update that reaches
 * a new tenth of the job (10 %, 20 %, …) is sent at once, so a watcher sees at
 * least every 10 % however fast the job runs.
 */
export function progressPublisher<Progress>(
  publish: (progress: Progress) => void,
  percentOf: (progress: Progress) => number,
  intervalMs = 250,
) {
  let lastSent = 0;
  let lastTenth = 0;
  let held: Progress | undefined;
  let timer: NodeJS.Timeout | undefined;
  const send = (progress: Progress) => {
    clearTimeout(timer);
    timer = undefined;
    held = undefined;
    lastSent = Date.now();
    lastTenth = Math.floor(percentOf(progress) / 10);
    publish(progress);
  };
  return {
    update(progress: Progress): void {
      const wait = lastSent + intervalMs - Date.now();
      if (wait <= 0 || Math.floor(percentOf(progress) / 10) > lastTenth) return send(progress);
      held = progress;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (held !== undefined) send(held);
      }, wait);
    },
    /** Drops a held update: the job's final event supersedes it. */
    cancel(): void {
      clearTimeout(timer);
      timer = undefined;
      held = undefined;
    },
  };
}
