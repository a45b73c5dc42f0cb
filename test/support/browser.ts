/**
 * Real Chromium for the web page's end-to-end tests: Debian's `chromium`,
 * driven by playwright-core through `executablePath` (never a browser
 * download). Under CI=true a missing Chromium fails the test file
 * (requirePeer); elsewhere the file skips with the reason printed.
 *
 * One browser per test file, started once:
 *
 *   const harness = browserHarness();           // at module scope
 *   describe.skipIf(!harness.available)('…', () => {
 *     beforeAll(() => harness.start());
 *     afterAll(() => harness.stop());
 *     it('…', async () => { const tab = await harness.open(baseUrl); … tab.expectNoConsoleErrors(); });
 *   });
 *
 * Every tab gets its own context (cookie jar), so two tabs are two people.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requirePeer } from './peers.js';

/**
 * Where a test's screenshot goes: a temp dir, so a test run leaves the
 * checkout clean; `SIGNPOST_SCREENSHOT_DIR=docs` refreshes the README's
 * pictures (README, "The web page").
 */
export function screenshotPath(name: string): string {
  return join(process.env.SIGNPOST_SCREENSHOT_DIR ?? join(tmpdir(), 'signpost-screenshots'), name);
}

export interface Tab {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors, failed requests and uncaught page errors seen so far. */
  readonly problems: string[];
  /** Whether the page is wider than the viewport (it would scroll sideways). */
  scrollsSideways(): Promise<boolean>;
  /** Writes a PNG of the page (directories are created). */
  screenshot(path: string, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserHarness {
  readonly available: boolean;
  start(): Promise<void>;
  /** A fresh tab (new context) at `url`; `width` defaults to a desktop 1280, 390 is a phone. */
  open(url: string, options?: { width?: number; height?: number }): Promise<Tab>;
  stop(): Promise<void>;
}

export function browserHarness(): BrowserHarness {
  const peer = requirePeer('chromium');
  let browser: Browser | undefined;
  const contexts = new Set<BrowserContext>();
  return {
    available: peer.available,
    async start() {
      browser ??= await chromium.launch({
        executablePath: peer.path,
        headless: true,
        // Containers often have a tiny /dev/shm and no GPU.
        args: ['--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
      });
    },
    async open(url, options = {}) {
      if (!browser) throw new Error('browserHarness: call start() first');
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
        ...(options.width !== undefined && options.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      contexts.add(context);
      const page = await context.newPage();
      const problems: string[] = [];
      // A page answered with 4xx on purpose (wrong password, refused form) makes Chromium log
      // "Failed to load resource" for the document itself; that is the answer under test, not a fault
      // of the page. The same message for a stylesheet, script or image is a fault and is kept.
      const refusedDocuments = new Set<string>();
      page.on('response', (r) => {
        if (r.request().isNavigationRequest() && r.status() >= 400) refusedDocuments.add(r.url());
      });
      page.on('console', (m) => {
        if (m.type() !== 'error' && m.type() !== 'warning') return;
        if (m.text().startsWith('Failed to load resource') && refusedDocuments.has(m.location().url)) return;
        problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => {
        // Leaving a page cancels what it was still loading (net::ERR_ABORTED): not a failure.
        if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
      });
      await page.goto(url);
      return {
        page,
        context,
        problems,
        scrollsSideways: () => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth),
        async screenshot(path, fullPage = true) {
          mkdirSync(dirname(path), { recursive: true });
          await page.screenshot({ path, fullPage });
        },
        async close() {
          contexts.delete(context);
          await context.close();
        },
      };
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      contexts.clear();
      await browser?.close();
      browser = undefined;
    },
  };
}
