import assert from 'node:assert/strict';
import type { Simulator } from '../../dist/simulator';
import { ALL, CREDS, config, helper, jumpPastPolls, next, pollClock, statusMatching, until, TestNode, useNodeSimulator } from './harness';

function collect(node: TestNode): Array<Record<string, any>> {
  const got: Array<Record<string, any>> = [];
  node.on('input', (m: Record<string, any>) => got.push(m));
  return got;
}

describe('webtapi-status-watch', () => {
  let sim: Simulator;
  useNodeSimulator((s) => {
    sim = s;
  });

  /** Loads a watch node 'w' with `props`, wired to the helper node 'out'. */
  async function loadWatch(props: Record<string, unknown>): Promise<void> {
    await helper.load(
      ALL,
      [config(sim), { id: 'w', type: 'webtapi-status-watch', server: 'cfg', ...props, wires: [['out']] }, { id: 'out', type: 'helper' }],
      CREDS,
    );
  }

  it('emits the initial states, then one message per change only', async () => {
    await loadWatch({ extensions: '1001,1002', interval: 250, emitInitial: true });
    const out = helper.getNode('out')!;
    const got = collect(out);
    await until(() => got.length === 2);
    assert.deepEqual(got.map((m) => [m.topic, m.payload, m.code, 'previous' in m]).sort(), [
      ['1001', 'idle', 0, false],
      ['1002', 'idle', 0, false],
    ]);
    const change = next(out);
    sim.ring('1002');
    const m = await change;
    assert.deepEqual([m.topic, m.payload, m.code, m.previous], ['1002', 'ringing', 8, 'idle']);
    // Several more polls with no change send nothing.
    const polls = sim.stats.byAction.call_status_get;
    await until(() => sim.stats.byAction.call_status_get >= polls + 3);
    assert.equal(got.length, 3);
  });

  it('polls at once on an input message and stops polling on close', async () => {
    const clock = pollClock();
    try {
      await loadWatch({ extensions: '', interval: 60000, emitInitial: false });
      await until(() => sim.stats.byAction.call_status_get === 1);
      const got = collect(helper.getNode('out')!);
      sim.ring('1005');
      helper.getNode('w')!.receive({});
      await until(() => got.length === 1);
      assert.equal(got[0].topic, '1005');
      assert.equal(got[0].payload, 'ringing');
      await helper.unload();
      const pollsAfterUnload = sim.stats.byAction.call_status_get;
      // Twice three intervals on the fake clock: a poll timer left running would have fired.
      await jumpPastPolls(clock, 180_000);
      assert.equal(sim.stats.byAction.call_status_get, pollsAfterUnload);
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
    await helper.load(ALL, [config(sim), ...watches, { id: 'out', type: 'helper' }], CREDS);
    const got = collect(helper.getNode('out')!);
    await until(() => got.length === 10);
    const polls = sim.stats.byAction.call_status_get;
    assert.equal(polls, 1);
    const last = sim.requests.filter((r) => r.action === 'call_status_get').pop();
    assert.equal(last?.params.filter.split(',').length, 6);
  });

  it('watches calls and relays as further message kinds', async () => {
    await loadWatch({ extensions: '1001', interval: 250, emitInitial: false, watchCalls: true, watchRelays: '17' });
    await until(() => (sim.stats.byAction.relay_status_get ?? 0) >= 1);
    const got = collect(helper.getNode('out')!);
    const chan = sim.ring('1001');
    await until(() => got.some((m) => m.topic === `call/${chan}`));
    assert.equal(got.find((m) => m.topic === `call/${chan}`)!.payload, 'started');
    sim.state.relays.get('17')!.status = 1;
    await until(() => got.some((m) => m.topic === 'relay/17'));
    assert.deepEqual(got.find((m) => m.topic === 'relay/17')!.payload, 1);
    sim.hangupAll();
    await until(() => got.some((m) => m.topic === `call/${chan}` && m.payload === 'ended'));
  });

  it('backs off while the PBX is away and recovers by itself', async () => {
    await loadWatch({ extensions: '1001', interval: 250, emitInitial: true });
    const w = helper.getNode('w')!;
    const got = collect(helper.getNode('out')!);
    await until(() => got.length === 1);
    const red = statusMatching(w, (s) => s.fill === 'red');
    await sim.pause();
    await red;
    const green = statusMatching(w, (s) => s.fill === 'green');
    sim.ring('1001');
    await sim.resume();
    await green;
    await until(() => got.length === 2);
    assert.equal(got[1].payload, 'ringing');
  });
});
