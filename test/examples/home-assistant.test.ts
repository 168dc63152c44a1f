/*
 * Example 07 (Home Assistant via MQTT) in the real runtime with Node-RED's own MQTT nodes, against a
 * real broker (aedes, free port) and the simulator: what Home Assistant would see and send.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeAPI } from 'node-red';
import type { Simulator } from '../../dist/simulator';
import { NODES, PASSWORD, helper, until, withSimulator } from '../nodes/harness';
import { Broker, Received, Subscriber, startBroker } from './mqtt';

type FlowNode = Record<string, any> & { id: string; type: string };
type NodeModule = (RED: NodeAPI) => void;

const FILE = path.resolve(__dirname, '..', '..', 'examples', '07 Home Assistant via MQTT.json');
const core = (file: string): NodeModule =>
  require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [require.resolve('node-red')] })) as NodeModule;
const CORE = ['common/20-inject.js', 'common/21-debug.js', 'common/25-catch.js', 'common/25-status.js', 'common/90-comment.js',
  'function/10-switch.js', 'function/15-change.js', 'function/10-function.js', 'function/rbe.js', 'network/10-mqtt.js'];

const NODE_ID = 'metasec_webtapi';
const CONFIG = new RegExp(`^homeassistant/(sensor|switch|button|event|camera)/${NODE_ID}/([A-Za-z0-9_-]+)/config$`);
const AVAILABILITY = 'metasec-webtapi/availability';

const text = (m: Received) => m.payload.toString('utf8');
const isJpeg = (b: Buffer) => b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;

describe('example 07 Home Assistant via MQTT: Node-RED MQTT nodes, a real broker, the simulator', function () {
  // The button's relay pulse is 3 s; a PBX outage is seen within the watch's back-off.
  this.timeout(30_000);
  let sim: Simulator;
  let broker: Broker;
  const clients: Subscriber[] = [];
  const subscribe = async (topics: string[]) => {
    const s = await Subscriber.connect(broker.port, topics);
    clients.push(s);
    return s;
  };

  before(async () => {
    sim = await withSimulator();
  });
  after(async () => {
    await sim.close();
  });
  // A new broker each time: nothing retained from the test before.
  beforeEach(async () => {
    sim.reset();
    broker = await startBroker();
  });
  afterEach(async () => {
    await helper.unload();
    for (const c of clients.splice(0)) await c.close();
    await broker.close();
  });

  /** The file as shipped, with what a user sets: the PBX address and credentials, the broker's address. */
  async function deploy(): Promise<FlowNode[]> {
    const nodes = JSON.parse(fs.readFileSync(FILE, 'utf8')) as FlowNode[];
    const cfg = nodes.find((n) => n.type === 'webtapi-config')!;
    cfg.url = sim.url;
    const mqttBroker = nodes.find((n) => n.type === 'mqtt-broker')!;
    mqttBroker.broker = '127.0.0.1';
    mqttBroker.port = String(broker.port);
    // Our node types the example uses (a Set: those the harness lists are the same cached modules).
    const ours = new Set<NodeModule>([...NODES]);
    for (const t of new Set(nodes.map((n) => n.type))) if (t.startsWith('webtapi-')) ours.add(require(`../../dist/nodes/${t}.js`) as NodeModule);
    await helper.load([...ours, ...CORE.map(core)], nodes, { [cfg.id]: { username: '1004', password: PASSWORD } });
    return nodes;
  }

  it('publishes retained discovery configs (unique_id, name, device, availability) for extensions, relay, doorbell and camera', async () => {
    const extensions = [...sim.state.extensions.keys()];
    const expected = [...extensions.map((e) => `sensor/ext_${e}`), 'switch/relay_17', 'button/relay_17_pulse', 'event/doorbell', 'camera/camera_44'];
    const stateTopics = [...extensions.map((e) => `metasec-webtapi/extension/${e}/state`), 'metasec-webtapi/relay/17/state', AVAILABILITY];
    const seen = (s: Subscriber, retained: boolean) => new Set(s.received.filter((m) => !retained || m.retain).map((m) => m.topic));
    const all = (s: Subscriber, retained: boolean) => {
      const got = seen(s, retained);
      return expected.every((e) => got.has(`homeassistant/${e.replace('/', `/${NODE_ID}/`)}/config`)) && stateTopics.every((t) => got.has(t));
    };
    const early = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await deploy();
    await until(() => all(early, false), 10_000);

    // Home Assistant subscribing now gets all of it from the broker: retained.
    const ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await until(() => all(ha, true), 10_000);
    const configs = new Map<string, Record<string, any>>();
    for (const m of ha.received.filter((r) => r.retain && CONFIG.test(r.topic))) {
      const [, component, objectId] = CONFIG.exec(m.topic)!;
      const c = JSON.parse(text(m)) as Record<string, any>;
      configs.set(`${component}/${objectId}`, c);
      assert.equal(c.unique_id, `${NODE_ID}_${objectId}`);
      assert.ok(typeof c.name === 'string' && c.name.length > 0, `${m.topic}: name`);
      assert.deepEqual(c.device.identifiers, ['metasec_webtapi_door_station']);
      assert.equal(c.device.name, 'METASEC door station');
      assert.equal(c.device.manufacturer, 'METASEC');
      assert.deepEqual(c.availability, [{ topic: AVAILABILITY }]);
    }
    assert.deepEqual([...configs.keys()].sort(), [...expected].sort());
    assert.equal(new Set([...configs.values()].map((c) => c.unique_id)).size, expected.length, 'unique ids');

    // Each topic a config names carries what Home Assistant expects, retained.
    const state = (topic: string) => ha.next((m) => m.topic === topic && m.retain);
    const s1001 = configs.get('sensor/ext_1001')!;
    assert.ok(s1001.options.includes('idle'));
    const first = await state(s1001.state_topic);
    assert.equal(text(first), 'idle');
    assert.equal(first.retain, true);
    const relay = configs.get('switch/relay_17')!;
    assert.equal(text(await state(relay.state_topic)), 'OFF');
    assert.equal(relay.payload_on, 'ON');
    assert.equal(relay.command_topic, 'metasec-webtapi/relay/17/set');
    assert.deepEqual(configs.get('event/doorbell')!.event_types, ['ring']);
    assert.equal(configs.get('camera/camera_44')!.topic, 'metasec-webtapi/camera/44/image');
    const online = await state(AVAILABILITY);
    assert.equal(text(online), 'online');
    assert.equal(online.retain, true);

    // A state change of an extension is published.
    sim.ring('1003', '0891234567');
    assert.equal(text(await ha.nextNew((m) => m.topic === 'metasec-webtapi/extension/1003/state')), 'ringing');
  });

  it('a ring of the door station publishes a doorbell event and the camera picture (JPEG bytes)', async () => {
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
    const pic = await picture;
    assert.ok(isJpeg(pic.payload), 'JPEG bytes');
    // The event carries the time of the ring.
    const at = Date.parse(String(e.at));
    assert.ok(Number.isFinite(at), `event time ${String(e.at)}`);
    assert.equal(ha.received.filter((m) => m.topic === 'metasec-webtapi/doorbell/event').length, 1, 'one event per ring');
  });

  it('switch commands from Home Assistant set the relay; the button pulses it; the state follows', async () => {
    const ha = await subscribe(['metasec-webtapi/#']);
    await deploy();
    await ha.next((m) => m.topic === 'metasec-webtapi/relay/17/state' && text(m) === 'OFF');
    const relay = () => sim.state.relays.get('17')!.status;

    // The state may also be re-sent unchanged (the broker connection's announcement): wait for the new one.
    const stateIs = (v: string) => ha.nextNew((m) => m.topic === 'metasec-webtapi/relay/17/state' && text(m) === v);
    let state = stateIs('ON');
    await ha.publish('metasec-webtapi/relay/17/set', 'ON');
    await state;
    assert.equal(relay(), 1);

    state = stateIs('OFF');
    await ha.publish('metasec-webtapi/relay/17/set', 'OFF');
    await state;
    assert.equal(relay(), 0);

    // Anything else on the command topic is ignored.
    const sets = sim.state.relays.get('17')!.sets;
    await ha.publish('metasec-webtapi/relay/17/set', 'MAYBE');
    await ha.publish('metasec-webtapi/relay/17/pulse', 'PRESS');
    await until(() => relay() === 1);
    await until(() => relay() === 0, 10_000);
    assert.equal(sim.state.relays.get('17')!.sets, sets + 2, 'the pulse: on, off; nothing for MAYBE');
  });

  it('after the broker comes back empty (nothing retained), configs and the last states are published again', async () => {
    let ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await deploy();
    await ha.next((m) => m.topic === 'homeassistant/camera/metasec_webtapi/camera_44/config');
    await ha.next((m) => m.topic === 'metasec-webtapi/extension/1010/state');
    sim.ring('1002', '0891234567');
    await ha.next((m) => m.topic === 'metasec-webtapi/extension/1002/state' && text(m) === 'ringing');

    const port = broker.port;
    clients.splice(0).forEach((c) => void c.close());
    await broker.close();
    broker = await startBroker(port);
    // Node-RED's MQTT client reconnects after 5 s.
    ha = await subscribe(['homeassistant/#', 'metasec-webtapi/#']);
    await ha.next((m) => m.topic === 'homeassistant/sensor/metasec_webtapi/ext_1010/config', 15_000);
    await ha.next((m) => m.topic === 'homeassistant/switch/metasec_webtapi/relay_17/config');
    assert.equal(text(await ha.next((m) => m.topic === 'metasec-webtapi/extension/1002/state')), 'ringing');
    assert.equal(text(await ha.next((m) => m.topic === 'metasec-webtapi/relay/17/state')), 'OFF');
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
