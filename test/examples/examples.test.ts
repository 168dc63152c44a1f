/*
 * The example flows (examples/*.json, Node-RED's Import ▸ Examples): each one loads into the real
 * runtime as shipped (only its config node pointed at a simulator on port 0, with credentials) and
 * does what its comment says, seen on the simulator.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Simulator } from '../../dist/simulator';
import { Broker, startBroker } from './mqtt';
import { CORE, DASHBOARD, flowModules, type FlowNode } from './flow-nodes';
import { PASSWORD, TestNode, caughtCode, helper, until, withSimulator } from '../nodes/harness';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const FILES = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const read = (file: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[];
const SIM_URL = 'http://127.0.0.1:9998/webtapi/webtapi.php';

/** Config nodes (global: no `z`) other than ours. */
const OTHER_CONFIGS = new Set(['mqtt-broker', 'ui-base', 'ui-page', 'ui-group', 'ui-theme']);

// docs/nodes.md, "Node properties": the names exported flows depend on.
const COMMON = ['id', 'type', 'z', 'x', 'y', 'wires', 'name', 'server', 'g', 'd', 'info'];
const PROPERTIES: Record<string, string[]> = {
  'webtapi-config': ['id', 'type', 'name', 'url', 'tls', 'timeout', 'concurrency'],
  'webtapi-call': [...COMMON, 'mode', 'src', 'srcType', 'dst', 'dstType', 'stations', 'stationsType', 'break', 'chan', 'chanType'],
  'webtapi-hangup': [...COMMON, 'target', 'targetType'],
  'webtapi-queue-agent': [...COMMON, 'operation', 'queue', 'queueType', 'agent', 'agentType', 'chan', 'chanType', 'position'],
  'webtapi-relay-set': [...COMMON, 'relay', 'relayType', 'relayStatus', 'relayStatusType', 'pulse'],
  'webtapi-cam-snapshot': [...COMMON, 'camera', 'cameraType', 'operation', 'output', 'history'],
  'webtapi-cam-stream': [...COMMON, 'camera', 'cameraType', 'fps', 'output', 'autoStart'],
  'webtapi-status-watch': [...COMMON, 'extensions', 'interval', 'emitInitial', 'watchCalls', 'watchRelays'],
  'webtapi-request': [...COMMON, 'action', 'params'],
  'webtapi-call-monitor': [...COMMON, 'extensions', 'interval', 'events'],
  'webtapi-event-in': [...COMMON, 'events'],
};

function configOf(nodes: FlowNode[]): FlowNode {
  const configs = nodes.filter((n) => n.type === 'webtapi-config');
  assert.equal(configs.length, 1, 'one webtapi-config node per example');
  return configs[0];
}

let mqttBroker: Broker;

/** Errors the running example passed to a catch-all node; callbacks of nextInput() waiting now. */
let reported: string[] = [];
const waiting = new Set<(err: Error) => void>();

/** Loads an example as a user would run it: the file as it is, the server URL and credentials filled in. */
async function loadExample(file: string, sim: Simulator): Promise<FlowNode[]> {
  const nodes = read(file);
  const cfg = configOf(nodes);
  cfg.url = sim.url;
  // The MQTT example talks to a real broker on a free port (never a fixed one), as its user would set it.
  for (const b of nodes.filter((n) => n.type === 'mqtt-broker')) {
    b.broker = '127.0.0.1';
    b.port = String(mqttBroker.port);
  }
  await helper.load(flowModules(nodes), nodes, { [cfg.id]: { username: '1004', password: PASSWORD } });
  reported = [];
  waiting.clear();
  // What a catch-all node passes on is an error the example did not expect: fail at once, with it.
  for (const c of nodes.filter((n) => n.type === 'catch' && n.scope === null)) {
    for (const id of c.wires.flat() as string[]) {
      node(id).on('input', (m: Record<string, any>) => {
        const text = `${m.error?.source?.id}: ${m.error?.code}: ${m.error?.message}`;
        reported.push(text);
        for (const fail of waiting) fail(new Error(`the example reported an error: ${text}`));
      });
    }
  }
  return nodes;
}

function node(id: string): TestNode {
  const n = helper.getNode(id);
  assert.ok(n, `node ${id} is not running`);
  return n;
}

/** The next message node `id` receives (a debug node, say). Listen before triggering. */
function nextInput(id: string, test: (m: Record<string, any>) => boolean = () => true): Promise<Record<string, any>> {
  const n = node(id);
  const p = new Promise<Record<string, any>>((resolve, reject) => {
    const settle = () => {
      n.removeListener('input', onInput);
      waiting.delete(fail);
    };
    const onInput = (m: Record<string, any>) => {
      if (!test(m)) return;
      settle();
      resolve(m);
    };
    const fail = (err: Error) => {
      settle();
      reject(err);
    };
    n.on('input', onInput);
    waiting.add(fail);
  });
  // Several are often pending at once: one rejecting before the test awaits the others is no crash.
  p.catch(() => undefined);
  return p;
}

/** Clicks an inject node's button. */
function click(id: string): void {
  node(id).receive({});
}

describe('example flows: files', () => {
  it('there are the documented examples', () => {
    assert.deepEqual(FILES, [
      '01 Door opener on doorbell.json',
      '02 Priority alarm call.json',
      '03 Queue agent login and logout.json',
      '04 Extension presence board.json',
      '05 Call recording with download.json',
      '06 Door station dashboard.json',
      '07 Home Assistant via MQTT.json',
      '08 Camera live frames.json',
      '09 Call monitor.json',
      '10 Instant doorbell with PBX events.json',
    ]);
  });

  it('ids are unique across all examples', () => {
    const seen = new Map<string, string>();
    for (const file of FILES) {
      for (const n of read(file)) {
        assert.ok(!seen.has(n.id), `${n.id} in ${file} and ${seen.get(n.id)}`);
        seen.set(n.id, file);
      }
    }
  });

  for (const file of FILES) {
    describe(file, () => {
      const nodes = read(file);
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const flowNodes = nodes.filter((n) => n.type !== 'webtapi-config' && !OTHER_CONFIGS.has(n.type));

      it('uses only core nodes and ours, with the documented property names', () => {
        for (const n of nodes) {
          assert.ok(
            PROPERTIES[n.type] || CORE[n.type] || (file.startsWith('06 ') && DASHBOARD[n.type]),
            `${n.id}: unknown node type ${n.type}`,
          );
          const allowed = PROPERTIES[n.type];
          if (allowed) for (const k of Object.keys(n)) assert.ok(allowed.includes(k), `${n.id} (${n.type}): undocumented property ${k}`);
        }
      });

      it('starts with a comment that says how to set up the credentials', () => {
        const top = [...flowNodes].sort((a, b) => a.y - b.y || a.x - b.x)[0];
        assert.equal(top.type, 'comment');
        assert.match(top.info, /1004/);
        assert.match(top.info, /`secret`/);
        assert.match(top.info, /\*\*Try it:\*\*/);
      });

      it('has one config node for the simulator, no credentials, and every reference resolves', () => {
        const cfg = configOf(nodes);
        assert.equal(cfg.url, SIM_URL);
        assert.equal(cfg.z, undefined, 'the config node is global');
        for (const n of nodes) {
          assert.equal(n.credentials, undefined, `${n.id} carries credentials`);
          if (PROPERTIES[n.type] && n.type !== 'webtapi-config') assert.equal(n.server, cfg.id, `${n.id}.server`);
          for (const port of n.wires ?? []) for (const target of port) assert.ok(byId.has(target), `${n.id} is wired to missing ${target}`);
          if (Array.isArray(n.scope)) for (const target of n.scope) assert.ok(byId.has(target), `${n.id} catches missing ${target}`);
          if (n.tls) assert.equal(byId.get(n.tls)?.type, 'tls-config', `${n.id}.tls`);
          if (n.type === 'mqtt in' || n.type === 'mqtt out') assert.equal(byId.get(n.broker)?.type, 'mqtt-broker', `${n.id}.broker`);
          if (OTHER_CONFIGS.has(n.type)) assert.equal(n.z, undefined, `${n.id}: a config node is global`);
        }
        assert.equal(new Set(flowNodes.map((n) => n.z)).size, 1, 'all nodes on one flow');
        assert.ok(!JSON.stringify(nodes).includes('"password"'));
      });
    });
  }
});

describe('example flows: in the runtime against the simulator', function () {
  // The door opener's relay pulse is 3 s as shipped.
  this.timeout(20_000);
  let sim: Simulator;
  before(async () => {
    sim = await withSimulator();
    mqttBroker = await startBroker();
  });
  after(async () => {
    await sim.close();
    await mqttBroker.close();
  });
  beforeEach(() => sim.reset());
  afterEach(async () => {
    await helper.unload();
  });

  for (const file of FILES) {
    it(`${file}: every node starts (no unknown types, no missing config)`, async () => {
      const nodes = await loadExample(file, sim);
      for (const n of nodes) assert.ok(helper.getNode(n.id), `${n.id} (${n.type}) did not start`);
    });
  }

  it('01 door opener: the doorbell rings the flat, the camera takes a picture, the door opens for 3 s, the call ends', async () => {
    await loadExample('01 Door opener on doorbell.json', sim);
    const placed = nextInput('ex1-rang');
    const snapshot = nextInput('ex1-snapshot');
    const done = nextInput('ex1-done');
    click('ex1-ring');

    assert.equal((await placed).payload, true);
    assert.equal(sim.state.codeOf('1001'), 8, '1001 rings');
    const pic = await snapshot;
    assert.ok(Buffer.isBuffer(pic.payload) && pic.payload[0] === 0xff && pic.payload[1] === 0xd8, 'a JPEG');
    assert.match(pic.filename, /^cam-44-\d{8}T\d{6}\.jpg$/);
    assert.deepEqual(
      [pic.call.event, pic.call.extension, pic.call.caller.number],
      ['ring', '1001', '1009'],
      'the ring event moved out of the payload',
    );
    assert.match(pic.call.caller.channel, /^SIP\/1009-/, "recognised by the door station's own channel");
    assert.equal(pic.at, pic.call.startedAt, 'the picture asked for the moment of the ring');
    await until(() => sim.state.relays.get('17')!.status === 1);

    const end = await done;
    assert.equal(sim.state.relays.get('17')!.status, 0, 'door closed again');
    assert.equal(sim.state.relays.get('17')!.sets, 2);
    assert.equal(end.payload.length, 1);
    assert.match(end.payload[0], /^SIP\/1009-/);
    assert.equal(sim.state.channelsOf('1001').length + sim.state.channelsOf('1009').length, 0, 'the doorbell call is gone');
    assert.equal(typeof pic.frameAt, 'number');
    assert.ok(Math.abs(pic.frameAt - Date.parse(pic.at)) <= 1000, 'the frame from the moment of the ring, out of the camera history');
    assert.deepEqual(reported, []);
  });

  const polls = (): number => sim.stats.byAction.call_list_all ?? 0;

  /** Example 01 loaded; `keptShut()`, two polls after it is called, asserts no relay switched and no picture taken. */
  async function doorOpener(): Promise<{ keptShut(): Promise<void> }> {
    await loadExample('01 Door opener on doorbell.json', sim);
    let pictures = 0;
    node('ex1-snapshot').on('input', () => pictures++);
    return {
      keptShut: async () => {
        const from = polls();
        await until(() => polls() >= from + 2, 10_000);
        assert.equal(sim.state.relays.get('17')!.sets, 0);
        assert.equal(pictures, 0);
      },
    };
  }

  it('01 door opener: a flat already ringing at deploy does not open the door', async () => {
    sim.ring('1001', '1009');
    const door = await doorOpener();
    await door.keptShut();
  });

  it('01 door opener: a call to the flat from anyone but the door station does not open the door', async () => {
    const door = await doorOpener();
    await until(() => polls() >= 1);
    sim.ring('1001', '1002');
    await door.keptShut();
  });

  it("01 door opener: a trunk call whose caller id is the door station's number 1009 does not open the door", async () => {
    const door = await doorOpener();
    const rings: Array<Record<string, any>> = [];
    node('ex1-fromdoor').on('input', (m: Record<string, any>) => rings.push(m.payload));
    await until(() => polls() >= 1);
    sim.ring('1001', '1009', { trunk: 'trunk' });
    await until(() => rings.length === 1, 10_000);
    assert.deepEqual([rings[0].event, rings[0].caller.number], ['ring', '1009'], 'the ring reached the switch with the spoofed number');
    assert.match(rings[0].caller.channel, /^SIP\/trunk-/);
    await door.keptShut();
  });

  it('09 call monitor: a call from 1004 to 1002 and a missed call, one line each in the call log', async () => {
    await loadExample('09 Call monitor.json', sim);
    await until(() => polls() >= 1);
    const lines: string[] = [];
    node('ex9-line').on('input', (m: Record<string, any>) => lines.push(m.payload));
    click('ex9-call');
    await until(() => lines.length === 1, 10_000);
    assert.deepEqual(lines, ['1004 calls 1002']);
    click('ex9-hangup');
    await until(() => lines.length === 2, 10_000);
    assert.equal(lines[1], 'missed call from 1004 to 1002');
    assert.deepEqual(reported, []);
  });

  it('02 priority alarm: "alarm" places a priority call to 1001; a refused call reaches the catch node with its code', async () => {
    await loadExample('02 Priority alarm call.json', sim);
    const placed = nextInput('ex2-placed');
    click('ex2-alarm');
    assert.equal((await placed).payload, true);
    assert.equal(sim.stats.executed.call_prio, 1);
    assert.ok([...sim.state.channels.values()].some((c) => c.name.startsWith('Local/prio-') && c.exten === '1001'));
    assert.equal(sim.state.codeOf('1001'), 8);

    const code = nextInput('ex2-code');
    click('ex2-alarm-bad');
    const failed = await code;
    assert.equal(caughtCode(failed), 'WEBTAPI_ACTION_FAILED');
    assert.match(failed.error.message, /call_prio/);
    assert.equal(failed.error.source.id, 'ex2-prio');
    assert.ok(sim.requests.some((r) => r.action === 'call_prio' && r.params.dst === '1099'));
    assert.equal(sim.stats.executed.call_prio, 1);
  });

  it('03 queue agent: true logs 1002 in, false logs it out; agents and waiting callers are listed', async () => {
    await loadExample('03 Queue agent login and logout.json', sim);
    const vmx = () => sim.state.queues.get('VMX')!.agents;
    const list = async (): Promise<unknown> => {
      const got = nextInput('ex3-agentlist');
      click('ex3-list');
      return ((await got).payload as Array<{ agent: string }>).map((a) => a.agent);
    };

    let result = nextInput('ex3-result');
    click('ex3-login');
    assert.equal((await result).payload, true);
    assert.deepEqual(vmx(), ['1001', '1002']);
    assert.deepEqual(await list(), ['1001', '1002']);

    const callers = nextInput('ex3-callerlist');
    click('ex3-waiting');
    const waiting = (await callers).payload as Array<Record<string, unknown>>;
    assert.deepEqual(
      waiting.map((c) => c.callerId),
      ['0891234567', '0301112233'],
    );
    assert.ok(waiting.every((c) => typeof c.channel === 'string' && typeof c.duration === 'number'));

    result = nextInput('ex3-result');
    click('ex3-logout');
    assert.equal((await result).payload, true);
    assert.deepEqual(vmx(), ['1001']);
    assert.deepEqual(await list(), ['1001']);
    assert.deepEqual(reported, []);
  });

  it('04 presence board: the presence map in flow context follows every extension', async () => {
    await loadExample('04 Extension presence board.json', sim);
    // Copied: the function node builds the map in its own sandbox (another realm's Object).
    const presence = (): Record<string, string> => ({
      ...(node('ex4-presence').context().flow.get('presence') as Record<string, string> | undefined),
    });
    const exts = [...sim.state.extensions.keys()];
    await until(() => Object.keys(presence()).length === exts.length);
    assert.deepEqual(presence(), Object.fromEntries(exts.map((e) => [e, 'idle'])));

    let board = nextInput('ex4-text', (m) => /1003 ringing/.test(m.payload) && /1002 inuse/.test(m.payload));
    click('ex4-call');
    await until(() => sim.state.codeOf('1003') === 8);
    click('ex4-refresh');
    await until(() => presence()['1002'] === 'inuse' && presence()['1003'] === 'ringing');
    const text = (await board).payload as string;
    assert.equal(text.split('\n').filter((l) => /\d{4} \w+$/.test(l)).length, exts.length, text);

    board = nextInput('ex4-text', (m) => /1002 idle/.test(m.payload) && /1003 idle/.test(m.payload));
    click('ex4-hang');
    await until(() => sim.state.codeOf('1002') === 0);
    click('ex4-refresh');
    await board;
    assert.deepEqual(presence(), Object.fromEntries(exts.map((e) => [e, 'idle'])));
    assert.deepEqual(reported, []);
  });

  it('05 call recording: call, record, stop, hang up, list and download a WAV file', async () => {
    await loadExample('05 Call recording with download.json', sim);
    const recording = nextInput('ex5-recording');
    click('ex5-start');
    const file = (await recording).payload as string;
    const rec = sim.state.recordings.get(file);
    assert.ok(rec, `no recording ${file}`);
    assert.match(rec.channel ?? '', /^SIP\/1004-/);
    assert.equal(rec.stoppedAt, null);

    const bytes = nextInput('ex5-bytes');
    const named = nextInput('ex5-name');
    click('ex5-stop');
    const got = await bytes;
    const wav = got.payload as Buffer;
    assert.ok(Buffer.isBuffer(wav));
    assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(wav.subarray(8, 12).toString('latin1'), 'WAVE');
    assert.equal(wav.readUInt32LE(4), wav.length - 8);
    assert.equal(got.filename, file);
    assert.match(String(got.contentType), /^audio\/wav/);
    assert.equal((await named).filename, file);
    assert.notEqual(rec.stoppedAt, null);
    await until(() => sim.state.channelsOf('1004').length === 0 && sim.state.channelsOf('1001').length === 0);
    assert.equal(sim.stats.executed.call_hangup, 1);
    assert.deepEqual(reported, []);
  });

  it('08 camera live frames: the stream starts on deploy and keeps the newest JPEG for the page; stop closes the stream', async () => {
    await loadExample('08 Camera live frames.json', sim);
    const kept = node('ex8-keep');
    const frame = await nextInput('ex8-keep');
    assert.equal(frame.camera, '44');
    await until(() => Buffer.isBuffer(kept.context().flow.get('cameraFrame')));
    const jpeg = kept.context().flow.get('cameraFrame') as Buffer;
    assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
    assert.match(
      read('08 Camera live frames.json').find((n) => n.id === 'ex8-page')!.template,
      /<img id="frame" src="webtapi-camera\/frame.jpg"/,
    );
    assert.equal(sim.openStreams('44'), 1);
    click('ex8-stop');
    await until(() => sim.openStreams() === 0, 1000);
  });
});
