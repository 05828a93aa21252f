/**
 * Splits a byte stream into numbered UTF-8 lines without holding more than one
 * line and one chunk in memory. The consumer's pace drives the reads: an
 * `AsyncIterable` pulls the next chunk only when the previous lines are done.
 */

export interface Line {
  /** 1-based. */
  number: number;
  /** Without the line break (`\n` or `\r\n`). */
  text: string;
  /** Bytes of the input consumed up to the end of this line. */
  bytesRead: number;
}

/** Thrown for a line that cannot be read as text. */
export class UnreadableLineError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'UnreadableLineError';
  }
}

export interface ReadLinesOptions {
  /** A longer line is refused rather than buffered without bound. Default 16 MiB. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export async function* readLines(
  source: AsyncIterable<Uint8Array | string>,
  { maxLineBytes = 16 * 1024 * 1024 }: ReadLinesOptions = {},
): AsyncGenerator<Line> {
  // fatal: a broken byte sequence is reported, not silently replaced by U+FFFD.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytesRead = 0;
  let number = 0;

  const decode = (bytes: Buffer): string => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end -= 1;
    try {
      // ignoreBOM false: a byte order mark (only ever at the start of line 1) is dropped.
      return decoder.decode(bytes.subarray(0, end));
    } catch {
      throw new UnreadableLineError(number, 'is not valid UTF-8');
    }
  };

  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const tail = chunk.subarray(start, end);
      const bytes = pendingBytes === 0 ? tail : Buffer.concat([...pending, tail]);
      pending = [];
      pendingBytes = 0;
      bytesRead += end + 1 - start;
      number += 1;
      yield { number, text: decode(bytes), bytesRead };
      start = end + 1;
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      pendingBytes += tail.length;
      bytesRead += tail.length;
      if (pendingBytes > maxLineBytes) {
        throw new UnreadableLineError(number + 1, `is longer than ${maxLineBytes} bytes`);
      }
      pending.push(tail);
    }
  }
  if (pendingBytes > 0) {
    number += 1;
    yield { number, text: decode(Buffer.concat(pending)), bytesRead };
  }
}
