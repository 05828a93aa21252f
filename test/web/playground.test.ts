/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordForeignRequests, recordPageErrors, startBrowserSession, type BrowserSession } from '../helpers/browser';
import { storageTargets } from '../helpers/databases';
import { createDataset, createJob } from '../helpers/seedApi';
import type { TestServer } from '../helpers/testServer';
import { waitUntil } from '../helpers/waitUntil';
import { recordCspViolations } from './cspViolations';

const PLAYGROUND_ORG = { 'x-gw-ims-org-id': 'ORG_PLAYGROUND@AdobeOrg', 'x-sandbox-name': 'dev' };
const BEARER_TOKEN = 'Bearer playground-secret-token';

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
    const violations = await recordCspViolations(page);

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
    expect(violations).toEqual([]);
    await page.close();
  });

  it('keeps the headers typed in it out of localStorage, history included', async () => {
    const page = await browser.newPage();
    await openPlayground(page, origin);
    await setEditor(page, HEADERS_EDITOR, JSON.stringify({ ...PLAYGROUND_ORG, authorization: BEARER_TOKEN }));
    await setEditor(page, QUERY_EDITOR, 'query Stored { exportJobs(first: 1) { totalCount } }');
    await clickRunUntil(page, () =>
      page
        .waitForRequest((request) => request.postData()?.includes('"operationName":"Stored"') === true, { timeout: 1_000 })
        .then(() => true, () => false),
    );
    // Whatever the answer (the token is made up), GraphiQL stores the run in its tabs (on a
    // debounce) and its history: just no header.
    await page.waitForFunction(() =>
      ['graphiql:tabState', 'graphiql:queries'].every((key) => localStorage.getItem(key)?.includes('query Stored')),
    );

    const stored = await page.evaluate(() => ({ ...localStorage }));
    for (const [key, value] of Object.entries(stored)) {
      for (const secret of ['x-gw-ims-org-id', 'ORG_PLAYGROUND', 'authorization', 'playground-secret-token']) {
        expect(value, key).not.toContain(secret);
      }
    }
    await page.close();
  });

  it('opens its menus, dialogs and panes, and drags text, without a CSP violation', async () => {
    const page = await browser.newPage();
    const errors = recordPageErrors(page);
    const violations = await recordCspViolations(page);
    await openPlayground(page, origin);

    // The starting document has two operations, so Run first asks which one (a Radix menu,
    // which locks the page's scroll with an inline style).
    await page.click('.graphiql-execute-button');
    await page.getByRole('menuitem', { name: 'RecentJobs' }).click();
    await page.waitForFunction(
      () => document.querySelector('.graphiql-response .CodeMirror')?.textContent?.includes('exportJobs'),
    );
    for (const [open, shows] of [
      ['Open settings dialog', '.graphiql-dialog'],
      ['Open short keys dialog', '.graphiql-dialog'],
    ] as const) {
      await page.getByRole('button', { name: open }).click();
      await page.locator(shows).waitFor();
      await page.keyboard.press('Escape');
      await page.locator(shows).waitFor({ state: 'detached' });
    }
    // Dragging selected text: CodeMirror sets its drag image from an inline gif.
    await page.evaluate(() => {
      const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
        CodeMirror: { setSelection(from: { line: number; ch: number }, to: { line: number; ch: number }): void };
      };
      editor.CodeMirror.setSelection({ line: 3, ch: 0 }, { line: 3, ch: 16 });
    });
    const selected = (await page.locator('.graphiql-query-editor .CodeMirror-selected').first().boundingBox())!;
    await page.mouse.move(selected.x + 10, selected.y + selected.height / 2);
    await page.mouse.down();
    await page.mouse.move(selected.x + 60, selected.y + 80, { steps: 10 });
    await page.mouse.up();

    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer').waitFor();
    await page.getByRole('button', { name: 'Show History' }).click();
    await page.locator('.graphiql-history').waitFor();

    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('streams a subscription over graphql-ws with the same headers', async () => {
    const datasetId = await createDataset(api, PLAYGROUND_ORG);
    const page = await browser.newPage();
    const foreign = recordForeignRequests(page, origin);
    const violations = await recordCspViolations(page);

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
    expect(violations).toEqual([]);
    await page.close();
  });
});
