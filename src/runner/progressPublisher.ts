/**
 * Throttles a job's progress events: at most one every `intervalMs`; an update
 * that comes sooner is held and sent when the interval is up, so the latest
 * progress is never lost, only delayed.
 */
export function progressPublisher<Progress>(publish: (progress: Progress) => void, intervalMs = 250) {
  let lastSent = 0;
  let held: Progress | undefined;
  let timer: NodeJS.Timeout | undefined;
  const send = (progress: Progress) => {
    lastSent = Date.now();
    held = undefined;
    publish(progress);
  };
  return {
    update(progress: Progress): void {
      const wait = lastSent + intervalMs - Date.now();
      if (wait <= 0 && !timer) return send(progress);
      held = progress;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (held !== undefined) send(held);
      }, Math.max(wait, 0));
    },
    /** Drops a held update: the job's final event supersedes it. */
    cancel(): void {
      clearTimeout(timer);
      timer = undefined;
      held = undefined;
    },
  };
}
