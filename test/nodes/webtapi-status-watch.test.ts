import assert from 'node:assert/strict';
import {
  ALL,
  CREDS,
  config,
  helper,
  assertNoMorePolls,
  next,
  pollClock,
  statusMatching,
  until,
  received,
  useNodeSimulator,
} from './harness';

describe('webtapi-status-watch', () => {
  const env = useNodeSimulator();

  /** Loads a watch node 'w' with `props`, wired to the helper node 'out'. */
  async function loadWatch(props: Record<string, unknown>): Promise<void> {
    await helper.load(
      ALL,
      [
        config(env.sim),
        { id: 'w', type: 'webtapi-status-watch', server: 'cfg', ...props, wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      CREDS,
    );
  }

  it('emits the initial states, then one message per change only', async () => {
    await loadWatch({ extensions: '1001,1002', interval: 250, emitInitial: true });
    const out = helper.getNode('out')!;
    const got = received(out);
    await until(() => got.length === 2);
    assert.deepEqual(got.map((m) => [m.topic, m.payload, m.code, 'previous' in m]).sort(), [
      ['1001', 'idle', 0, false],
      ['1002', 'idle', 0, false],
    ]);
    const change = next(out);
    env.sim.ring('1002');
    const m = await change;
    assert.deepEqual([m.topic, m.payload, m.code, m.previous], ['1002', 'ringing', 8, 'idle']);
    // Several more polls with no change send nothing.
    const polls = env.sim.stats.byAction.call_status_get;
    await until(() => env.sim.stats.byAction.call_status_get >= polls + 3);
    assert.equal(got.length, 3);
  });

  it('polls at once on an input message and stops polling on close', async () => {
    const clock = pollClock();
    try {
      await loadWatch({ extensions: '', interval: 60000, emitInitial: false });
      await until(() => env.sim.stats.byAction.call_status_get === 1);
      const got = received(helper.getNode('out')!);
      env.sim.ring('1005');
      helper.getNode('w')!.receive({});
      await until(() => got.length === 1);
      assert.equal(got[0].topic, '1005');
      assert.equal(got[0].payload, 'ringing');
      await helper.unload();
      // Twice three intervals.
      await assertNoMorePolls(clock, 180_000, () => env.sim.stats.byAction.call_status_get);
    } finally {
      clock.restore();
    }
  });

  it('shares one poll among several watch nodes on one config node', async () => {
    const watches = Array.from({ length: 5 }, (_, i) => ({
      id: `w${i}`,
      type: 'webtapi-status-watch',
      server: 'cfg',
      extensions: `100${i + 1},100${i + 2}`,
      interval: 250,
      emitInitial: true,
      wires: [['out']],
    }));
    await helper.load(ALL, [config(env.sim), ...watches, { id: 'out', type: 'helper' }], CREDS);
    const got = received(helper.getNode('out')!);
    await until(() => got.length === 10);
    const polls = env.sim.stats.byAction.call_status_get;
    assert.equal(polls, 1);
    const last = env.sim.requests.filter((r) => r.action === 'call_status_get').pop();
    assert.equal(last?.params.filter.split(',').length, 6);
  });

  it('watches calls and relays as further message kinds', async () => {
    await loadWatch({ extensions: '1001', interval: 250, emitInitial: false, watchCalls: true, watchRelays: '17' });
    await until(() => (env.sim.stats.byAction.relay_status_get ?? 0) >= 1);
    const got = received(helper.getNode('out')!);
    const chan = env.sim.ring('1001');
    await until(() => got.some((m) => m.topic === `call/${chan}`));
    assert.equal(got.find((m) => m.topic === `call/${chan}`)!.payload, 'started');
    env.sim.state.relays.get('17')!.status = 1;
    await until(() => got.some((m) => m.topic === 'relay/17'));
    assert.deepEqual(got.find((m) => m.topic === 'relay/17')!.payload, 1);
    env.sim.hangupAll();
    await until(() => got.some((m) => m.topic === `call/${chan}` && m.payload === 'ended'));
  });

  it('backs off while the PBX is away and recovers by itself', async () => {
    await loadWatch({ extensions: '1001', interval: 250, emitInitial: true });
    const w = helper.getNode('w')!;
    const got = received(helper.getNode('out')!);
    await until(() => got.length === 1);
    const red = statusMatching(w, (s) => s.fill === 'red');
    await env.sim.pause();
    await red;
    const green = statusMatching(w, (s) => s.fill === 'green');
    env.sim.ring('1001');
    await env.sim.resume();
    await green;
    await until(() => got.length === 2);
    assert.equal(got[1].payload, 'ringing');
  });
});
