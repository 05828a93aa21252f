/**
 * The structured logger: one JSON object per line on stderr, by pino, at
 * LOG_LEVEL. Every line of a request or a job run carries its request id or
 * job id (src/logging/logContext.ts) and, when tracing is on, the trace id.
 * Secrets never reach a line (`redact`), and lines are bounded whatever they
 * carry: a failed statement's error holds its SQL and every parameter, which
 * client input once made a 5 MB line.
 */
import { inspect } from 'node:util';
import pino, { type DestinationStream } from 'pino';
import { isFailedQuery } from './db/failedQuery';
import { logContextFields } from './logging/logContext';
import { currentTraceId } from './tracing/currentTraceId';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  /** Works, but an operator should act: a deprecated setting, say. */
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The most characters of any one string of an error's description: a message quoting a statement, a parameter, a line. */
const MAX_ERROR_STRING_CHARS = 2_000;
/** The most characters of an error's whole description: stack, properties and causes. */
const MAX_ERROR_CHARS = 16_000;
/** The most characters of any string in a log line (an error's description fits). */
const MAX_FIELD_CHARS = 20_000;
/** The most items of any list in a log line. */
const MAX_LIST_ITEMS = 100;
// As deep as inspect goes.
const MAX_CAUSES = 6;

/** Fields that may hold a credential, wherever a caller puts them (one level deep). */
const SECRET_FIELDS = ['authorization', 'token', 'bearerToken', 'secret', 'password', 'cookie'];
const REDACTED_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`)];

export interface LoggerOptions {
  /** LOG_LEVEL; default `info`. */
  level?: LogLevel;
  /** Where lines go; default stderr, written synchronously so that a line before an exit is never lost. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => {
        const traceId = currentTraceId();
        return traceId ? { ...logContextFields(), traceId } : logContextFields();
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
  return {
    info: (message, fields) => logger.info(boundedFields(fields), message),
    warn: (message, fields) => logger.warn(boundedFields(fields), message),
    error: (message, fields) => logger.error(boundedFields(fields), message),
  };
}

/**
 * The whole error for a log: stack, properties and the chain of causes. Every
 * message, string and line is cut to a bound, and so is the whole: a failed
 * statement's error quotes its SQL and every parameter.
 */
export function describeError(error: unknown): string {
  const text = inspect(withShortMessages(error, 0), {
    depth: MAX_CAUSES,
    breakLength: Infinity,
    maxStringLength: MAX_ERROR_STRING_CHARS,
    maxArrayLength: MAX_LIST_ITEMS,
  });
  const lines = text.split('\n').map((line) => truncate(line, MAX_ERROR_STRING_CHARS));
  return truncate(lines.join('\n'), MAX_ERROR_CHARS);
}

/**
 * `error` and its causes with their messages cut: inspect prints an error's
 * stack, which begins with the whole message (drizzle's quotes the statement and
 * its parameters), before anything else, the cause included.
 */
function withShortMessages(error: unknown, depth: number): unknown {
  if (!(error instanceof Error) || depth > MAX_CAUSES) return error;
  const message = truncate(withoutParameters(error), MAX_ERROR_STRING_CHARS);
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const key of Reflect.ownKeys(error)) {
    if (key === 'params' && isFailedQuery(error)) continue;
    Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key)!);
  }
  // PostgreSQL's detail of an integrity violation (class 23: a check, a not-null, a unique or
  // foreign key) quotes the row or the key's values.
  const { detail, code } = error as { detail?: unknown; code?: unknown };
  if (typeof detail === 'string' && typeof code === 'string' && code.startsWith('23')) {
    Object.defineProperty(copy, 'detail', { value: '(values not logged)', writable: true, configurable: true, enumerable: true });
  }
  // Read on the original, set as plain values: an engine may keep `stack` behind an accessor bound to it.
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
  const shortStack = stack.replace(error.message, () => message);
  Object.defineProperty(copy, 'stack', { value: shortStack, writable: true, configurable: true });
  if (error.cause !== undefined) {
    Object.defineProperty(copy, 'cause', {
      value: withShortMessages(error.cause, depth + 1),
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/**
 * The message without a failed statement's values: they may be a webhook's URL and secret,
 * a caller's profile data. Their count is enough to read the statement by.
 */
function withoutParameters(error: Error): string {
  if (!isFailedQuery(error)) return error.message;
  // Written anew from the statement: a value may itself hold the text that starts the list.
  return `Failed query: ${error.query}\nparams: [${error.params.length} values not logged]`;
}

/** `text` cut to `max` characters, with a note of how many were cut. */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

/** `fields` with every string and list bounded: as they are when flat and short (most lines), else a bounded copy. */
function boundedFields(fields: Record<string, unknown> = {}): Record<string, unknown> {
  for (const key in fields) {
    const value = fields[key];
    const short = typeof value === 'string' ? value.length <= MAX_FIELD_CHARS : value === null || typeof value !== 'object';
    if (!short) return JSON.parse(JSON.stringify(fields, bounded)) as Record<string, unknown>;
  }
  return fields;
}

// A JSON.stringify replacer: every string and list of a log line bounded.
function bounded(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return truncate(value, MAX_FIELD_CHARS);
  if (Array.isArray(value) && value.length > MAX_LIST_ITEMS) {
    return [...value.slice(0, MAX_LIST_ITEMS), `… [${value.length - MAX_LIST_ITEMS} more items cut]`];
  }
  return value;
}
