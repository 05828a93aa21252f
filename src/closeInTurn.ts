/**
 * Runs the steps of a shutdown one after another, each one even when a step
 * before it failed: a database that is gone fails the hand-back of jobs, and
 * must not leave the port listening and the traces unflushed behind it. Throws
 * the first failure once every step has run.
 */
export async function closeInTurn(steps: readonly (() => unknown)[]): Promise<void> {
  let firstFailure: { error: unknown } | undefined;
  for (const step of steps) {
    try {
      await step();
    } catch (error: unknown) {
      firstFailure ??= { error };
    }
  }
  if (firstFailure) throw firstFailure.error;
}
