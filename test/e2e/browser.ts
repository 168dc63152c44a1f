/*
 * Headless Chromium from the system package (Debian's /usr/bin/chromium; never a downloaded
 * browser), a fresh profile per run, and everything the page says that looks like an error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface PageProblem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'dialog';
  text: string;
  /** For console messages: where they came from (the resource's URL for "Failed to load resource"). */
  url?: string;
}

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, uncaught page errors and failed requests, in order. */
  readonly problems: PageProblem[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** A login the browser gives when a page asks for one (HTTP Basic), as a person would type it. */
  httpCredentials?: { username: string; password: string };
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's package (apt-get install -y chromium)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-e2e-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 860 },
      locale: 'en-US',
      colorScheme: 'light',
      ...(options.httpCredentials ? { httpCredentials: options.httpCredentials } : {}),
    });
  } catch (err) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  // Waits are for events and selectors; this bounds any one of them when something never comes.
  page.setDefaultTimeout(20_000);
  const problems: PageProblem[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push({ kind: 'console', text: m.text(), url: m.location().url });
  });
  page.on('dialog', (d) => {
    // Leaving the editor with undeployed changes asks first: the suite reloads on purpose.
    if (d.type() === 'beforeunload') {
      void d.accept().catch(() => undefined);
    } else {
      problems.push({ kind: 'dialog', text: `${d.type()}: ${d.message()}` });
      void d.dismiss().catch(() => undefined);
    }
  });
  page.on('pageerror', (e) => problems.push({ kind: 'pageerror', text: `${e.name}: ${e.message}` }));
  page.on('requestfailed', (r) => {
    // A page load that replaces a pending request aborts it on purpose.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push({ kind: 'requestfailed', text: `${r.method()} ${r.url()}: ${r.failure()?.errorText}` });
  });
  return {
    context,
    page,
    problems,
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
