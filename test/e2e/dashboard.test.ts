/*
 * The door-station panel (example 06 on Dashboard 2.0) as a user meets it: `npm start`, the address
 * it prints, Chromium on the page, the buttons pressed, the simulator checked over WebTAPI.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { WebTapiClient } from '../../dist/client';
import { launchBrowser, type Browser } from './browser';
import { startDemo, type DemoProcess } from './demo-process';
import { ARTIFACTS, docScreenshot } from './fixture';

/** Polls state in another process (the simulator behind the demo) until it holds. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const live = (page: Page) => page.locator('img[data-frame="live"]');
const ringRows = (page: Page) => page.locator('.nrdb-ui-table', { hasText: 'Caller' }).locator('tbody tr');

describe('door-station dashboard of npm start (Dashboard 2.0 + Chromium)', function () {
  this.timeout(120_000);
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  let client: WebTapiClient | undefined;

  before(async () => {
    demo = await startDemo();
    browser = await launchBrowser();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await browser.page.screenshot({ path: `${ARTIFACTS}/dashboard-failed.png` }).catch(() => undefined);
      fs.writeFileSync(
        `${ARTIFACTS}/dashboard-failed.txt`,
        `${demo?.output()}\n\npage problems:\n${browser.problems.map((p) => `${p.kind}: ${p.text}`).join('\n')}\n`,
      );
    }
  });
  after(async () => {
    await client?.close();
    await browser?.close();
    if (demo) {
      const exit = await Promise.race([demo.stop(), new Promise<null>((r) => setTimeout(() => r(null), 25_000))]);
      if (exit === null) demo.kill();
    }
  });

  it("npm start prints the panel's address; the page shows the live camera, its picture changing", async () => {
    const url = demo!.printed('Door station dashboard');
    assert.ok(url, demo!.output());
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/dashboard\/door-station$/);
    const simUrl = demo!.printed('WebTAPI simulator');
    assert.ok(simUrl);
    client = new WebTapiClient({ url: simUrl, username: '1004', password: 'secret', timeoutMs: 5000 });

    const page = browser!.page;
    // A tablet on its side: the whole panel in one screen (and in the README's screenshot).
    await page.setViewportSize({ width: 1280, height: 1040 });
    await page.goto(url);
    await page.getByText('Door station').first().waitFor();
    await live(page).waitFor();
    const first = await live(page).getAttribute('src');
    assert.match(first ?? '', /^data:image\/jpeg;base64,/);
    await page.waitForFunction((src) => document.querySelector('img[data-frame="live"]')?.getAttribute('src') !== src, first);
    // The presence board lists every extension.
    await page.locator('.nrdb-ui-table', { hasText: 'Extension' }).getByText('1010').waitFor();
  });

  it("Open door with the printed PIN switches the simulator's relay 17 on, the panel says open, and both go back to closed; a wrong PIN does not", async () => {
    const page = browser!.page;
    const pin = /^Door station dashboard: \S+ {2}\(door PIN: (\d{6})\)$/m.exec(demo!.output())?.[1];
    assert.ok(pin, demo!.output());
    const relayText = page.locator('.nrdb-ui-text', { hasText: 'Door relay 17' });
    const keypad = page.locator('.webtapi-keypad');
    const typePin = async (digits: string) => {
      for (const d of digits) await keypad.getByRole('button', { name: d, exact: true }).click();
    };
    await relayText.getByText('closed').waitFor();
    assert.equal(await client!.relays.status('17'), 0);
    const wrong = pin === '999999' ? '888888' : '999999';
    await typePin(wrong);
    await keypad.getByRole('button', { name: 'Open door' }).click();
    await keypad.getByText('Wrong PIN').waitFor();
    assert.equal(await client!.relays.status('17'), 0);
    await typePin(pin);
    await keypad.getByRole('button', { name: 'Open door' }).click();
    await eventually('relay 17 on', async () => (await client!.relays.status('17')) === 1);
    await relayText.getByText('open', { exact: true }).waitFor();
    // The pulse is 3 s.
    await eventually('relay 17 off again', async () => (await client!.relays.status('17')) === 0, 10_000);
    await relayText.getByText('closed').waitFor();
    await keypad.getByText('Door opened').waitFor();
  });

  it("Ring the doorbell: the ring appears in the log with the visitor's picture, then as answered", async () => {
    const page = browser!.page;
    const before = await ringRows(page).filter({ hasText: '1003' }).count();
    await page.getByRole('button', { name: 'Ring the doorbell' }).click();
    const row = ringRows(page).filter({ hasText: '1009' }).filter({ hasText: '1003' });
    await row.first().waitFor();
    assert.equal(await ringRows(page).filter({ hasText: '1003' }).count(), before + 1);
    const visitor = page.locator('img[data-frame="visitor"]');
    await visitor.waitFor();
    assert.match((await visitor.getAttribute('src')) ?? '', /^data:image\/jpeg;base64,/);
    await page.getByText(/^Flat 1003, \d\d:\d\d:\d\d$/).waitFor();
    // The simulator answers after 4 s; the demo's visitor hangs up 10 s after the ring.
    await row
      .first()
      .getByText(/^answered/)
      .waitFor({ timeout: 15_000 });

    const shot = docScreenshot('dashboard-door-station.png');
    await page.screenshot({ path: shot.artifact });
    if (shot.docs) fs.copyFileSync(shot.artifact, shot.docs);
    assert.deepEqual(
      browser!.problems.filter((p) => p.kind !== 'requestfailed' || !/socket\.io/.test(p.text)),
      [],
    );
  });

  it("with the PBX pushing and the poll interval at 10 s: ring → the visitor's picture on the panel in < 1 s", async () => {
    const page = browser!.page;
    // The demo's polls slowed to 10 s, deployed as a user would from the editor.
    const flows = (await (await fetch(`${demo!.editor}flows`)).json()) as Array<Record<string, any>>;
    const polled = flows.filter((n) => n.type === 'webtapi-call-monitor' || n.type === 'webtapi-status-watch');
    assert.ok(polled.length >= 2);
    for (const n of polled) n.interval = 10_000;
    const deployed = await fetch(`${demo!.editor}flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    });
    assert.ok(deployed.status === 200 || deployed.status === 204, `deploy: HTTP ${deployed.status}`);
    // The deploy dropped the earlier visitor's pending hang-up: hang up at the simulator.
    assert.equal((await fetch(new URL('/sim/hangup', demo!.printed('WebTAPI simulator')!).href, { method: 'POST' })).status, 200);
    await eventually('no call on 1003', async () => !(await client!.calls.listAll()).some((c) => c.extension === '1003'));
    await page.reload();
    await page.getByRole('button', { name: 'Ring the doorbell' }).waitFor();
    await live(page).waitFor();
    const visitor = page.locator('img[data-frame="visitor"]');
    const before = (await visitor.count()) > 0 ? await visitor.getAttribute('src') : null;
    const started = Date.now();
    await page.getByRole('button', { name: 'Ring the doorbell' }).click();
    await page.waitForFunction(
      (old) => {
        const src = document.querySelector('img[data-frame="visitor"]')?.getAttribute('src');
        return Boolean(src) && src !== old;
      },
      before,
      { timeout: 5000, polling: 20 },
    );
    const took = Date.now() - started;
    assert.ok(took < 1000, `the visitor's picture took ${took} ms`);
  });

  it('Ctrl-C stops the demo cleanly', async () => {
    await browser!.close();
    browser = undefined;
    const exit = await demo!.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.doesNotMatch(demo!.output(), /\[error\]/);
    demo = undefined;
  });
});
