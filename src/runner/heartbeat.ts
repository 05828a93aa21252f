/**
 * A run's heartbeat: renews its lease every `intervalMs`, one renewal at a
 * time. The next waits for the last to settle, so renewals stuck behind a
 * lock never pile up and drain the pool (they did: 1, 3, 5, 7 waiting, and
 * an API request of another tenant took 9.8 s).
 */
export interface Heartbeat {
  /** Stops renewing; resolves once no renewal is in flight. */
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  intervalMs: number;
  /** Renews the lease; answers false when the lease is no longer ours. */
  renew(): Promise<boolean>;
  onLost(): void;
  onError(error: unknown): void;
}

export function startHeartbeat({ intervalMs, renew, onLost, onError }: HeartbeatOptions): Heartbeat {
  let stopped = false;
  let wake: (() => void) | undefined;
  const beating = (async () => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs).unref();
      });
      if (stopped) return;
      try {
        if (!(await renew())) {
          onLost();
          return;
        }
      } catch (error: unknown) {
        onError(error);
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await beating;
    },
  };
}
