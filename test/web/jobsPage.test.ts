/// <reference lib="dom" />
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProfiles } from '../../src/profiles/seedProfiles';
import { recordForeignRequests, recordPageErrors, startBrowserSession, type BrowserSession } from '../helpers/browser';
import { storageTargets } from '../helpers/databases';
import type { TestServer } from '../helpers/testServer';
import { recordCspViolations } from './cspViolations';

const PAGE_TENANT = { orgId: 'ORG_JOBS_PAGE@AdobeOrg', sandboxName: 'prod' };
const HEADERS = { 'x-gw-ims-org-id': PAGE_TENANT.orgId, 'x-sandbox-name': PAGE_TENANT.sandboxName };
const PROFILES = 6_000;

// `UPDATE_SCREENSHOTS=1 npm test -- test/web` refreshes the README's picture; every run keeps its own.
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/jobs-page.png', import.meta.url))
  : fileURLToPath(new URL('../../test-results/jobs-page.png', import.meta.url));

const JOB_AS_THE_API_SEES_IT = /* GraphQL */ `
  query ($id: ID!) {
    exportJob(id: $id) { status progress { percent processedProfiles totalProfiles } dataset { name } }
  }
`;

const row = (page: Page, jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);

/** The id of the newest job row that is not in `known`, once it shows. */
async function newJobId(page: Page, known: string[]): Promise<string> {
  const handle = await page.waitForFunction(
    (known) =>
      Array.from(document.querySelectorAll<HTMLElement>('tr[data-job-id]'))
        .map((element) => element.dataset.jobId!)
        .find((id) => !known.includes(id)),
    known,
  );
  return (await handle.jsonValue()) as string;
}

describe.each(storageTargets)('the /jobs page on $name', (target) => {
  let api: TestServer;
  let browser: Browser;
  let origin: string;
  let session: BrowserSession;

  beforeAll(async () => {
    // One job at a time per tenant, in small chunks: a job takes long enough to watch it move.
    session = await startBrowserSession(target, { concurrency: 1, tenantLimit: 1, chunkSize: 20 });
    ({ api, browser, origin } = session);
    await seedProfiles(api.database, PAGE_TENANT, PROFILES);
  }, 60_000);
  afterAll(() => session?.close());

  it('creates a job from the form, moves its bar live to 100 %, and cancels another', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 520 } });
    const foreign = recordForeignRequests(page, origin);
    const errors = recordPageErrors(page);
    const violations = await recordCspViolations(page);
    await page.goto(`${origin}/jobs?org=${encodeURIComponent(PAGE_TENANT.orgId)}&sandbox=prod`);
    await page.locator('#connection[data-state="live"]').waitFor();

    // Every value each job's bar shows, in order: the page re-renders rows as events arrive.
    await page.evaluate(() => {
      const seen: Record<string, number[]> = {};
      (window as unknown as { barValues: typeof seen }).barValues = seen;
      const record = () => {
        for (const bar of Array.from(document.querySelectorAll<HTMLElement>('tr[data-job-id] .bar'))) {
          const id = (bar.closest('tr') as HTMLElement).dataset.jobId!;
          const value = Number(bar.getAttribute('aria-valuenow'));
          const values = (seen[id] ??= []);
          if (values.at(-1) !== value) values.push(value);
        }
      };
      new MutationObserver(record).observe(document.querySelector('#jobs tbody')!, { childList: true, subtree: true });
    });

    await page.fill('input[name="newDataset"]', 'Browser export');
    await page.click('#create-job button[type="submit"]');
    const watched = await newJobId(page, []);

    await page.click('#create-job button[type="submit"]');
    const cancelled = await newJobId(page, [watched]);
    await row(page, cancelled).locator('button.cancel').click();

    await row(page, cancelled).locator('.status[data-status="CANCELLED"]').waitFor({ timeout: 20_000 });
    await row(page, watched).locator('.status[data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
    await row(page, watched).locator('.bar[aria-valuenow="100"]').waitFor();
    // A finished job links its files: same origin, signed, fetched here without any header.
    const link = row(page, watched).locator('.files a').first();
    await link.waitFor();
    expect(await link.textContent()).toBe('part-00000.jsonl.gz');
    const href = (await link.getAttribute('href'))!;
    expect(new URL(href).origin).toBe(origin);
    const download = await fetch(href);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(gunzipSync(Buffer.from(await download.arrayBuffer())).toString('utf8').split('\n').length).toBeGreaterThan(PROFILES / 2);
    await expect(row(page, cancelled).locator('.files a').count()).resolves.toBe(0);
    await expect(row(page, cancelled).locator('button.cancel').isDisabled()).resolves.toBe(true);

    const barValues = await page.evaluate(() => (window as unknown as { barValues: Record<string, number[]> }).barValues);
    const values = barValues[watched]!;
    expect(values.at(-1)).toBe(100);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    // It moved live: the page showed progress between start and end, not only the end.
    expect(values.some((value) => value > 0 && value < 100)).toBe(true);

    // What the page shows is what the API says.
    const [watchedJob, cancelledJob] = await Promise.all(
      [watched, cancelled].map(async (id) => (await api.graphql(JOB_AS_THE_API_SEES_IT, { id }, HEADERS)).data!.exportJob),
    );
    expect(watchedJob).toMatchObject({ status: 'SUCCEEDED', progress: { percent: 100 } });
    // Every profile with data (the seed leaves some empty, which a default export skips).
    expect(watchedJob.progress.processedProfiles).toBe(watchedJob.progress.totalProfiles);
    expect(watchedJob.progress.processedProfiles).toBeGreaterThan(PROFILES / 2);
    expect(watchedJob.dataset.name).toBe('Browser export');
    expect(cancelledJob.status).toBe('CANCELLED');

    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  }, 120_000);
});
