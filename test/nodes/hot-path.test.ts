/*
 * The per-message status of the one input path (glue/input.ts, glue/status.ts): a status is an
 * event through the runtime to every status node and editor, so one that would not change what is
 * shown is not sent; every change (blue while working, green when done, red on a failure) still is.
 */
import assert from 'node:assert/strict';
import { Nodes, Status, loadFlow, outcome, settleStatus, statuses, useNodeSimulator } from './harness';

const blue = (s: Status) => s.fill === 'blue' && s.shape === 'dot';
const green = (s: Status) => s.fill === 'green' && s.shape === 'dot';
const red = (s: Status) => s.fill === 'red';
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Sends the messages in one tick; resolves with what reached the output and the Catch node. */
function all(nodes: Nodes, msgs: Array<Record<string, unknown>>): Promise<{ out: any[]; caught: any[] }> {
  const got = { out: [] as any[], caught: [] as any[] };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.out.length + got.caught.length} of ${msgs.length} outcomes`)), 15_000);
    const seen = (list: any[]) => (m: any) => {
      list.push(m);
      if (got.out.length + got.caught.length === msgs.length) {
        clearTimeout(timer);
        resolve(got);
      }
    };
    nodes.out.on('input', seen(got.out));
    nodes.caught.on('input', seen(got.caught));
    for (const m of msgs) nodes.n1.receive(m);
  });
}

describe('webtapi-call status on the hot path', () => {
  const env = useNodeSimulator();

  it('four messages at once: blue once while they run, green once when the last is done', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'prio', dst: '' });
    assert.ok((await outcome(nodes, { payload: '1002' })).out, 'logged in');
    const seen = statuses(nodes.n1);
    const got = await all(
      nodes,
      ['1002', '1003', '1004', '1005'].map((dst) => ({ payload: dst })),
    );
    assert.equal(got.out.length, 4, JSON.stringify(got.caught));
    await settleStatus(seen, green, 'green after the last');
    await tick();
    assert.equal(seen.filter(blue).length, 1, JSON.stringify(seen));
    assert.equal(seen.filter(green).length, 1, JSON.stringify(seen));
    assert.equal(env.sim.stats.byAction.call_prio, 5, 'every message still reached the PBX');
  });

  it('messages one after another: blue and green for each, as before', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'prio', dst: '' });
    assert.ok((await outcome(nodes, { payload: '1002' })).out, 'logged in');
    const seen = statuses(nodes.n1);
    for (const dst of ['1003', '1004']) {
      assert.ok((await outcome(nodes, { payload: dst })).out);
      await settleStatus(seen, green, `green after ${dst}`);
    }
    await tick();
    assert.deepEqual(
      seen.map((s) => s.fill),
      ['blue', 'green', 'blue', 'green'],
    );
    assert.equal(seen[3].text, 'call_prio 1004');
  });

  it('a failure while another message runs is shown at once; green again when the other is done', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'prio', dst: '' });
    assert.ok((await outcome(nodes, { payload: '1002' })).out, 'logged in');
    const seen = statuses(nodes.n1);
    const got = await all(nodes, [{ payload: '1003' }, { payload: '10 03' }]);
    assert.equal(got.out.length, 1, JSON.stringify(got.caught));
    assert.equal(got.caught.length, 1, 'the malformed dst is refused');
    await settleStatus(seen, green, 'green after the good one');
    await tick();
    const fills = seen.map((s) => s.fill);
    assert.ok(fills.indexOf('red') > fills.indexOf('blue'), JSON.stringify(seen));
    assert.equal(seen.filter(red).length, 1);
    assert.equal(fills[fills.length - 1], 'green');
  });
});
