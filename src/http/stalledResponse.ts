/**
 * A limit on streamed responses (result files, a batch's NDJSON): a client that
 * stops reading makes the socket's send buffer fill and every later write wait
 * for a drain that never comes. Node's HTTP server has no idle timeout of its
 * own by default, so such a download would hold its socket, its file descriptor
 * or its read of the batch for ever, and enough of them exhaust the process's
 * descriptors. A slow client that still reads keeps the socket active and is
 * never cut: only one that moved no byte for the whole period is.
 */
import type { ServerResponse } from 'node:http';

/** How long a streamed response's socket may move no byte before the response is cut. */
export const STALLED_RESPONSE_MS = 60_000;

/**
 * Destroys `res` (and so its socket) once its socket has been idle `ms`: the
 * handler's pending write or pipeline then ends as if the client had gone.
 * Node sets the socket's keep-alive timeout again once the response finishes.
 */
export function cutWhenStalled(res: ServerResponse, ms: number = STALLED_RESPONSE_MS): void {
  res.setTimeout(ms, () => res.destroy());
}
