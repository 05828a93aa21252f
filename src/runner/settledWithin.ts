/**
 * Resolves once `work` has settled or `ms` have passed, whichever comes first. It never
 * rejects: what `work` fails with is its owner's to handle. `ms` of 0 or less: at once.
 */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work.then(noop, noop), timeUp]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}
