/**
 * The app in Debian's Chromium (playwright-core, headless, a fresh profile) against `bondbench serve` over a runs
 * folder of the test's own, for browser tests that need no lab. Every console error, page error and failed request
 * is collected in `problems`, for the test to assert empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { findChromium } from '../../main/report/pdf.js';
import { type Served, startServe } from './serve.js';

/** What every test's Chromium runs with: no sandbox (root), nothing fetched, nothing remembered. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface AppSession {
  /** The runs folder `bondbench serve` reads. */
  runs: string;
  served: Served;
  browser: BrowserContext;
  page: Page;
  problems: string[];
  close(): Promise<void>;
}

/**
 * Starts `bondbench serve` over a new runs folder (`prepare` fills it first) and opens a page in a fresh profile.
 *
 * @param name names the temporary folders
 */
export async function openAppSession(
  name: string,
  options: { viewport: { width: number; height: number }; prepare?: (runs: string) => void },
): Promise<AppSession> {
  const runs = mkdtempSync(join(tmpdir(), `bondbench-${name}-runs-`));
  const profile = mkdtempSync(join(tmpdir(), `bondbench-${name}-profile-`));
  options.prepare?.(runs);
  const served = await startServe(runs);
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: await findChromium(),
    headless: true,
    viewport: options.viewport,
    locale: 'en-US',
    args: CHROMIUM_ARGS,
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  return {
    runs,
    served,
    browser,
    page,
    problems,
    close: async () => {
      await browser.close();
      await served.stop();
      rmSync(runs, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
