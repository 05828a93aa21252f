/** How webhooks are delivered; every value comes from the config. */
export interface WebhookOptions {
  /**
   * Allows `http` URLs and URLs that resolve to private, loopback or link-local
   * addresses (`WEBHOOK_ALLOW_PRIVATE=1`; default off: such URLs are refused,
   * at creation and at every delivery, against SSRF).
   */
  allowPrivate: boolean;
  /** Webhooks one tenant may have (`LIMIT_WEBHOOKS`, default 20). */
  maxPerTenant: number;
  /** Endpoints this process delivers to at once (`WEBHOOK_CONCURRENCY`, default 16; 0: none). */
  concurrency: number;
  /** How long one delivery may take before it counts as failed (`WEBHOOK_TIMEOUT_MS`, default 10,000). */
  timeoutMs: number;
}
