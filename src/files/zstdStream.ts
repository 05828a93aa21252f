/**
 * Zstandard for Node 20, whose zlib has none: the reference C library built
 * to WebAssembly (`@bokuweb/zstd-wasm`; no native build, no install script).
 *
 * The package compresses whole buffers only, so a stream is cut into frames
 * of `ZSTD_FRAME_BYTES` input bytes each, counted across however the input
 * was chunked: frame boundaries, and so the bytes, depend only on the input.
 * Concatenated frames are one valid `.zst` file (RFC 8878 §3.1): `zstd -d`,
 * `zstdcat`, DuckDB and every other decoder read them through.
 */
import { compress, init } from '@bokuweb/zstd-wasm';

/**
 * The compression level: zstd's own default, its balance of speed and size
 * (measured on profile records: level 3 ≈ 250k records/s, level 9 a fifth
 * smaller at under a third of the speed). Written as the number, not "the default",
 * because the level is part of the bytes, and so of the published sha256.
 */
export const ZSTD_LEVEL = 3;

/**
 * Input bytes per frame. Each frame is compressed on its own, which limits
 * matches to the frame; on profile records 1 MiB frames came out as small as
 * 4 MiB ones, and keep the WebAssembly heap (which never shrinks) small.
 */
export const ZSTD_FRAME_BYTES = 1 << 20;

let ready: Promise<void> | undefined;

/** Loads the WebAssembly module, once per process; `zstdCompress` needs it done. */
export function zstdReady(): Promise<void> {
  ready ??= init().catch((error: unknown) => {
    ready = undefined; // a later call tries again
    throw new Error('Cannot load the zstd WebAssembly module', { cause: error });
  });
  return ready;
}

/** One zstd frame of `input` at `ZSTD_LEVEL` (after `zstdReady()`). */
export function zstdCompress(input: Uint8Array): Uint8Array {
  return compress(input, ZSTD_LEVEL);
}

/**
 * `source` compressed as a `.zst` stream: a frame per `ZSTD_FRAME_BYTES` of
 * input, and a last one for the rest (none for empty input). Pulls its source
 * only as its reader pulls frames, so at most about one frame is held.
 */
export async function* zstdFrames(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  await zstdReady();
  const frame = Buffer.allocUnsafe(ZSTD_FRAME_BYTES);
  let filled = 0;
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.length; ) {
      const taken = Math.min(chunk.length - offset, ZSTD_FRAME_BYTES - filled);
      frame.set(chunk.subarray(offset, offset + taken), filled);
      filled += taken;
      offset += taken;
      if (filled === ZSTD_FRAME_BYTES) {
        yield asBuffer(zstdCompress(frame));
        filled = 0;
      }
    }
  }
  if (filled > 0) yield asBuffer(zstdCompress(frame.subarray(0, filled)));
}

/** The same bytes, not copied (the package hands back a copy of its heap already). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
