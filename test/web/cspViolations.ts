/**
 * Records every Content-Security-Policy violation a page reports, to assert
 * there were none: the pages' policies must allow all they do, and nothing more.
 */
import type { Page } from 'playwright-core';

/**
 * The violations `page` reports from now on, each as "directive blocked-uri
 * (source:line)" or Chromium's console message. Both sources are watched: the
 * `securitypolicyviolation` event names the directive, the console also sees
 * what happens outside the document (a worker, a blocked navigation).
 */
export async function recordCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('reportCspViolation', (violation: string) => violations.push(violation));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportCspViolation(violation: string): void }).reportCspViolation;
      report(`${event.effectiveDirective} ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  return violations;
}
