/*
 * The demo's own parts of the example flows (scripts/demo/dashboard.js): the panel's Ring button
 * follows the simulator's port, goes away against a real PBX; the Home Assistant example's broker
 * follows the demo's broker unless the user pointed it elsewhere; the panel's address.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { exampleFlows } = require(path.join(ROOT, 'scripts', 'demo', 'flows.js')) as { exampleFlows(dir: string, url: string, mode: string): Node[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parts = require(path.join(ROOT, 'scripts', 'demo', 'dashboard.js')) as {
  applyDemoParts(flows: Node[], target: Record<string, unknown>): { ringButton: boolean; broker: boolean };
  panelUrl(flows: Node[], editor: string): string | null;
  panelLine(loaded: boolean, flows: Node[], editor: string): string | null;
};

type Node = Record<string, any> & { id: string; type: string };
const SIM = 'http://127.0.0.1:40001/webtapi/webtapi.php';
const examples = () => exampleFlows(path.join(ROOT, 'examples'), SIM, 'simulator');
const byId = (flows: Node[], id: string) => flows.find((n) => n.id === id);

describe('npm start: the demo\'s parts of the panel and the Home Assistant example', () => {
  it('keeps config nodes other than ours global (dashboard base, page, groups, MQTT broker)', () => {
    const flows = examples();
    for (const type of ['ui-base', 'ui-page', 'ui-group', 'ui-theme', 'mqtt-broker']) {
      const nodes = flows.filter((n) => n.type === type);
      assert.ok(nodes.length > 0, type);
      for (const n of nodes) assert.equal(n.z, undefined, `${n.id} (${type})`);
    }
    assert.ok(flows.filter((n) => n.type === 'ui-button' || n.type === 'ui-template').every((n) => typeof n.z === 'string' && n.z.startsWith('demo-tab-')));
  });

  it('adds the Ring button wired to the simulator\'s control API, re-pointed when the port changes', () => {
    const flows = examples();
    assert.deepEqual(parts.applyDemoParts(flows, { mode: 'simulator', url: SIM }), { ringButton: true, broker: false });
    const button = byId(flows, 'demo-ring')!;
    assert.equal(button.type, 'ui-button');
    assert.equal(button.group, 'ex6-g-door');
    assert.equal(button.z, byId(flows, 'ex6-keypad')!.z, 'on the panel example\'s tab');
    assert.equal(byId(flows, 'demo-ring-url')!.rules[0].to, 'http://127.0.0.1:40001/sim/doorbell?flat=1003');
    for (const n of flows.filter((f) => f.id.startsWith('demo-ring') || f.id.startsWith('demo-hangup'))) {
      for (const target of (n.wires ?? []).flat()) assert.ok(byId(flows, target), `${n.id} -> ${target}`);
    }
    const count = flows.length;
    parts.applyDemoParts(flows, { mode: 'simulator', url: 'http://127.0.0.1:40002/webtapi/webtapi.php' });
    assert.equal(flows.length, count, 'nothing added twice');
    assert.equal(byId(flows, 'demo-ring-url')!.rules[0].to, 'http://127.0.0.1:40002/sim/doorbell?flat=1003');
    assert.match(byId(flows, 'demo-hangup-url')!.rules[0].to, /^"http:\/\/127\.0\.0\.1:40002\/sim\/hangup\?chan=" & /);

    parts.applyDemoParts(flows, { mode: 'pbx', url: 'https://pbx.example/webtapi/webtapi.php' });
    assert.equal(flows.filter((n) => n.id.startsWith('demo-ring') || n.id.startsWith('demo-hangup')).length, 0, 'no simulator to ring');
  });

  it('points the Home Assistant example at the demo\'s broker, but not a broker the user chose', () => {
    const flows = examples();
    assert.equal(parts.applyDemoParts(flows, { mode: 'simulator', url: SIM, mqtt: { port: 41883 } }).broker, true);
    assert.equal(byId(flows, 'ex7-broker')!.port, '41883');
    byId(flows, 'ex7-broker')!.broker = '192.168.1.20';
    byId(flows, 'ex7-broker')!.port = '1883';
    assert.equal(parts.applyDemoParts(flows, { mode: 'simulator', url: SIM, mqtt: { port: 41884 } }).broker, false);
    assert.equal(byId(flows, 'ex7-broker')!.port, '1883');
  });

  it('says where the panel is, or how to get it back', () => {
    const flows = examples();
    assert.equal(parts.panelUrl(flows, 'http://127.0.0.1:1880/'), 'http://127.0.0.1:1880/dashboard/door-station');
    assert.equal(parts.panelLine(false, flows, 'http://127.0.0.1:1880/'), null, 'no Dashboard 2.0 installed: nothing to say');
    assert.match(parts.panelLine(true, flows.filter((n) => n.type !== 'ui-page'), 'http://127.0.0.1:1880/')!, /--reset/);
  });
});
