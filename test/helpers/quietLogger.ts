import type { Logger } from '../../src/logger';

/** A logger that drops every line: for runners and hubs whose logs a test does not read. */
export const QUIET_LOGGER: Logger = { info() {}, warn() {}, error() {} };
