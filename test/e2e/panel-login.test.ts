/*
 * README "Securing the panel", as written: the `node-red` command (a child process) runs with a
 * settings.js built around the README's code block (its password hash made by the README's own
 * command), example 06 deployed against the simulator with a door PIN. Then: the page asks for the
 * login; a Socket.IO client without it is refused (raw Engine.IO over HTTP, as any script could
 * talk it) and its "Open door" with the right PIN moves nothing; with the login Chromium gets the
 * panel, and the keypad opens the door only with the PIN.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { launchBrowser, type Browser } from './browser';
import { ARTIFACTS } from './fixture';
import { until } from '../../scripts/lib/until';
const launcher = require('../../scripts/lib/nodered') as {
  tempUserDir(prefix?: string): string;
  startChild(options: Record<string, unknown>): Promise<ChildNodeRed>;
};

interface ChildNodeRed {
  url: string;
  output(): string;
  stop(): Promise<unknown>;
}

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const EXAMPLE = path.join(ROOT, 'examples', '06 Door station dashboard.json');
const PIN = '270419';
const USER = 'panel';
const PASSWORD = `panel-${crypto.randomBytes(6).toString('hex')}`;
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** The js block of README "Securing the panel", and the password-hash command in its comment. */
function readmeBlock(): { code: string; hashCommand: string } {
  const section = README.slice(README.indexOf('### Securing the panel'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README: a js block under "Securing the panel"');
  const command = /from: node -e "(.*)"$/m.exec(m[1]);
  assert.ok(command, 'README: the command that makes the password hash');
  return { code: m[1], hashCommand: command[1] };
}

/** settings.js: the README block, our test settings where it says "your other settings", the hash of PASSWORD. */
function settingsSource(config: object): string {
  const { code, hashCommand } = readmeBlock();
  const made = spawnSync(process.execPath, ['-e', hashCommand], { input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const hash = made.stdout.trim();
  assert.match(hash, /^[0-9a-f]{32}:[0-9a-f]{64}$/);
  const placeholder = /^const PANEL_PASSWORD = ".*";$/m;
  const others = /^ {4}\/\/ \.\.\. your other settings \.\.\.$/m;
  assert.match(code, placeholder);
  assert.match(code, others);
  return code.replace(placeholder, `const PANEL_PASSWORD = ${JSON.stringify(hash)};`).replace(others, `    ...${JSON.stringify(config)},`);
}

/** Example 06 as a user deploys it: the config node on the simulator; its credentials and the door PIN in flows_cred.json. */
function writeUserDir(dir: string, sim: Simulator): unknown[] {
  const flows = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Array<Record<string, any>>;
  const cfg = flows.find((n) => n.type === 'webtapi-config')!;
  cfg.url = sim.url;
  flows.unshift({ id: 'ex6-flow', type: 'tab', label: 'Door station' });
  fs.writeFileSync(
    path.join(dir, 'flows_cred.json'),
    JSON.stringify({ [cfg.id]: { username: '1004', password: 'secret' }, 'ex6-relay': { code: PIN } }),
    { mode: 0o600 },
  );
  return flows;
}

/** One Engine.IO session over HTTP long-polling (EIO 4), as socket.io-client starts one. */
async function engineIo(
  base: string,
  headers: Record<string, string>,
): Promise<{ sid: string; post(packet: string): Promise<number>; poll(): Promise<string[]> }> {
  const url = `${base}dashboard/socket.io/?EIO=4&transport=polling`;
  const res = await fetch(url, { headers });
  const body = await res.text();
  assert.equal(res.status, 200, `Engine.IO handshake: HTTP ${res.status} ${body}`);
  const sid = (JSON.parse(body.slice(1)) as { sid: string }).sid;
  return {
    sid,
    post: async (packet) =>
      (
        await fetch(`${url}&sid=${sid}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
          body: packet,
        })
      ).status,
    poll: async () => (await (await fetch(`${url}&sid=${sid}`, { headers })).text()).split('\x1e'),
  };
}

/** Socket.IO's CONNECT to the main namespace: the server's answer packet (40… accepted, 44… refused). */
async function socketIoConnect(session: Awaited<ReturnType<typeof engineIo>>): Promise<string> {
  assert.equal(await session.post('40'), 200);
  for (let i = 0; i < 5; i++) {
    const packet = (await session.poll()).find((p) => p.startsWith('40') || p.startsWith('44'));
    if (packet) return packet;
  }
  throw new Error('no answer to CONNECT');
}

const keypad = (page: Page) => page.locator('.webtapi-keypad');

/** Types `pin` on the keypad, presses Open door and answers the panel's next answer (its data-state). */
async function attempt(page: Page, pin: string): Promise<string> {
  const before = Number(await keypad(page).getAttribute('data-answers'));
  for (const digit of pin) await keypad(page).getByRole('button', { name: digit, exact: true }).click();
  await keypad(page).getByRole('button', { name: 'Open door' }).click();
  await page.waitForFunction((n) => Number(document.querySelector('.webtapi-keypad')?.getAttribute('data-answers')) > n, before);
  return (await keypad(page).getAttribute('data-state')) ?? '';
}

describe('the door-station panel behind README "Securing the panel" (node-red, Chromium)', function () {
  this.timeout(120_000);
  let sim: Simulator | undefined;
  let nr: ChildNodeRed | undefined;
  let browser: Browser | undefined;
  let userDir = '';
  let panel = '';
  const relay = () => sim!.state.relays.get('17')!;

  before(async () => {
    sim = await startSimulator({ port: 0 });
    userDir = launcher.tempUserDir('webtapi-e2e-panel-');
    const flows = writeUserDir(userDir, sim);
    nr = await launcher.startChild({ userDir, flows, credentialSecret: false, settingsSource, logLevel: 'info' });
    panel = `${nr.url}dashboard/door-station`;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await browser?.page.screenshot({ path: `${ARTIFACTS}/panel-login-failed.png` }).catch(() => undefined);
      fs.writeFileSync(
        `${ARTIFACTS}/panel-login-failed.txt`,
        `${nr?.output()}\n\npage problems:\n${browser?.problems.map((p) => `${p.kind}: ${p.text}`).join('\n')}\n`,
      );
    }
  });
  after(async () => {
    await browser?.close();
    await nr?.stop();
    await sim?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('the page asks for the login (401 with a Basic challenge); a wrong password is refused; the right one gets the page', async () => {
    const none = await fetch(panel);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="Door station"/);
    assert.equal((await fetch(panel, { headers: { authorization: basic(USER, 'guess') } })).status, 401);
    assert.equal((await fetch(panel, { headers: { authorization: basic('admin', PASSWORD) } })).status, 401);
    // The dashboard's other routes too (its setup answer names the Socket.IO path).
    assert.equal((await fetch(`${nr!.url}dashboard/_setup`)).status, 401);
    const ok = await fetch(panel, { headers: { authorization: basic(USER, PASSWORD) } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /<div id="app">/);
  });

  it('a Socket.IO client without the login is refused, and its "Open door" with the right PIN moves nothing', async () => {
    const stranger = await engineIo(nr!.url, {});
    const answer = await socketIoConnect(stranger);
    assert.match(answer, /^44\{"message":"login required"/);
    const sets = relay().sets;
    // What the keypad sends, from a client that never loaded the page.
    const status = await stranger.post(`42${JSON.stringify(['widget-send', 'ex6-keypad', { code: PIN }])}`);
    assert.ok(status === 200 || status === 400, `HTTP ${status}`);
    // A wrong password is no login either.
    const guesser = await engineIo(nr!.url, { authorization: basic(USER, 'guess') });
    assert.match(await socketIoConnect(guesser), /^44/);
    // The positive counterpart: with the login the same connection is accepted.
    const member = await engineIo(nr!.url, { authorization: basic(USER, PASSWORD) });
    assert.match(await socketIoConnect(member), /^40\{"sid":/);
    assert.equal(relay().sets, sets, 'nothing reached the door node');
    assert.equal(relay().status, 0);
  });

  it('with the login the panel shows the camera; a wrong PIN shows "Wrong PIN" and writes nothing; the right PIN opens exactly once', async () => {
    browser = await launchBrowser({ httpCredentials: { username: USER, password: PASSWORD } });
    const page = browser.page;
    await page.goto(panel);
    await page.locator('img[data-frame="live"]').waitFor();
    await keypad(page).waitFor();
    const answer = keypad(page).locator('[data-answer]');
    const sets = relay().sets;

    assert.equal(await attempt(page, '111111'), 'denied');
    assert.equal(await answer.textContent(), 'Wrong PIN');
    assert.equal(relay().sets, sets, 'a wrong PIN writes nothing at the PBX');
    assert.equal(relay().status, 0);

    // The door node took the PIN and switches (every panel is told), then answers this one when the pulse is over.
    assert.equal(await attempt(page, PIN), 'opening');
    await until(() => relay().status === 1, { what: 'relay 17 on', timeoutMs: 5000, everyMs: 10 });
    await page.waitForFunction(() => document.querySelector('.webtapi-keypad')?.getAttribute('data-state') === 'opened');
    assert.equal(await answer.textContent(), 'Door opened');
    // One pulse: on, then (3 s later) off, and nothing else.
    await until(() => relay().sets === sets + 2 && relay().status === 0, {
      what: 'the pulse switched back',
      timeoutMs: 10_000,
      everyMs: 25,
    }).catch(() => undefined);
    assert.equal(relay().sets, sets + 2, 'exactly one pulse');
    assert.equal(relay().status, 0);
    assert.ok(!browser.problems.some((p) => p.kind === 'pageerror'), JSON.stringify(browser.problems));
  });

  it('five wrong PINs lock the door node out: the panel says so, and then the right PIN opens nothing either', async () => {
    const page = browser!.page;
    const answer = keypad(page).locator('[data-answer]');
    const sets = relay().sets;
    for (let i = 0; i < 4; i++) assert.equal(await attempt(page, `11110${i}`), 'denied');
    assert.equal(await attempt(page, '111104'), 'locked');
    assert.match((await answer.textContent()) ?? '', /^Too many wrong PINs: locked for 300 s$/);
    assert.equal(await attempt(page, PIN), 'locked');
    assert.match((await answer.textContent()) ?? '', /^Too many wrong PINs: locked for \d+ s$/);
    assert.equal(relay().sets, sets, 'nothing written while locked, the right PIN included');
  });
});
