/** A small structured logger: one JSON object per line on stderr. */
import { inspect } from 'node:util';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const log = (level: string, message: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
  return {
    info: (message, fields) => log('info', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}

/** The whole error for a log: stack and the chain of causes. */
export function describeError(error: unknown): string {
  return inspect(error, { depth: 6, breakLength: Infinity });
}
