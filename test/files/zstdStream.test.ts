import { decompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { zstdCompress, zstdFrames, ZSTD_FRAME_BYTES, zstdReady } from '../../src/files/zstdStream';

/** Two and a half frames of text that compresses. */
const INPUT = Buffer.from(
  Array.from({ length: 100_000 }, (_, i) => `{"profileId":"p${i}","n":${i % 97}}\n`)
    .join('')
    .repeat(2),
).subarray(0, 2.5 * ZSTD_FRAME_BYTES);

async function compressed(chunkSize: number): Promise<Buffer> {
  async function* chunks() {
    for (let offset = 0; offset < INPUT.length; offset += chunkSize) yield INPUT.subarray(offset, offset + chunkSize);
  }
  const parts: Buffer[] = [];
  for await (const part of zstdFrames(chunks())) parts.push(part);
  return Buffer.concat(parts);
}

describe('zstdFrames', () => {
  it('cuts frames by input bytes alone: the same bytes whatever the chunking, read whole by another decoder', async () => {
    const outputs = await Promise.all([1000, 65_536, ZSTD_FRAME_BYTES + 1, INPUT.length].map(compressed));
    for (const output of outputs.slice(1)) expect(output.equals(outputs[0]!)).toBe(true);
    expect(Buffer.from(decompress(outputs[0]!)).equals(INPUT)).toBe(true);
  });

  it('writes one frame per ZSTD_FRAME_BYTES of input and one for the rest', async () => {
    await zstdReady();
    expect(INPUT.length).toBe(2.5 * ZSTD_FRAME_BYTES);
    const frames = [0, 1, 2].map((i) => zstdCompress(INPUT.subarray(i * ZSTD_FRAME_BYTES, (i + 1) * ZSTD_FRAME_BYTES)));
    expect((await compressed(65_536)).equals(Buffer.concat(frames))).toBe(true);
  });

  it('writes nothing for no input', async () => {
    const parts: Buffer[] = [];
    for await (const part of zstdFrames((async function* () {})())) parts.push(part);
    expect(parts).toEqual([]);
  });
});
