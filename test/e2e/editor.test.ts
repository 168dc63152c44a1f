/*
 * The editor in a real browser: palette, dialogs, Test connection, pick lists, camera preview
 * and an example flow deployed against the simulator. One Node-RED for the whole file (the
 * runtime cannot be started twice in a process); each part starts from an empty deployed flow
 * and a freshly loaded editor.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import type { PageProblem } from './browser';
import { CONFIG_TRAY, NODE_TRAY, type FlowNode } from './editor';
import { ARTIFACTS, DIST_NODES, docScreenshot, mark, problemsSince, saveFailure, startStack, stopStack, type Stack } from './fixture';
import { packageRoot } from './nodered';
import { CONTRACT_DEFAULTS } from '../../scripts/lib/contract-defaults';
import { DECLARED_TYPES } from '../declared-nodes';

declare const RED: any;
declare const $: any;

const USER = '1004';
const PASSWORD = 'secret';
const NS = 'node-red-contrib-metasec-webtapi';

/** What a user sees in the palette. */
const PALETTE: Record<string, { label: string; icon: string }> = {
  'webtapi-call': { label: 'call', icon: 'webtapi-phone.svg' },
  'webtapi-hangup': { label: 'hang up', icon: 'webtapi-hangup.svg' },
  'webtapi-queue-agent': { label: 'queue agent', icon: 'webtapi-queue.svg' },
  'webtapi-relay-set': { label: 'relay', icon: 'webtapi-relay.svg' },
  'webtapi-cam-snapshot': { label: 'camera', icon: 'webtapi-camera.svg' },
  'webtapi-cam-stream': { label: 'cam stream', icon: 'webtapi-camera-stream.svg' },
  'webtapi-status-watch': { label: 'status watch', icon: 'webtapi-watch.svg' },
  'webtapi-request': { label: 'request', icon: 'webtapi-request.svg' },
  'webtapi-call-monitor': { label: 'call monitor', icon: 'webtapi-call-monitor.svg' },
  'webtapi-event-in': { label: 'event in', icon: 'webtapi-event-in.svg' },
};
/** The relay node's switch value: checked apart, under the name its dialog uses (relayStatusField). */
const SWITCH_VALUE = ['relayStatus', 'relayStatusType'];

/** The node properties of docs/nodes.md with their defaults, less name and server (every dialog has them) and the relay's switch value. */
function dialogDefaults(type: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(CONTRACT_DEFAULTS[type]).filter(([k]) => k !== 'name' && k !== 'server' && !SWITCH_VALUE.includes(k)),
  );
}
const PALETTE_TYPES = Object.keys(PALETTE);
const CONFIG_FIELDS = ['name', 'url', 'timeout', 'concurrency', 'username', 'password', 'eventToken'];

/** The relay node's switch value: `relayStatus` where the editor's own `status` would clobber it, else `status`. */
async function relayStatusField(tray: Locator): Promise<string> {
  return (await tray.locator('#node-input-relayStatus').count()) > 0 ? 'relayStatus' : 'status';
}

/** Problems a page may show on purpose: the pick-list route answers 404 for a server not deployed yet. */
function pickListNotDeployed(p: PageProblem): boolean {
  return p.kind === 'console' && /Failed to load resource.*404/.test(p.text) && /\/metasec-webtapi\/[^/]+\/options\//.test(p.url ?? '');
}

function server(sim: { url: string }, id: string): FlowNode {
  return {
    id,
    type: 'webtapi-config',
    name: 'simulator',
    url: sim.url,
    tls: '',
    timeout: 5000,
    concurrency: 4,
    credentials: { username: USER, password: PASSWORD },
  };
}

describe('editor in a real browser (Node-RED + Chromium)', function () {
  let stack: Stack | undefined;

  before(async function () {
    this.timeout(90_000);
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    stack = await startStack();
  });

  after(async function () {
    this.timeout(30_000);
    await stopStack(stack);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const base = await saveFailure(stack, this.currentTest.fullTitle());
      if (base) process.stdout.write(`      artifacts: ${base}.png, ${base}.txt\n`);
    }
  });

  /** A hook has no afterEach: it saves its own artifacts when it fails. */
  async function keepArtifacts(title: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const base = await saveFailure(stack, title);
      if (base) process.stdout.write(`      artifacts: ${base}.png, ${base}.txt\n`);
      throw err;
    }
  }

  function world(): Stack {
    if (!stack) throw new Error('the browser stack did not start');
    return stack;
  }

  /** Nothing deployed, editor reloaded: the state a new user starts from. */
  async function fresh(): Promise<void> {
    const { nodeRed, editor } = world();
    const started = nodeRed.flowsStarted();
    try {
      const res = await fetch(new URL('flows', nodeRed.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
        body: '[]',
      });
      assert.equal(res.status, 204, `resetting the flows answered ${res.status}`);
    } catch (err) {
      started.catch(() => undefined);
      throw err;
    }
    await started;
    await editor.open();
  }

  /** The Deploy button, then the runtime running the new flows. */
  async function deploy(): Promise<void> {
    const { nodeRed, editor } = world();
    const started = nodeRed.flowsStarted();
    try {
      await editor.deploy();
    } catch (err) {
      started.catch(() => undefined);
      throw err;
    }
    await started;
  }

  it('shows the flow nodes under METASEC with their labels and icons, and the config node type', async function () {
    const { editor, page } = world();
    await fresh();
    const since = mark(world());
    await editor.filterPalette('webtapi');
    const shown = await page.evaluate(() =>
      $('#red-ui-palette-container .red-ui-palette-node:visible')
        .toArray()
        .map((el: any) => ({
          type: el.getAttribute('data-palette-type'),
          label: $(el).find('.red-ui-palette-label').text().replace(/\s+/g, ' ').trim(),
          category: $(el).closest('.red-ui-palette-category').attr('id'),
          icon: $(el).find('.red-ui-palette-icon-container').attr('data-palette-icon'),
        })),
    );
    assert.deepEqual(shown.map((s: { type: string }) => s.type).sort(), [...PALETTE_TYPES].sort());
    assert.equal((await page.locator('#red-ui-palette-header-METASEC').innerText()).trim(), 'METASEC');
    for (const s of shown as Array<{ type: string; label: string; category: string; icon: string }>) {
      const want = PALETTE[s.type];
      assert.equal(s.category, 'red-ui-palette-container-METASEC', `${s.type} category`);
      assert.equal(s.label, want.label, `${s.type} palette label`);
      assert.equal(s.icon, `icons/${NS}/${want.icon}`, `${s.type} icon`);
      // The icon route falls back to a default icon for an unknown file: compare with our own.
      const served = await page.evaluate(async (url: string) => {
        const r = await fetch(url);
        return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
      }, s.icon);
      assert.equal(served.status, 200, `${s.icon} status`);
      assert.match(String(served.type), /svg/, `${s.icon} content type`);
      assert.equal(served.body, fs.readFileSync(path.join(DIST_NODES, 'icons', want.icon), 'utf8'), `${s.icon} is our file`);
      assert.equal(await editor.paletteNode(s.type).locator('.red-ui-palette-icon').evaluate(iconDrawn), 'loaded', `${s.type} icon drawn`);
    }
    const types = await page.evaluate(
      (all: string[]) =>
        all.map((t) => ({
          t,
          category: RED.nodes.getType(t)?.category,
          help: ($(`script[data-help-name="${t}"]`).html() || '').trim().length,
        })),
      [...DECLARED_TYPES],
    );
    for (const t of types) {
      assert.equal(t.category, t.t === 'webtapi-config' ? 'config' : 'METASEC', `${t.t} registered`);
      assert.ok(t.help > 100, `${t.t} has help text (${t.help} chars)`);
      // The editor's catalogue of each node set, in English and German, as the editor loads it.
      const catalog = await page.evaluate(async (ns: string) => {
        const get = async (lng: string) => (await fetch(`locales/${ns}?lng=${lng}`)).json();
        return { en: await get('en-US'), de: await get('de') };
      }, `${NS}/${t.t}`);
      assert.ok(catalog.en[t.t]?.label, `${t.t}: English texts`);
      assert.ok(catalog.de[t.t]?.label, `${t.t}: German texts`);
      assert.notDeepEqual(catalog.de, catalog.en, `${t.t}: the German texts are German`);
    }
    assert.deepEqual(problemsSince(world(), since), []);
  });

  it('opens, fills and saves every node dialog without a console error', async function () {
    const { editor, page } = world();
    await fresh();
    const since = mark(world());
    await editor.filterPalette('webtapi');
    const ids: Record<string, string> = {};
    for (const [i, type] of PALETTE_TYPES.entries()) {
      ids[type] = await editor.dragToWorkspace(type, 140 + (i % 2) * 320, 60 + i * 70);
      const tray = await editor.openNodeEditor(ids[type]);
      const want = PALETTE[type];
      const defaults = dialogDefaults(type);
      for (const field of ['name', 'server', ...Object.keys(defaults)]) {
        assert.equal(await tray.locator(`#node-input-${field}`).count(), 1, `${type}: field ${field} in the dialog`);
      }
      const statusField = type === 'webtapi-relay-set' ? await relayStatusField(tray) : null;
      await assertTranslated(tray, type);
      const name = `e2e ${want.label}`;
      await tray.locator('#node-input-name').fill(name);
      await editor.closeTray('node-dialog-ok', null);
      const saved = await editor.nodeProps(ids[type]);
      assert.ok(saved, `${type} still in the flow`);
      assert.equal(saved.name, name, `${type}: name saved`);
      for (const [k, v] of Object.entries(defaults)) assert.equal(String(saved[k]), String(v), `${type}.${k} default`);
      // Empty: a relay wired from a dashboard switch follows the payload.
      if (statusField) assert.equal(saved[statusField], '', `relay ${statusField} default`);
      assert.match(
        (await editor.flowNode(ids[type]).locator('.red-ui-flow-node-label').textContent()) ?? '',
        new RegExp(name),
        `${type} label in the workspace`,
      );
    }

    // The config node's dialog, from a node's "add new server" button, as a user meets it.
    const tray = await editor.openNodeEditor(ids['webtapi-relay-set']);
    await editor.configAddButton('server').click();
    const cfg = await editor.waitForTray(CONFIG_TRAY);
    for (const field of CONFIG_FIELDS) assert.equal(await cfg.locator(`#node-config-input-${field}`).count(), 1, `config field ${field}`);
    assert.equal(await cfg.locator('#webtapi-config-test').count(), 1, 'Test connection button');
    await assertTranslated(cfg, 'webtapi-config');
    await cfg.locator('#node-config-input-name').fill('e2e server');
    await cfg.locator('#node-config-input-url').fill(world().sim.url);
    // Generate: 32 url-safe characters, a new one each time, and the address the PBX calls.
    await cfg.locator('#webtapi-config-generate').click();
    const token = await cfg.locator('#node-config-input-eventToken').inputValue();
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    assert.ok((await cfg.locator('#webtapi-config-event-url').innerText()).includes(`/metasec-webtapi/events/${token}`));
    await cfg.locator('#webtapi-config-generate').click();
    assert.notEqual(await cfg.locator('#node-config-input-eventToken').inputValue(), token);
    await editor.closeTray('node-config-dialog-ok', NODE_TRAY);
    const chosen = await tray.locator('#node-input-server').inputValue();
    await editor.closeTray('node-dialog-ok', null);
    const config = await page.evaluate((id: string) => {
      const n = RED.nodes.node(id);
      return n && { type: n.type, name: n.name, url: n.url };
    }, chosen);
    assert.deepEqual(config, { type: 'webtapi-config', name: 'e2e server', url: world().sim.url });
    assert.equal((await editor.nodeProps(ids['webtapi-relay-set']))?.server, chosen);

    assert.deepEqual(problemsSince(world(), since, pickListNotDeployed), []);
  });

  it('a select a message may fill offers "from the message", shows every field with it, and saves a choice', async function () {
    const { editor } = world();
    await fresh();
    const since = mark(world());
    await editor.importNodes([{ id: 'e2e-call', type: 'webtapi-call', name: '', server: '', mode: '', x: 200, y: 100, wires: [[]] }]);
    const tray = await editor.openNodeEditor('e2e-call');
    const mode = tray.locator('#node-input-mode');
    assert.equal(await mode.inputValue(), '', 'the dialog keeps "from the message"');
    assert.match((await mode.locator('option[value=""]').textContent()) ?? '', /from the message/);
    const row = (field: string) => tray.locator(`.webtapi-toggle-row:has(#node-input-${field})`);
    for (const field of ['src', 'dst', 'stations', 'chan'])
      assert.ok(await row(field).isVisible(), `${field} shown: the message may pick any mode`);
    await mode.selectOption('prio');
    assert.ok(await row('dst').isVisible());
    assert.ok(!(await row('src').isVisible()), 'src hidden for prio');
    await editor.closeTray('node-dialog-ok', null);
    assert.equal((await editor.nodeProps('e2e-call'))?.mode, 'prio');
    assert.deepEqual(problemsSince(world(), since, pickListNotDeployed), []);
  });

  it('tests the connection from the config dialog: success, then a wrong password with its reason', async function () {
    const { editor, page, sim } = world();
    await fresh();
    const since = mark(world());
    const counted = { logins: sim.stats.logins, failures: sim.stats.loginFailures };
    await editor.importNodes([
      {
        id: 'e2e-relay',
        type: 'webtapi-relay-set',
        name: '',
        server: '',
        relay: '17',
        relayType: 'str',
        pulse: 0,
        x: 200,
        y: 100,
        wires: [[]],
      },
    ]);
    const tray = await editor.openNodeEditor('e2e-relay');
    await editor.configAddButton('server').click();
    const cfg = await editor.waitForTray(CONFIG_TRAY);
    await cfg.locator('#node-config-input-name').fill('PBX');
    await cfg.locator('#node-config-input-url').fill(sim.url);
    await cfg.locator('#node-config-input-username').fill(USER);
    await cfg.locator('#node-config-input-password').fill(PASSWORD);

    const result = cfg.locator('#webtapi-config-test-result');
    const ok = await pressTest(cfg);
    assert.equal(ok.code, 'OK', `answer: ${ok.text}`);
    assert.equal(await result.getAttribute('class'), 'webtapi-ok');
    assert.ok(ok.text.includes(await editor.t(`${NS}/webtapi-config:webtapi-config.test.success`)), ok.text);
    assert.equal(sim.stats.logins, counted.logins + 1, 'one login at the simulator');

    // The README picture: the dialog just after a successful test.
    const shot = docScreenshot('config.png');
    const box = await cfg.boundingBox();
    const bottom = await cfg.locator('.form-tips').last().boundingBox();
    assert.ok(box && bottom);
    const clip = { x: box.x, y: box.y, width: Math.min(box.width, 620), height: Math.min(bottom.y + bottom.height + 14 - box.y, 640) };
    const hide = '.red-ui-notification, .red-ui-popover { display: none !important; }';
    for (const file of [shot.artifact, shot.docs]) if (file) await page.screenshot({ path: file, clip, style: hide });
    assertPng(shot.artifact, 700, 300);

    const wrong = 'Xq7-not-the-password';
    await cfg.locator('#node-config-input-password').fill(wrong);
    const bad = await pressTest(cfg);
    assert.equal(bad.code, 'WEBTAPI_LOGIN_FAILED', `answer: ${bad.text}`);
    assert.equal(await result.getAttribute('class'), 'webtapi-fail');
    const reason = await editor.t(`${NS}/webtapi-config:webtapi-config.errors.WEBTAPI_LOGIN_FAILED`);
    assert.match(reason, /password|login|credential/i);
    assert.ok(bad.text.includes(reason), bad.text);
    assert.ok(!bad.text.includes(wrong) && !bad.text.includes(PASSWORD), `no password in the answer: ${bad.text}`);
    assert.equal(sim.stats.loginFailures, counted.failures + 1, 'one rejected login at the simulator');

    // Deployed with the right password, the dialog holds Node-RED's placeholder: the test uses the stored one.
    await cfg.locator('#node-config-input-password').fill(PASSWORD);
    await editor.closeTray('node-config-dialog-ok', NODE_TRAY);
    const configId = await tray.locator('#node-input-server').inputValue();
    await editor.closeTray('node-dialog-ok', null);
    await deploy();
    assert.ok(world().nodeRed.getNode(configId), 'config node running');
    await editor.openNodeEditor('e2e-relay');
    await editor.configEditButton('server').click();
    const again = await editor.waitForTray(CONFIG_TRAY);
    assert.equal(await again.locator('#node-config-input-password').inputValue(), '__PWRD__');
    const stored = await pressTest(again);
    assert.equal(stored.code, 'OK', `answer with the stored password: ${stored.text}`);
    await editor.closeTray('node-config-dialog-cancel', NODE_TRAY);
    await editor.closeTray('node-dialog-cancel', null);

    assert.deepEqual(problemsSince(world(), since, pickListNotDeployed), []);
  });

  describe('with a server deployed through the editor', function () {
    before(async function () {
      await keepArtifacts(this.test?.fullTitle() ?? 'deploy', async () => {
        const { editor, sim } = world();
        await fresh();
        await editor.importNodes([
          server(sim, 'e2e-pbx'),
          // Both names of the switch value: the editor keeps the one its node definition has
          // (relayStatus in nodes/, status in docs/nodes.md) and drops the other.
          {
            id: 'e2e-relay',
            type: 'webtapi-relay-set',
            name: '',
            server: 'e2e-pbx',
            relay: '17',
            relayType: 'str',
            status: 'on',
            statusType: 'str',
            relayStatus: 'on',
            relayStatusType: 'str',
            pulse: 0,
            x: 200,
            y: 100,
            wires: [[]],
          },
          {
            id: 'e2e-cam',
            type: 'webtapi-cam-snapshot',
            name: '',
            server: 'e2e-pbx',
            camera: '44',
            cameraType: 'str',
            operation: 'picture',
            output: 'buffer',
            x: 200,
            y: 180,
            wires: [[]],
          },
        ]);
        await deploy();
        assert.ok(world().nodeRed.getNode('e2e-pbx'), 'config node running');
      });
    });

    it('offers the relays of the PBX in the relay dialog (17, 18, 19)', async function () {
      const { editor } = world();
      const since = mark(world());
      const tray = await editor.openNodeEditor('e2e-relay');
      const options = tray.locator('#webtapi-options-relays option');
      await options.nth(2).waitFor({ state: 'attached' });
      const offered = await options.evaluateAll((els: any[]) => els.map((o) => ({ value: o.value, label: o.textContent })));
      assert.deepEqual(offered.map((o: { value: string }) => o.value).sort(), ['17', '18', '19']);
      assert.ok(
        offered.some((o: { label: string }) => /Door/.test(o.label)),
        JSON.stringify(offered),
      );
      // The list is attached to the text box the user types the relay into.
      const box = tray.locator('.red-ui-typedInput-container').filter({ has: tray.page().locator('input[list="webtapi-options-relays"]') });
      assert.equal(await box.count(), 1, 'relay input offers the list');
      // The runtime's node status must not have replaced the relay's switch value in the dialog.
      const field = await relayStatusField(tray);
      assert.equal(await tray.locator(`#node-input-${field}`).inputValue(), 'on', `#node-input-${field} after deploy`);
      await editor.closeTray('node-dialog-cancel', null);
      assert.deepEqual(problemsSince(world(), since), []);
    });

    it('keeps the relay PIN a password: typed in the dialog, deployed, never shown again', async function () {
      const { editor, page } = world();
      const since = mark(world());
      const pin = 'e2e-Pin-7391';
      const tray = await editor.openNodeEditor('e2e-relay');
      assert.equal(await tray.locator('#node-input-code').getAttribute('type'), 'password');
      await tray.locator('#node-input-code').fill(pin);
      await editor.closeTray('node-dialog-ok', null);
      await deploy();
      const running = world().nodeRed.getNode('e2e-relay') as { credentials?: { code?: string } } | null;
      assert.equal(running?.credentials?.code, pin, 'the runtime node has the PIN');
      const again = await editor.openNodeEditor('e2e-relay');
      assert.equal(await again.locator('#node-input-code').inputValue(), '__PWRD__');
      assert.ok(!(await page.content()).includes(pin), 'the PIN is in the editor page');
      await editor.closeTray('node-dialog-cancel', null);
      assert.deepEqual(problemsSince(world(), since), []);
    });

    it('previews a camera in the camera dialog', async function () {
      const { editor, sim } = world();
      const since = mark(world());
      const pictures = sim.stats.byAction.vmx_cam_get_pic ?? 0;
      const tray = await editor.openNodeEditor('e2e-cam');
      await tray.locator('#webtapi-cam-preview').click();
      const img = tray.locator('#webtapi-cam-preview-img');
      await img.waitFor({ state: 'visible' });
      const size = await img.evaluate((el: any) => ({ w: el.naturalWidth, h: el.naturalHeight, complete: el.complete }));
      assert.ok(size.complete && size.w > 0 && size.h > 0, JSON.stringify(size));
      assert.equal((sim.stats.byAction.vmx_cam_get_pic ?? 0) - pictures, 1, 'the picture came from the simulator');
      await editor.closeTray('node-dialog-cancel', null);
      assert.deepEqual(problemsSince(world(), since), []);
    });
  });

  it('imports the door-opener example, points it at the simulator, deploys it and runs it', async function () {
    const { editor, page, sim } = world();
    await fresh();
    const since = mark(world());
    const example = doorExample();
    const ids = await editor.importExample(NS, example.title);
    const flowNodes = example.nodes;
    assert.deepEqual(
      [...ids].sort(),
      flowNodes
        .filter((n) => n.type !== 'tab')
        .map((n) => n.id)
        .sort(),
      'every node of the example imported',
    );

    // Point its server at the simulator through the dialogs, as the README tells a user to.
    const relay = flowNodes.find((n) => n.type === 'webtapi-relay-set');
    const inject = flowNodes.find((n) => n.type === 'inject' && downstream(flowNodes, n.id).some((d) => d.type === 'webtapi-call'));
    assert.ok(relay && inject, 'the example has a relay node and an inject that starts the call');
    await editor.openNodeEditor(relay.id);
    await editor.configEditButton('server').click();
    const cfg = await editor.waitForTray(CONFIG_TRAY);
    await cfg.locator('#node-config-input-url').fill(sim.url);
    await cfg.locator('#node-config-input-username').fill(USER);
    await cfg.locator('#node-config-input-password').fill(PASSWORD);
    await editor.closeTray('node-config-dialog-ok', NODE_TRAY);
    await editor.closeTray('node-dialog-ok', null);
    await deploy();

    // The README picture: palette with our nodes and the example in the workspace (a wider
    // window for it, so the whole example fits beside the palette).
    await editor.filterPalette('webtapi');
    const viewport = page.viewportSize();
    const flowWindow = { width: 1700, height: viewport?.height ?? 860 };
    await page.setViewportSize(flowWindow);
    try {
      await page.evaluate(() => RED.view.select({ nodes: [] }));
      const shot = docScreenshot('flow.png');
      const palette = await page.locator('#red-ui-palette-container').boundingBox();
      const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
      const nodes = await editor.flowExtent();
      assert.ok(palette && chart);
      assert.ok(nodes.x + nodes.width < chart.x + chart.width, 'the example fits in the workspace');
      const search = await page.locator('#red-ui-palette-search').boundingBox();
      const lastPaletteNode = await editor.paletteNode(PALETTE_TYPES[PALETTE_TYPES.length - 1]).boundingBox();
      assert.ok(search && lastPaletteNode);
      const header = await page.locator('#red-ui-header').boundingBox();
      // From the palette's search box (and the flow tabs above the workspace) down to whichever ends lower; never the page header.
      const top = Math.max(header ? header.y + header.height + 1 : 0, Math.min(search.y, chart.y - 36) - 4);
      const bottom = Math.max(nodes.y + nodes.height, lastPaletteNode.y + lastPaletteNode.height) + 16;
      const clip = { x: palette.x, y: top, width: nodes.x + nodes.width + 20 - palette.x, height: bottom - top };
      const hide = '.red-ui-notification, .red-ui-popover { display: none !important; }';
      for (const file of [shot.artifact, shot.docs]) if (file) await page.screenshot({ path: file, clip, style: hide });
      assertPng(shot.artifact, 1400, 600, flowWindow.height);
    } finally {
      if (viewport) await page.setViewportSize(viewport);
    }

    const relays = sim.state.relays.get('17');
    assert.ok(relays, 'relay 17 in the simulator');
    const setsBefore = relays.sets;
    const callsBefore = sim.stats.executed.call ?? 0;
    await editor.showDebug();
    await editor.clickNodeButton(inject.id);
    // The example: call to the flat, the flat rings, a snapshot, the door opens for a pulse, the door station hangs up.
    const last = downstream(flowNodes, relay.id).find((n) => n.type === 'debug');
    assert.ok(last, 'a debug node after the relay');
    await editor
      .debugMessages()
      .filter({ hasText: String(last.name) })
      .first()
      .waitFor({ timeout: 30_000 });
    assert.equal((sim.stats.executed.call ?? 0) - callsBefore, 1, 'one call placed');
    const switched = sim.requests.filter((r) => r.action === 'relay_status_set' && r.params.relay_id === '17').map((r) => r.params.status);
    assert.deepEqual(switched.slice(-2), ['1', '0'], 'relay 17 pulsed on, then off');
    assert.ok(relays.sets >= setsBefore + 2, `relay 17 switched (${relays.sets - setsBefore} times)`);
    assert.equal(relays.status, 0, 'door closed again after the pulse');
    const errors = await editor
      .debugMessages()
      .filter({ hasText: /WEBTAPI_|error/ })
      .count();
    assert.equal(errors, 0, 'no error in the debug sidebar');

    assert.deepEqual(problemsSince(world(), since, pickListNotDeployed), []);
  });
});

/** Which example is the door opener: its file name, and its nodes. */
function doorExample(): { title: string; nodes: FlowNode[] } {
  const dir = path.join(packageRoot().dir, 'examples');
  const file = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /door/i.test(f) && f.endsWith('.json'))
        .sort()[0]
    : undefined;
  if (!file) throw new Error(`no door-opener example in ${dir}`);
  return { title: file.replace(/\.json$/, ''), nodes: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowNode[] };
}

/** The nodes wired downstream of node `from`, however far. */
function downstream(nodes: FlowNode[], from: string): FlowNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const wires = (id: string) => ((byId.get(id)?.wires as string[][] | undefined) ?? []).flat();
  const seen = new Set<string>();
  const todo = wires(from);
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...wires(id));
  }
  return nodes.filter((n) => seen.has(n.id));
}

/** Press Test connection and wait for its answer (the result's data-code appears when it is in). */
async function pressTest(cfg: Locator): Promise<{ code: string; text: string }> {
  const result = cfg.locator('#webtapi-config-test-result');
  await cfg.locator('#webtapi-config-test').click();
  await cfg.locator('#webtapi-config-test-result[data-code]').waitFor({ state: 'attached' });
  return { code: String(await result.getAttribute('data-code')), text: (await result.innerText()).trim() };
}

/** Every text of ours in a dialog resolved: no empty label, no raw key (Node-RED's own texts are not checked). */
async function assertTranslated(tray: Locator, type: string): Promise<void> {
  const texts = await tray.locator('[data-i18n]').evaluateAll((els: any[]) =>
    els.map((el) => ({
      key: el.getAttribute('data-i18n') as string,
      text: (el.textContent || '').trim(),
      attrs: Object.fromEntries(
        Array.from(el.attributes as ArrayLike<{ name: string; value: string }>).map((a) => [a.name, a.value]),
      ) as Record<string, string>,
    })),
  );
  let ours = 0;
  for (const t of texts) {
    for (const part of t.key.split(';')) {
      // The editor prefixes each key of a node's template with its catalogue: <module>/<set>:<key>.
      const m = /^(?:\[([a-z]+)\])?(?:[^:\s]+:)?(.*)$/.exec(part.trim());
      if (!m || !m[2].startsWith('webtapi-')) continue;
      ours += 1;
      const shown = m[1] === undefined || m[1] === 'html' || m[1] === 'text' ? t.text : (t.attrs[m[1]] ?? '');
      assert.ok(shown !== '', `${type}: ${part} is empty`);
      // A key the editor could not resolve shows as the key itself.
      assert.ok(!shown.includes(m[2]), `${type}: ${part} shows its key "${shown}"`);
    }
  }
  assert.ok(ours > 3, `${type}: the dialog has texts of this package (${ours})`);
}

/** A PNG of a sensible size for the README: not a full-window capture, not a sliver. */
// maxHeight: the window's height for a shot that runs down the palette (its length differs between Node-RED versions).
function assertPng(file: string, maxWidth: number, minWidth: number, maxHeight = 800): void {
  const buf = fs.readFileSync(file);
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  assert.ok(
    width >= minWidth && width <= maxWidth && height > 200 && height <= maxHeight,
    `${file}: ${width}x${height} (at most ${maxWidth}x${maxHeight})`,
  );
}

// In the page: an icon element is drawn from a loaded image (background or mask), not left blank.
function iconDrawn(el: any): string {
  const s = (globalThis as any).getComputedStyle(el);
  const img = s.backgroundImage !== 'none' ? s.backgroundImage : s.maskImage || s.webkitMaskImage || 'none';
  return img && img !== 'none' ? 'loaded' : `none (${el.outerHTML})`;
}
