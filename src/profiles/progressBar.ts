/**
 * A progress bar for long command-line runs, written to stderr so stdout stays
 * the command's result. On a terminal one line is redrawn at most ten times a
 * second; otherwise (a log file, CI) a plain line is appended every few seconds.
 */

export interface ProgressOutput {
  write(text: string): unknown;
  /** True on a terminal; then the bar redraws in place. */
  isTTY?: boolean;
  /** Terminal width; the bar is cut to fit. */
  columns?: number;
}

export interface ProgressBarOptions {
  output: ProgressOutput;
  /** The input's size in bytes: gives a percentage and a bar. Unknown (a pipe): counts only. */
  totalBytes?: number;
  /** Minimum time between redraws on a terminal. Default 100 ms. */
  ttyIntervalMs?: number;
  /** Minimum time between lines when not on a terminal. Default 5 s. */
  logIntervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ProgressBar {
  /** Records progress; draws when the interval has passed (or `force`). */
  update(lines: number, bytes: number, force?: boolean): void;
  /** Prints a message on a line of its own (the bar is cleared first). */
  note(message: string): void;
  /** Draws the final state and moves to a new line. */
  finish(): void;
  /** Erases the bar from the terminal (before an error message). */
  clear(): void;
}

const BAR_WIDTH = 24;

export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const { output, totalBytes } = options;
  const now = options.now ?? Date.now;
  const tty = output.isTTY === true;
  const interval = tty ? (options.ttyIntervalMs ?? 100) : (options.logIntervalMs ?? 5_000);
  const startedAt = now();
  let lastDrawAt = startedAt;
  let lines = 0;
  let bytes = 0;
  let updatedAt = startedAt;
  let drawn = false;

  const render = (): string => {
    // Rates over the reading time: a pause after the last update (a merge) does not dilute them.
    const seconds = Math.max((updatedAt - startedAt) / 1000, 0.001);
    const parts: string[] = [];
    if (totalBytes && totalBytes > 0) {
      const fraction = Math.min(bytes / totalBytes, 1);
      const filled = Math.round(fraction * BAR_WIDTH);
      if (tty) parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
      parts.push(`${(fraction * 100).toFixed(1).padStart(5)}%`);
      parts.push(`${formatBytes(bytes)}/${formatBytes(totalBytes)}`);
    } else {
      parts.push(formatBytes(bytes));
    }
    parts.push(`${lines.toLocaleString('en-US')} lines`);
    parts.push(`${Math.round(lines / seconds).toLocaleString('en-US')} lines/s`);
    parts.push(`${formatBytes(bytes / seconds)}/s`);
    const text = parts.join('  ');
    return output.columns ? text.slice(0, output.columns - 1) : text;
  };

  const draw = () => {
    lastDrawAt = now();
    // \r and "erase to end of line" redraw in place; a log gets one line per report.
    output.write(tty ? `\r${render()}\x1b[K` : `${render()}\n`);
    drawn = tty;
  };

  return {
    update(nextLines, nextBytes, force = false) {
      lines = nextLines;
      bytes = nextBytes;
      updatedAt = now();
      if (force || updatedAt - lastDrawAt >= interval) draw();
    },
    note(message) {
      output.write(drawn ? `\r\x1b[K${message}\n` : `${message}\n`);
      drawn = false;
    },
    finish() {
      draw();
      if (tty) output.write('\n');
      drawn = false;
    },
    clear() {
      if (drawn) output.write('\r\x1b[K');
      drawn = false;
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
