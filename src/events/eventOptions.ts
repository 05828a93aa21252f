/** How long events are kept; every value comes from the config. */
export interface EventOptions {
  /** Days a job event (and a webhook delivery attempt) is kept (`EVENT_RETENTION_DAYS`, default 7). */
  retentionDays: number;
}
