/*
 * The demo's own parts of the example flows (scripts/demo/dashboard.js): the panel's Ring button
 * follows the simulator's port, goes away against a real PBX; the Home Assistant example's broker
 * follows the demo's broker unless the user pointed it elsewhere; the panel's address.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const { exampleFlows } = require(path.join(ROOT, 'scripts', 'demo', 'flows.js')) as {
  exampleFlows(dir: string, url: string, mode: string): Node[];
};
const parts = require(path.join(ROOT, 'scripts', 'demo', 'dashboard.js')) as {
  applyDemoParts(flows: Node[], target: Record<string, unknown>): { ringButton: boolean; broker: boolean };
  panelUrl(flows: Node[], editor: string): string | null;
  panelLine(loaded: boolean, flows: Node[], editor: string, pin?: string): string | null;
};

const { demoSecrets, GUESSABLE } = require(path.join(ROOT, 'scripts', 'demo', 'secrets.js')) as {
  demoSecrets(dir: string): { pin: string; mqtt: { username: string; password: string } };
  GUESSABLE: RegExp;
};
const { applyDemoCredentials } = require(path.join(ROOT, 'scripts', 'demo', 'credentials.js')) as {
  applyDemoCredentials(o: { credsFile: string; flows: Node[]; secrets: object; brokerIsDemo: boolean }): { pin: string | null };
};

type Node = Record<string, any> & { id: string; type: string };
const SIM = 'http://127.0.0.1:40001/webtapi/webtapi.php';
const examples = () => exampleFlows(path.join(ROOT, 'examples'), SIM, 'simulator');
const byId = (flows: Node[], id: string) => flows.find((n) => n.id === id);

describe("npm start: the demo's parts of the panel and the Home Assistant example", () => {
  it('keeps config nodes other than ours global (dashboard base, page, groups, MQTT broker)', () => {
    const flows = examples();
    for (const type of ['ui-base', 'ui-page', 'ui-group', 'ui-theme', 'mqtt-broker']) {
      const nodes = flows.filter((n) => n.type === type);
      assert.ok(nodes.length > 0, type);
      for (const n of nodes) assert.equal(n.z, undefined, `${n.id} (${type})`);
    }
    assert.ok(
      flows
        .filter((n) => n.type === 'ui-button' || n.type === 'ui-template')
        .every((n) => typeof n.z === 'string' && n.z.startsWith('demo-tab-')),
    );
  });

  it("adds the Ring button wired to the simulator's control API, re-pointed when the port changes", () => {
    const flows = examples();
    assert.deepEqual(parts.applyDemoParts(flows, { mode: 'simulator', url: SIM }), { ringButton: true, broker: false });
    const button = byId(flows, 'demo-ring')!;
    assert.equal(button.type, 'ui-button');
    assert.equal(button.group, 'ex6-g-door');
    assert.equal(button.z, byId(flows, 'ex6-keypad')!.z, "on the panel example's tab");
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

  it("points the Home Assistant example at the demo's broker, but not a broker the user chose", () => {
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
    assert.match(
      parts.panelLine(
        true,
        flows.filter((n) => n.type !== 'ui-page'),
        'http://127.0.0.1:1880/',
      )!,
      /--reset/,
    );
  });

  describe("the demo's secrets (scripts/demo/secrets.js, credentials.js)", () => {
    let dir = '';
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-demo-secrets-'));
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('makes a random six-digit PIN and a broker account once, stored 0600, the same on the next start', () => {
      const first = demoSecrets(dir);
      assert.match(first.pin, /^\d{6}$/);
      assert.ok(!GUESSABLE.test(first.pin));
      assert.ok(first.mqtt.password.length >= 16);
      assert.equal(fs.statSync(path.join(dir, 'demo-secrets.json')).mode & 0o777, 0o600);
      assert.deepEqual(demoSecrets(dir), first);
      // Not one fixed PIN: another directory gets another (1 in 10^6 to collide).
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-demo-secrets-'));
      try {
        assert.notEqual(demoSecrets(other).pin + demoSecrets(other).mqtt.password, first.pin + first.mqtt.password);
      } finally {
        fs.rmSync(other, { recursive: true, force: true });
      }
    });

    it('never hands out a guessable PIN, and replaces a stored one that is', () => {
      for (const pin of ['123456', '000000', '111111', '654321']) assert.ok(GUESSABLE.test(pin), pin);
      fs.writeFileSync(
        path.join(dir, 'demo-secrets.json'),
        JSON.stringify({ pin: '123456', mqtt: { username: 'u', password: 'x'.repeat(20) } }),
        { mode: 0o644 },
      );
      const s = demoSecrets(dir);
      assert.notEqual(s.pin, '123456');
      assert.equal(fs.statSync(path.join(dir, 'demo-secrets.json')).mode & 0o777, 0o600);
    });

    it("sets the PIN on both door nodes and the account on the example's broker node; a PIN the user set is kept", () => {
      const credsFile = path.join(dir, 'flows_cred.json');
      const secrets = { pin: '480213', mqtt: { username: 'webtapi-demo', password: 'p'.repeat(24) } };
      fs.writeFileSync(credsFile, JSON.stringify({ 'demo-pbx': { username: '1004', password: 'secret' }, 'ex7-relay': { code: '7777' } }));
      assert.deepEqual(applyDemoCredentials({ credsFile, flows: examples(), secrets, brokerIsDemo: true }), { pin: '480213' });
      const creds = JSON.parse(fs.readFileSync(credsFile, 'utf8')) as Record<string, Record<string, string>>;
      assert.deepEqual(creds['demo-pbx'], { username: '1004', password: 'secret' });
      assert.equal(creds['ex6-relay'].code, '480213');
      assert.equal(creds['ex7-relay'].code, '7777', "the user's own PIN");
      assert.deepEqual(creds['ex7-broker'], { user: 'webtapi-demo', password: secrets.mqtt.password });
      assert.equal(fs.statSync(credsFile).mode & 0o777, 0o600);
      // A broker the user pointed elsewhere keeps its own account.
      fs.writeFileSync(credsFile, JSON.stringify({ 'ex7-broker': { user: 'ha', password: 'theirs' } }));
      applyDemoCredentials({ credsFile, flows: examples(), secrets, brokerIsDemo: false });
      assert.deepEqual((JSON.parse(fs.readFileSync(credsFile, 'utf8')) as Record<string, unknown>)['ex7-broker'], {
        user: 'ha',
        password: 'theirs',
      });
    });

    it("prints the PIN beside the panel's address", () => {
      assert.equal(
        parts.panelLine(true, examples(), 'http://127.0.0.1:1880/', '480213'),
        'Door station dashboard: http://127.0.0.1:1880/dashboard/door-station  (door PIN: 480213)',
      );
    });
  });
});
