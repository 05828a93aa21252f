import type { LogLevel } from '../logger';

/** What is logged; every value comes from the config. */
export interface LoggingOptions {
  /** `LOG_LEVEL`: fatal, error, warn, info (default), debug, trace or silent. */
  level: LogLevel;
  /**
   * `ACCESS_LOG_SAMPLE`: the share of GraphQL requests that get an access line
   * (operation, status, duration), 0 to 1; default 0, none: under load a line a
   * request costs more than the request (measured in the README).
   */
  accessLogSample: number;
}
