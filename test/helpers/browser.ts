/**
 * Headless Debian Chromium driven by playwright-core, started the way this
 * machine allows: its own closed network refuses Chromium's background
 * connections, so those are switched off. A missing browser fails the suite
 * (`.ci/run` installs it); browser tests never skip.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunnerOptions } from '../../src/runner/runnerOptions';
import type { StorageTarget } from './databases';
import type { AuthOptions } from '../../src/auth/authOptions';
import { startTestServer, type TestServer } from './testServer';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Everything `page` asks of any origin but `origin` (a CDN, a font host…), and
 * those requests are refused: a page that works here works offline.
 */
export function recordForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  void page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  return foreign;
}

/** Collects the page's uncaught errors, to assert there were none. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A test server and a browser to look at it with: what every browser suite starts from. */
export interface BrowserSession {
  api: TestServer;
  browser: Browser;
  /** `http://127.0.0.1:port` */
  origin: string;
  close(): Promise<void>;
}

export async function startBrowserSession(
  target: StorageTarget,
  runner: Partial<RunnerOptions> = {},
  auth: Partial<AuthOptions> = {},
): Promise<BrowserSession> {
  const api = await startTestServer(target, runner, auth);
  const browser = await launchChromium().catch(async (error: unknown) => {
    await api.close();
    throw error;
  });
  return {
    api,
    browser,
    origin: new URL(api.server.url).origin,
    close: async () => {
      await browser.close();
      await api.close();
    },
  };
}
