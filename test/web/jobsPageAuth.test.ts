/** The /jobs page in front of a server that verifies callers (AUTH_MODE=jwt): it asks for a token, then works with it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageTargets } from '../helpers/databases';
import { recordPageErrors, startBrowserSession, type BrowserSession } from '../helpers/browser';
import { AUDIENCE, ISSUER, startJwksServer, type JwksServer } from '../helpers/jwksServer';

const pglite = storageTargets.find((target) => target.name === 'pglite')!;
const ORG = 'ORG_PAGE_AUTH@AdobeOrg';

describe('the /jobs page when callers are verified', () => {
  let jwks: JwksServer;
  let session: BrowserSession;

  beforeAll(async () => {
    jwks = await startJwksServer();
    session = await startBrowserSession(pglite, {}, { mode: 'jwt', jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
  }, 60_000);
  afterAll(async () => {
    await session?.close();
    await jwks?.close();
  });

  it('asks for a bearer token, then goes live with it and keeps it out of localStorage', async () => {
    const page = await session.browser.newPage();
    const errors = recordPageErrors(page);
    await page.goto(`${session.origin}/jobs?org=${encodeURIComponent(ORG)}&sandbox=prod`);
    await page.locator('#message', { hasText: 'Paste a bearer token' }).waitFor();
    expect(await page.locator('#connection').getAttribute('data-state')).not.toBe('live');

    const token = await jwks.sign({ sub: 'page-user', tenants: [ORG] });
    await page.fill('#token', token);
    await page.click('#tenant button[type="submit"]');
    await page.locator('#connection[data-state="live"]').waitFor();

    await page.fill('input[name="newDataset"]', 'Verified export');
    await page.click('#create-job button[type="submit"]');
    await page.locator('tr[data-job-id]').first().waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).not.toContain(token);
    expect(errors).toEqual([]);
  });

  it('never puts the token in a URL, even when the form is sent before its script runs', async () => {
    // Without JavaScript the form is a plain GET of /jobs, as it is before jobs.js has loaded.
    const context = await session.browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${session.origin}/jobs`);
      await page.fill('input[name="org"]', ORG);
      await page.fill('#token', 'eyJ.never-in-a-url');
      await Promise.all([page.waitForURL(/\/jobs\?org=/), page.click('#tenant button[type="submit"]')]);
      expect(page.url()).not.toContain('never-in-a-url');
      expect(new URL(page.url()).searchParams.get('org')).toBe(ORG);
    } finally {
      await context.close();
    }
  });
});
