/** Anything thrown, as an Error: itself if it is one, else an Error whose cause it is. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : 'A value that is not an Error was thrown', { cause: thrown });
}
