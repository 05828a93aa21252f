/** How webhooks are delivered; every value comes from the config. */
export interface WebhookOptions {
  /**
   * Allows URLs that resolve to loopback or private addresses, and `http` URLs
   * to those only (`WEBHOOK_ALLOW_PRIVATE=1`, for local development; default
   * off: only `https` to public addresses). Checked at creation and at every
   * delivery, against SSRF; link-local and other ranges stay refused either way.
   */
  allowPrivate: boolean;
  /** Webhooks one tenant may have (`LIMIT_WEBHOOKS`, default 20). */
  maxPerTenant: number;
  /** Endpoints this process delivers to at once (`WEBHOOK_CONCURRENCY`, default 16; 0: none). */
  concurrency: number;
  /** How long one delivery may take before it counts as failed (`WEBHOOK_TIMEOUT_MS`, default 10,000). */
  timeoutMs: number;
  /**
   * The DNS servers webhook hosts are resolved with (`WEBHOOK_DNS_SERVERS`, comma-separated;
   * default the system's, /etc/resolv.conf), asked by c-ares, off the threadpool (webhookResolver.ts).
   */
  dnsServers?: string[];
}
