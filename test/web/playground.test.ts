/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordForeignRequests, recordPageErrors, startBrowserSession, type BrowserSession } from '../helpers/browser';
import { storageTargets } from '../helpers/databases';
import { createDataset, createJob } from '../helpers/seedApi';
import type { TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';

const PLAYGROUND_ORG = { 'x-gw-ims-org-id': 'ORG_PLAYGROUND@AdobeOrg', 'x-sandbox-name': 'dev' };

/** Sets the text of one of GraphiQL's CodeMirror editors. */
async function setEditor(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).first().waitFor();
  await page.evaluate(
    ({ selector, text }) => {
      const editor = document.querySelector(selector) as unknown as { CodeMirror: { setValue(value: string): void } };
      editor.CodeMirror.setValue(text);
    },
    { selector, text },
  );
}

function responseText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      (document.querySelector('.graphiql-response .CodeMirror') as unknown as { CodeMirror: { getValue(): string } })
        .CodeMirror.getValue(),
  );
}

/** Opens the playground and waits until it has loaded the schema: before that, GraphiQL ignores Run. */
async function openPlayground(page: Page, origin: string): Promise<void> {
  const schemaLoaded = page.waitForResponse(
    (response) => response.request().postData()?.includes('IntrospectionQuery') === true && response.ok(),
  );
  await page.goto(`${origin}/graphql`);
  await schemaLoaded;
  await page.waitForLoadState('networkidle');
}

/**
 * Clicks Run until `ran` sees the operation leave the browser. GraphiQL takes
 * edits into its state a moment after they are made, and ignores Run until then.
 */
async function clickRunUntil(page: Page, ran: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const seen = ran(); // Watching from before the click: the request can leave during it.
    await page.click('.graphiql-execute-button');
    if (await seen) return;
  }
  throw new Error('GraphiQL did not run the operation');
}

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';

describe.each(storageTargets)('the GraphiQL playground on $name', (target) => {
  let api: TestServer;
  let browser: Browser;
  let origin: string;
  let session: BrowserSession;

  beforeAll(async () => {
    session = await startBrowserSession(target);
    ({ api, browser, origin } = session);
  }, 60_000);
  afterAll(() => session?.close());

  it('serves GraphiQL at GET /graphql with nothing from outside, and runs a query with the headers typed in it', async () => {
    const datasetId = await createDataset(api, PLAYGROUND_ORG);
    const job = await createJob(api, datasetId, PLAYGROUND_ORG);
    const page = await browser.newPage();
    const foreign = recordForeignRequests(page, origin);
    const errors = recordPageErrors(page);

    await openPlayground(page, origin);
    await setEditor(page, HEADERS_EDITOR, JSON.stringify(PLAYGROUND_ORG));
    await setEditor(page, QUERY_EDITOR, 'query Mine { exportJobs(first: 5) { totalCount edges { node { id status } } } }');
    await clickRunUntil(page, () =>
      page
        .waitForRequest((request) => request.postData()?.includes('"operationName":"Mine"') === true, { timeout: 1_000 })
        .then(() => true, () => false),
    );

    await page.waitForFunction(
      () => document.querySelector('.graphiql-response .CodeMirror')?.textContent?.includes('totalCount'),
    );
    expect(JSON.parse(await responseText(page))).toEqual({
      data: { exportJobs: { totalCount: 1, edges: [{ node: { id: job.id, status: 'NEW' } }] } },
    });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('streams a subscription over graphql-ws with the same headers', async () => {
    const datasetId = await createDataset(api, PLAYGROUND_ORG);
    const page = await browser.newPage();
    const foreign = recordForeignRequests(page, origin);

    await openPlayground(page, origin);
    await setEditor(page, HEADERS_EDITOR, JSON.stringify(PLAYGROUND_ORG));
    await setEditor(page, QUERY_EDITOR, 'subscription Watch { jobStatusChanged { type status job { id } } }');
    const watchersBefore = api.server.hub.watcherCount();
    await clickRunUntil(page, () => waitUntil(() => api.server.hub.watcherCount() > watchersBefore, 1_000).then(() => true, () => false));

    const job = await createJob(api, datasetId, PLAYGROUND_ORG);
    await page.waitForFunction(
      () => document.querySelector('.graphiql-response .CodeMirror')?.textContent?.includes('CREATED'),
    );
    expect(JSON.parse(await responseText(page))).toEqual({
      data: { jobStatusChanged: { type: 'CREATED', status: 'NEW', job: { id: job.id } } },
    });
    expect(foreign).toEqual([]);
    await page.close();
  });
});
