import assert from 'node:assert/strict';
import * as sinon from 'sinon';
import type { Simulator } from '../../dist/simulator';
import { ALL, CREDS, TestNode, caughtCode, config, helper, outcome, statusMatching, until, useStreamSimulator } from './harness';

/** Real time, taken before any test installs a fake clock (sinon fakes timers/promises too). */
const realTimeout = globalThis.setTimeout;
const realSleep = (ms: number) => new Promise((resolve) => realTimeout(resolve, ms));

/** Frames the simulator sent, per camera, in order. */
function tap(sim: Simulator): Map<string, Buffer[]> {
  const sent = new Map<string, Buffer[]>();
  sim.stream.tap = (camera, frame) => {
    const list = sent.get(camera) ?? [];
    list.push(frame);
    sent.set(camera, list);
  };
  return sent;
}

/** Resolves with the first `n` messages node receives. */
function collect(node: TestNode, n: number): Promise<Array<Record<string, any>>> {
  return new Promise((resolve) => {
    const got: Array<Record<string, any>> = [];
    const on = (m: Record<string, any>) => {
      got.push(m);
      if (got.length === n) {
        node.removeListener('input', on);
        resolve(got);
      }
    };
    node.on('input', on);
  });
}

function streamFlow(sim: Simulator, props: Record<string, unknown>[], extra: object[] = []): object[] {
  return [
    config(sim),
    ...props.map((p, i) => ({
      id: `s${i + 1}`,
      type: 'webtapi-cam-stream',
      server: 'cfg',
      camera: '44',
      fps: 30,
      wires: [[`out${i + 1}`]],
      ...p,
    })),
    ...props.map((_, i) => ({ id: `out${i + 1}`, type: 'helper' })),
    { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    ...extra,
  ];
}

async function load(sim: Simulator, props: Record<string, unknown>[], extra: object[] = []): Promise<void> {
  await helper.load(ALL, streamFlow(sim, props, extra), CREDS);
}

const node = (id: string) => helper.getNode(id)!;

describe('webtapi-cam-stream', function () {
  const env = useStreamSimulator(40);

  it('sends the frames byte-exact as the simulator sent them, with camera, frame and timestamp', async () => {
    const sent = tap(env.sim);
    await load(env.sim, [{}]);
    const frames = collect(node('out1'), 5);
    const before = Date.now();
    node('s1').receive({ payload: 'start' });
    const got = await frames;
    const all = sent.get('44')!;
    for (const [i, m] of got.entries()) {
      assert.ok(Buffer.isBuffer(m.payload));
      assert.equal(m.payload.byteOffset, 0, 'a Buffer of its own, not a view into a network chunk');
      assert.equal(m.payload.buffer.byteLength, m.payload.length);
      assert.ok(
        all.some((f) => f.equals(m.payload)),
        `frame ${i + 1} is not one the simulator sent`,
      );
      assert.equal(m.contentType, 'image/jpeg');
      assert.equal(m.camera, '44');
      assert.equal(m.frame, i + 1);
      assert.ok(m.timestamp >= before && m.timestamp <= Date.now());
    }
    // frames in the order sent, and different from each other (the counter drawn into them)
    const idx = got.map((m) => all.findIndex((f) => f.equals(m.payload)));
    assert.deepEqual(
      [...idx].sort((a, b) => a - b),
      idx,
    );
    assert.equal(new Set(idx).size, idx.length);
  });

  it('output dataurl is a data:image/jpeg;base64 string of the very frame', async () => {
    const sent = tap(env.sim);
    await load(env.sim, [{ output: 'dataurl', autoStart: true }]);
    const [m] = await collect(node('out1'), 1);
    assert.match(m.payload, /^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(m.payload.slice('data:image/jpeg;base64,'.length), 'base64');
    assert.ok(sent.get('44')!.some((f) => f.equals(bytes)));
  });

  it('sends at most fps frames per second, the newest (fake clock: 2 s of a 40 fps camera)', async () => {
    env.sim.stream.intervalMs = 25; // the camera sends 40 frames per second
    const sent = tap(env.sim);
    await load(env.sim, [{ fps: 4 }]);
    const got: Array<Record<string, any>> = [];
    const outAt: number[] = [];
    node('out1').on('input', (m: Record<string, any>) => {
      got.push(m);
      outAt.push(Date.now());
    });
    // Frozen from here: the camera's frame timer and the throttle move only with the ticks below;
    // each tick is followed by real time for the frame to cross the socket.
    const clock = sinon.useFakeTimers({
      now: Date.now(),
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      shouldClearNativeTimers: true,
    });
    try {
      const step = async () => {
        await clock.tickAsync(25);
        await realSleep(3);
      };
      node('s1').receive({ payload: true });
      for (let i = 0; i < 200 && got.length === 0; i++) await step();
      while (Date.now() - outAt[0] < 2000) await step();
    } finally {
      clock.restore();
    }
    const gaps = outAt.slice(1).map((t, i) => t - outAt[i]);
    // 250 ms apart; a frame that crossed the socket during a tick is seen up to one tick (25 ms) late.
    assert.ok(
      gaps.every((g) => g >= 225 && g <= 275),
      `gaps ${gaps.join(',')}`,
    );
    // 2 s at 4 fps after the first frame: 8 more (one may still be on its way when the clock stops).
    assert.ok(got.length >= 8 && got.length <= 9, `${got.length} frames`);
    // the frames between were dropped: far more were sent than passed on
    assert.ok(sent.get('44')!.length > 2 * got.length);
  });

  it('stop closes the PBX connection within 1 s; start opens it again', async () => {
    await load(env.sim, [{}]);
    const first = collect(node('out1'), 1);
    node('s1').receive({ payload: 'start' });
    await first;
    assert.equal(env.sim.openStreams('44'), 1);
    const stopped = statusMatching(node('s1'), (s) => s.fill === 'grey');
    node('s1').receive({ payload: 'stop' });
    await stopped;
    await until(() => env.sim.openStreams() === 0, 1000);
    const again = collect(node('out1'), 1);
    node('s1').receive({ payload: 'start' });
    const [m] = await again;
    assert.equal(m.frame, 1, 'the frame count starts afresh');
  });

  it('a redeploy closes the PBX connection within 1 s', async () => {
    await load(env.sim, [{ autoStart: true }]);
    await collect(node('out1'), 1);
    assert.equal(env.sim.openStreams(), 1);
    await helper.setFlows([config(env.sim)], 'full', CREDS);
    await until(() => env.sim.openStreams() === 0, 1000);
  });

  it('two stream nodes and a history snapshot on one camera share one PBX connection', async () => {
    const snap = { id: 'snap', type: 'webtapi-cam-snapshot', server: 'cfg', camera: '44', history: 5, wires: [['outSnap']] };
    await load(env.sim, [{ autoStart: true }, { autoStart: true, fps: 1 }], [snap, { id: 'outSnap', type: 'helper' }]);
    await Promise.all([collect(node('out1'), 3), collect(node('out2'), 2)]);
    assert.equal(env.sim.openStreams('44'), 1);
    assert.equal(env.sim.stats.byAction.vmx_cam_get_stream, 1);
    // one stream node stops: the connection stays for the other and the history
    node('s1').receive({ payload: 'stop' });
    await collect(node('out2'), 1);
    assert.equal(env.sim.openStreams('44'), 1);
    assert.equal(env.sim.stats.byAction.vmx_cam_get_stream, 1);
  });

  it('msg.camera on start picks the camera; another camera gets its own connection', async () => {
    await load(env.sim, [{ camera: '44', autoStart: true }, { camera: '' }]);
    await collect(node('out1'), 1);
    const got = collect(node('out2'), 1);
    node('s2').receive({ payload: 'start', camera: '45' });
    const [m] = await got;
    assert.equal(m.camera, '45');
    assert.equal(env.sim.openStreams('44'), 1);
    assert.equal(env.sim.openStreams('45'), 1);
  });

  it('a dropped stream is reopened; the status shows reconnecting, then streaming', async () => {
    env.sim.stream.dropAfter = 3;
    await load(env.sim, [{}]);
    const reconnecting = statusMatching(node('s1'), (s) => s.fill === 'yellow');
    const frames = collect(node('out1'), 8);
    node('s1').receive({ payload: 'start' });
    await reconnecting;
    const got = await frames;
    assert.deepEqual(
      got.map((m) => m.frame),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.ok(env.sim.stats.byAction.vmx_cam_get_stream >= 3, `${env.sim.stats.byAction.vmx_cam_get_stream} opens`);
  });

  for (const [name, options] of [
    ['LF-only multipart', { lineEnding: '\n' }],
    ['multipart without part lengths', { partLength: false }],
    ['LF-only without part lengths', { partLength: false, lineEnding: '\n' }],
    ['bare JPEG concatenation', { format: 'bare' }],
  ] as Array<[string, Record<string, unknown>]>) {
    it(`reads ${name} byte-exact`, async () => {
      Object.assign(env.sim.stream, options);
      const sent = tap(env.sim);
      await load(env.sim, [{ autoStart: true }]);
      const got = await collect(node('out1'), 4);
      const all = sent.get('44')!;
      for (const m of got) assert.ok(all.some((f) => f.equals(m.payload)));
    });
  }

  it('a stream that cannot log in shows reconnecting with the reason, and sends nothing', async () => {
    env.sim.setUser('1004', 'changed');
    await load(env.sim, [{}]);
    let sent = 0;
    node('out1').on('input', () => {
      sent++;
    });
    const reason = statusMatching(node('s1'), (s) => s.fill === 'yellow' && /login failed/.test(s.text ?? ''));
    node('s1').receive({ payload: 'start' });
    await reason;
    assert.equal(sent, 0);
    assert.ok(!JSON.stringify(node('s1').status.args).includes('changed'), 'no password in the status');
  });

  it('refuses a payload other than start/stop and an invalid camera, with WEBTAPI_INVALID_INPUT', async () => {
    await load(env.sim, [{ camera: '' }]);
    const nodes = { n1: node('s1'), out: node('out1'), caught: node('caught') };
    let r = await outcome(nodes, { payload: 'go' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    r = await outcome(nodes, { payload: 'start' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    assert.equal(r.error?.webtapi?.code, 'WEBTAPI_INVALID_INPUT');
    r = await outcome(nodes, { payload: 'start', camera: '44/../1' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    assert.equal(env.sim.stats.byAction.vmx_cam_get_stream, undefined);
  });
});
