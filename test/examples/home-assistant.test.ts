/*
 * Example 07 (Home Assistant via MQTT) in the real runtime with Node-RED's own MQTT nodes, against
 * the demo's real broker (aedes with an account, free port) and the simulator: what Home Assistant
 * would read and send. Home Assistant is played by an MQTT client that reads the discovery config
 * as Home Assistant does (abbreviations expanded, required keys checked) and renders the lock's
 * command_template with the code a person typed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Simulator } from '../../dist/simulator';
import { PASSWORD, caughtCode, helper, statusMatching, until, withSimulator } from '../nodes/harness';
import { flowModules, type FlowNode } from './flow-nodes';
import { Broker, Received, Subscriber } from './mqtt';

type Config = Record<string, any>;

const ROOT = path.resolve(__dirname, '..', '..');
const FILE = path.join(ROOT, 'examples', '07 Home Assistant via MQTT.json');
const demoBroker = require(path.join(ROOT, 'scripts', 'demo', 'broker.js')) as {
  startBroker(port: number, account: { username: string; password: string }): Promise<Broker>;
};

const ACCOUNT = { username: 'webtapi-test', password: 'a-broker-password-for-tests' };
const PIN = '482913';
const DEVICE_CONFIG = 'homeassistant/device/metasec_webtapi/config';
const AVAILABILITY = 'metasec-webtapi/availability';
const DOOR_STATE = 'metasec-webtapi/door/state';

// Home Assistant's abbreviations (homeassistant/components/mqtt/abbreviations.py) that a config may use.
const ABBREVIATIONS: Record<string, string> = {
  cmps: 'components',
  p: 'platform',
  dev: 'device',
  o: 'origin',
  avty: 'availability',
  avty_t: 'availability_topic',
  uniq_id: 'unique_id',
  cmd_t: 'command_topic',
  cmd_tpl: 'command_template',
  stat_t: 'state_topic',
  pl_open: 'payload_open',
  stat_locked: 'state_locked',
  stat_open: 'state_open',
  dev_cla: 'device_class',
  evt_typ: 'event_types',
  img_t: 'image_topic',
  cont_type: 'content_type',
  t: 'topic',
  ops: 'options',
  ic: 'icon',
};
const DEVICE_ABBREVIATIONS: Record<string, string> = { ids: 'identifiers', mf: 'manufacturer', mdl: 'model', sw: 'sw_version' };
const ORIGIN_ABBREVIATIONS: Record<string, string> = { sw: 'sw_version', url: 'support_url' };
const SHARED = ['availability', 'availability_topic', 'command_topic', 'state_topic', 'qos', 'encoding'];
const REQUIRED: Record<string, string[]> = {
  lock: ['command_topic'],
  event: ['state_topic', 'event_types'],
  image: ['image_topic'],
  sensor: ['state_topic'],
};

const expand = (o: Config, table: Record<string, string>): Config =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [table[k] ?? k, v]));

/** A device discovery payload as Home Assistant reads it: every component with the shared options, or a failed assertion. */
function readDiscovery(payload: string): { device: Config; origin: Config; components: Map<string, Config> } {
  const root = expand(JSON.parse(payload) as Config, ABBREVIATIONS);
  const device = expand(root.device as Config, DEVICE_ABBREVIATIONS);
  const origin = expand(root.origin as Config, ORIGIN_ABBREVIATIONS);
  assert.ok(Array.isArray(device.identifiers) && device.identifiers.length > 0, 'device.identifiers');
  assert.ok(typeof origin.name === 'string' && origin.name !== '', 'origin.name is required');
  const components = new Map<string, Config>();
  for (const [id, raw] of Object.entries(root.components as Record<string, Config>)) {
    assert.match(id, /^[a-zA-Z0-9_-]+$/, `component id ${id}`);
    const c = expand(raw, ABBREVIATIONS);
    for (const k of SHARED) if (root[k] !== undefined && c[k] === undefined) c[k] = root[k];
    assert.ok(REQUIRED[c.platform], `${id}: platform ${c.platform} is not one this example should announce`);
    for (const k of ['unique_id', ...REQUIRED[c.platform]]) assert.ok(c[k] !== undefined && c[k] !== '', `${id}: ${k} is required`);
    components.set(id, c);
  }
  return { device, origin, components };
}

/** The lock's command_template rendered as Home Assistant renders it (its variables: value, code). */
function render(template: string, vars: { value: string; code: string }): string {
  assert.doesNotMatch(template, /\{%/, 'no statements: the template is only these variables');
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    assert.ok(name === 'value' || name === 'code', `unknown template variable ${name}`);
    return vars[name as 'value' | 'code'];
  });
}

const text = (m: Received) => m.payload.toString('utf8');
const isJpeg = (b: Buffer) => b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;

describe('example 07 Home Assistant via MQTT: Node-RED MQTT nodes, the demo broker, the simulator', function () {
  // The door's relay pulse is 3 s; a PBX outage is seen within the watch's back-off.
  this.timeout(30_000);
  let sim: Simulator;
  let broker: Broker;
  const clients: Subscriber[] = [];
  const subscribe = async (topics: string[]) => {
    const s = await Subscriber.connect(broker.port, topics, ACCOUNT);
    clients.push(s);
    return s;
  };
  const relay = () => sim.state.relays.get('17')!;

  before(async () => {
    sim = await withSimulator();
  });
  after(async () => {
    await sim.close();
  });
  // A new broker each time: nothing retained from the test before.
  beforeEach(async () => {
    sim.reset();
    broker = await demoBroker.startBroker(0, ACCOUNT);
  });
  afterEach(async () => {
    await helper.unload();
    for (const c of clients.splice(0)) await c.close();
    await broker.close();
  });

  /** The file as shipped, with what a user sets: the PBX account, the broker's address and account, the door PIN. */
  async function deploy(): Promise<FlowNode[]> {
    const nodes = JSON.parse(fs.readFileSync(FILE, 'utf8')) as FlowNode[];
    const cfg = nodes.find((n) => n.type === 'webtapi-config')!;
    cfg.url = sim.url;
    const mqttBroker = nodes.find((n) => n.type === 'mqtt-broker')!;
    mqttBroker.broker = '127.0.0.1';
    mqttBroker.port = String(broker.port);
    const door = nodes.find((n) => n.type === 'webtapi-relay-set')!;
    await helper.load(flowModules(nodes), nodes, {
      [cfg.id]: { username: '1004', password: PASSWORD },
      [mqttBroker.id]: { user: ACCOUNT.username, password: ACCOUNT.password },
      [door.id]: { code: PIN },
    });
    return nodes;
  }

  /** The discovery config as Home Assistant gets it: retained when it subscribes after the publication. */
  async function discovered(ha: Subscriber, retained = false) {
    const m = await ha.next((r) => r.topic === DEVICE_CONFIG && (!retained || r.retain) && r.payload.length > 0);
    return readDiscovery(text(m));
  }

  /** Home Assistant opening the lock with `code`: the command its command_template makes, published as it publishes (not retained). */
  async function openLock(ha: Subscriber, code: string): Promise<void> {
    const lock = (await discovered(ha)).components.get('door')!;
    await ha.publish(lock.command_topic as string, render(lock.command_template as string, { value: lock.payload_open as string, code }));
  }

  it('publishes one retained device discovery config that Home Assistant reads: a lock, a doorbell event, an image, a sensor per extension', async () => {
    const ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await deploy();
    const extensions = [...sim.state.extensions.keys()];
    // Sensors are announced with each extension's first state: wait for the config naming all of them.
    const full = await ha.next((m) => m.topic === DEVICE_CONFIG && extensions.every((e) => text(m).includes(`"ext_${e}"`)));
    // Home Assistant subscribing now gets it from the broker.
    const late = await subscribe(['homeassistant/#']);
    const { device, origin, components } = await discovered(late, true);
    assert.equal(text(await late.next((m) => m.topic === DEVICE_CONFIG && m.retain)), text(full));
    assert.deepEqual(device.identifiers, ['metasec_webtapi_door_station']);
    assert.equal(device.name, 'METASEC door station');
    assert.equal(origin.name, 'node-red-contrib-metasec-webtapi');
    assert.deepEqual([...components.keys()].sort(), ['door', 'doorbell', 'visitor', ...extensions.map((e) => `ext_${e}`)].sort());
    assert.equal(new Set([...components.values()].map((c) => c.unique_id)).size, components.size, 'unique ids');
    for (const c of components.values()) assert.deepEqual(c.availability, [{ topic: AVAILABILITY }]);
    assert.ok(
      ![...components.values()].some((c) => ['switch', 'button', 'camera'].includes(c.platform)),
      'no switch, button or camera drives or shows the door',
    );

    const lock = components.get('door')!;
    assert.equal(lock.platform, 'lock');
    assert.equal(lock.payload_open, 'OPEN');
    assert.match(lock.command_template, /\{\{\s*code\s*\}\}/, 'the code travels with every command');
    assert.match(lock.command_template, /\{\{\s*value\s*\}\}/);
    // Home Assistant accepts a code only if code_format matches it (re.match), then renders the template.
    const codeFormat = new RegExp(lock.code_format as string);
    assert.ok(codeFormat.test(PIN) && !codeFormat.test('') && !codeFormat.test('12"}'), 'code_format: digits only, so the JSON stays JSON');
    assert.deepEqual(JSON.parse(render(lock.command_template, { value: 'OPEN', code: PIN })), { command: 'OPEN', code: PIN });
    const doorbell = components.get('doorbell')!;
    assert.equal(doorbell.platform, 'event');
    assert.equal(doorbell.device_class, 'doorbell');
    assert.deepEqual(doorbell.event_types, ['ring']);
    const visitor = components.get('visitor')!;
    assert.equal(visitor.platform, 'image');
    assert.equal(visitor.content_type, 'image/jpeg');

    // The states the config names, retained: the door locked, extensions idle, online.
    await late.close();
    const states = await subscribe(['metasec-webtapi/#']);
    assert.equal(text(await states.next((m) => m.topic === lock.state_topic && m.retain)), lock.state_locked);
    assert.equal(text(await states.next((m) => m.topic === components.get('ext_1001')!.state_topic && m.retain)), 'idle');
    assert.equal(text(await states.next((m) => m.topic === AVAILABILITY && m.retain)), 'online');
    sim.ring('1003', '0891234567');
    assert.equal(text(await states.nextNew((m) => m.topic === components.get('ext_1003')!.state_topic)), 'ringing');
  });

  it('clears the retained per-entity configs of earlier versions (the latching switch among them)', async () => {
    const old = await subscribe([]);
    await old.publish(
      'homeassistant/switch/metasec_webtapi/relay_17/config',
      JSON.stringify({ name: 'Door relay', command_topic: 'metasec-webtapi/relay/17/set' }),
      true,
    );
    const ha = await subscribe(['homeassistant/#']);
    await ha.next((m) => m.topic === 'homeassistant/switch/metasec_webtapi/relay_17/config' && m.retain);
    await deploy();
    await ha.next((m) => m.topic === 'homeassistant/switch/metasec_webtapi/relay_17/config' && m.payload.length === 0);
    const late = await subscribe(['homeassistant/#']);
    await late.next((m) => m.topic === DEVICE_CONFIG && m.retain);
    assert.ok(!late.received.some((m) => m.topic.startsWith('homeassistant/switch/')), 'the old switch config is gone from the broker');
  });

  it('opens the door with the right code: exactly one 3 s pulse, the lock state OPEN then LOCKED', async () => {
    const ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await deploy();
    await ha.next((m) => m.topic === DOOR_STATE && text(m) === 'LOCKED');
    const sets = relay().sets;
    const opened = ha.nextNew((m) => m.topic === DOOR_STATE && text(m) === 'OPEN');
    await openLock(ha, PIN);
    await opened;
    await ha.nextNew((m) => m.topic === DOOR_STATE && text(m) === 'LOCKED', 10_000);
    await until(() => relay().status === 0 && relay().sets === sets + 2, 5000);
    assert.equal(relay().sets, sets + 2, 'one pulse: on, then off');
  });

  it('does not open the door with a wrong code: nothing is written, the error is WEBTAPI_ACCESS_DENIED', async () => {
    const ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await deploy();
    await ha.next((m) => m.topic === DOOR_STATE && text(m) === 'LOCKED');
    const sets = relay().sets;
    const denied = new Promise<Record<string, any>>((resolve) => helper.getNode('ex7-errors')!.on('input', resolve));
    await openLock(ha, '000000');
    const caught = await denied;
    assert.equal(caughtCode(caught), 'WEBTAPI_ACCESS_DENIED');
    assert.equal(caught.error.source.id, 'ex7-relay');
    assert.equal(relay().sets, sets, 'no relay write');
    assert.doesNotMatch(JSON.stringify(caught), new RegExp(PIN), 'the PIN is nowhere in the message');
  });

  it('ignores a retained open command (with the right code) waiting on the broker at deploy; a live one still opens', async () => {
    const early = await subscribe([]);
    const lock = JSON.stringify({ command: 'OPEN', code: PIN });
    await early.publish('metasec-webtapi/door/set', lock, true);
    const sets = relay().sets;
    const ha = await subscribe(['metasec-webtapi/#']);
    const nodes = await deploy();
    const filter = nodes.find((n) => n.type === 'function' && (n.wires as string[][]).flat().includes('ex7-relay'))!;
    await statusMatching(helper.getNode(filter.id)!, (s) => s.text === 'retained command ignored');
    await ha.next((m) => m.topic === DOOR_STATE && text(m) === 'LOCKED');
    assert.equal(relay().sets, sets, 'the retained command wrote nothing');

    // The positive counterpart: the same command, live.
    await ha.publish('metasec-webtapi/door/set', lock);
    await until(() => relay().sets === sets + 2 && relay().status === 0, 10_000);
  });

  it('ignores every other payload on the command topic: LOCK, UNLOCK, a bare OPEN, ON, no code, not JSON', async () => {
    const ha = await subscribe(['metasec-webtapi/#']);
    const nodes = await deploy();
    await ha.next((m) => m.topic === DOOR_STATE && text(m) === 'LOCKED');
    const filter = helper.getNode(nodes.find((n) => n.type === 'function' && (n.wires as string[][]).flat().includes('ex7-relay'))!.id)!;
    const sets = relay().sets;
    const others = [
      'OPEN',
      'ON',
      'PRESS',
      '{"command":"UNLOCK","code":"' + PIN + '"}',
      '{"command":"LOCK","code":"' + PIN + '"}',
      '{"command":"OPEN"}',
      '{"command":"OPEN","code":""}',
      '{"command":"OPEN","code":482913}',
      '{"command":"OPEN","code":',
      '',
    ];
    for (const payload of others) {
      const ignored = statusMatching(filter, (s) => s.text === 'not an open command: ignored');
      await ha.publish('metasec-webtapi/door/set', payload);
      await ignored;
    }
    assert.equal(relay().sets, sets, 'nothing written');
  });

  it('a ring of the door station publishes a doorbell event and the picture to the image topic, not retained', async () => {
    const ha = await subscribe(['metasec-webtapi/#']);
    await deploy();
    await ha.next((m) => m.topic === AVAILABILITY && text(m) === 'online');
    // Another caller is no doorbell ring.
    sim.ring('1002', '0891234567');
    await ha.next((m) => m.topic === 'metasec-webtapi/extension/1002/state' && text(m) === 'ringing');

    const event = ha.nextNew((m) => m.topic === 'metasec-webtapi/doorbell/event');
    const picture = ha.nextNew((m) => m.topic === 'metasec-webtapi/camera/44/image');
    sim.doorbell('1001');
    const e = JSON.parse(text(await event)) as Record<string, unknown>;
    assert.equal(e.event_type, 'ring');
    assert.equal(e.flat, '1001');
    assert.ok(Number.isFinite(Date.parse(String(e.at))), `event time ${String(e.at)}`);
    const pic = await picture;
    assert.ok(isJpeg(pic.payload), 'JPEG bytes');
    assert.equal(ha.received.filter((m) => m.topic === 'metasec-webtapi/doorbell/event').length, 1, 'one event per ring');

    // The broker keeps no picture of the visitor: a client subscribing now gets none.
    const late = await subscribe(['metasec-webtapi/#']);
    await late.next((m) => m.topic === AVAILABILITY && m.retain);
    assert.ok(!late.received.some((m) => m.topic === 'metasec-webtapi/camera/44/image'), 'the picture is not retained');
  });

  it('after the broker comes back empty (nothing retained), the config and the last states are published again', async () => {
    let ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await deploy();
    await ha.next((m) => m.topic === 'metasec-webtapi/extension/1010/state');
    sim.ring('1002', '0891234567');
    await ha.next((m) => m.topic === 'metasec-webtapi/extension/1002/state' && text(m) === 'ringing');

    const port = broker.port;
    clients.splice(0).forEach((c) => void c.close());
    await broker.close();
    broker = await demoBroker.startBroker(port, ACCOUNT);
    // Node-RED's MQTT client reconnects after 5 s.
    ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    const config = await ha.next((m) => m.topic === DEVICE_CONFIG, 15_000);
    assert.ok(readDiscovery(text(config)).components.has('ext_1010'));
    assert.equal(text(await ha.next((m) => m.topic === 'metasec-webtapi/extension/1002/state')), 'ringing');
    assert.equal(text(await ha.next((m) => m.topic === DOOR_STATE)), 'LOCKED');
    assert.equal(text(await ha.next((m) => m.topic === AVAILABILITY)), 'online');
  });

  it('availability goes offline while the PBX is unreachable and back online', async () => {
    const ha = await subscribe([AVAILABILITY]);
    await deploy();
    await ha.next((m) => text(m) === 'online');
    assert.ok(!ha.received.some((m) => text(m) === 'offline'));
    const offline = ha.nextNew((m) => text(m) === 'offline', 15_000);
    await sim.pause();
    await offline;
    const since = ha.received.length - 1;
    const online = ha.nextNew((m) => text(m) === 'online', 20_000);
    await sim.resume();
    await online;
    // Failed polls repeat; the availability changes once each way.
    assert.deepEqual(ha.received.slice(since).map(text), ['offline', 'online']);
  });
});

describe('the demo broker (scripts/demo/broker.js): no anonymous access', () => {
  let broker: Broker;
  before(async () => {
    broker = await demoBroker.startBroker(0, ACCOUNT);
  });
  after(async () => {
    await broker.close();
  });

  it('refuses a client without a user and password (CONNACK "not authorized")', async () => {
    await assert.rejects(Subscriber.connect(broker.port, ['#']), /Not authorized/i);
  });

  it('refuses a wrong password and a wrong user', async () => {
    await assert.rejects(Subscriber.connect(broker.port, ['#'], { username: ACCOUNT.username, password: 'guess' }), /Not authorized/i);
    await assert.rejects(Subscriber.connect(broker.port, ['#'], { username: 'admin', password: ACCOUNT.password }), /Not authorized/i);
  });

  it('accepts its account', async () => {
    const s = await Subscriber.connect(broker.port, ['#'], ACCOUNT);
    await s.close();
  });

  it('does not start without an account', async () => {
    await assert.rejects(demoBroker.startBroker(0, undefined as never), /needs an account/);
  });
});
