import assert from 'node:assert/strict';
import { PASSWORD, helper, loadFlow, next, outcome, statusMatching, until, caughtCode, useNodeSimulator } from './harness';

describe('webtapi-call', () => {
  const env = useNodeSimulator();

  it('places a call from node properties and keeps the message', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'call', src: '1001', dst: '1002' });
    const req = { fake: 'request' };
    const r = await outcome(nodes, { topic: 'door', req, payload: { note: 1 } });
    assert.ok(r.out, JSON.stringify(r.error));
    assert.equal(r.out.payload, true);
    assert.equal(r.out.topic, 'door');
    assert.equal(r.out.req, req);
    assert.ok(r.out._msgid);
    assert.equal(r.out.webtapi.action, 'call');
    assert.deepEqual(r.out.webtapi.params, { src: '1001', dst: '1002' });
    assert.equal(typeof r.out.webtapi.durationMs, 'number');
    assert.ok(!JSON.stringify(r.out.webtapi).includes('SID'));
    assert.equal(env.sim.stats.executed.call, 1);
    assert.ok([...env.sim.state.channels.keys()].some((name) => name.startsWith('SIP/1002-')));
  });

  it('takes a dst left empty in the dialog from msg.payload.dst, then msg.dst, then a scalar payload', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { src: '1001', dst: '' });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ payload: { dst: '1003' }, dst: '1004' }, '1003'],
      [{ payload: '1005', dst: '1004' }, '1004'],
      [{ payload: 1006 }, '1006'],
      [{ payload: { dst: '', other: 1 }, dst: '1007' }, '1007'],
    ];
    for (const [msg, dst] of cases) {
      const r = await outcome(nodes, msg);
      assert.ok(r.out, JSON.stringify(r.error));
      assert.equal(r.out.webtapi.params.dst, dst, JSON.stringify(msg));
    }
    // Empty in the dialog and in the message: refused, nothing sent.
    for (const msg of [{ payload: '' }, { payload: { other: 1 } }, {}]) {
      const r = await outcome(nodes, msg);
      assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT', JSON.stringify(msg));
    }
    assert.equal(env.sim.stats.byAction.call, cases.length);
  });

  it('a message cannot change src or dst set in the dialog', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'call', src: '1001', dst: '1002' });
    const tries = [
      { payload: { src: '1004', dst: '1003', mode: 'prio' } },
      { src: '1004', dst: '1003', mode: 'conference', stations: '1005,1006' },
      { payload: '1003' },
      { payload: 1003, dst: '1003&action=call_prio' },
    ];
    for (const msg of tries) {
      const r = await outcome(nodes, msg);
      assert.ok(r.out, JSON.stringify(r.error));
      assert.equal(r.out.webtapi.action, 'call');
      assert.deepEqual(r.out.webtapi.params, { src: '1001', dst: '1002' }, JSON.stringify(msg));
    }
    const sent = env.sim.requests.filter((q) => q.action === 'call');
    assert.deepEqual(
      sent.map((q) => [q.params.src, q.params.dst]),
      tries.map(() => ['1001', '1002']),
    );
    assert.equal((env.sim.stats.byAction.call_prio ?? 0) + (env.sim.stats.byAction.call_create_conf ?? 0), 0);
  });

  it("takes overrides from an object built in a Function node (another realm's Object)", async () => {
    const fn = require(require.resolve('@node-red/nodes/core/function/10-function.js', { paths: [require.resolve('node-red')] }));
    const { ALL, CREDS, config } = require('./harness');
    await helper.load(
      [...ALL, fn],
      [
        config(env.sim),
        { id: 'f', type: 'function', func: 'msg.payload = { src: "1004", dst: "1003" }; return msg;', outputs: 1, wires: [['n1']] },
        { id: 'n1', type: 'webtapi-call', server: 'cfg', src: '', dst: '', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      CREDS,
    );
    const got = next(helper.getNode('out')!);
    helper.getNode('f')!.receive({});
    const m = await got;
    assert.deepEqual(m.webtapi.params, { src: '1004', dst: '1003' });
  });

  it('evaluates TypedInput properties (flow context, msg, env)', async () => {
    process.env.WEBTAPI_TEST_SRC = '1007';
    const nodes = await loadFlow(env.sim, 'webtapi-call', { src: 'WEBTAPI_TEST_SRC', srcType: 'env', dst: 'target', dstType: 'global' });
    nodes.n1.context().global.set('target', '1008');
    const r = await outcome(nodes, {});
    assert.ok(r.out, JSON.stringify(r.error));
    assert.deepEqual(r.out.webtapi.params, { src: '1007', dst: '1008' });
    await helper.unload();
    const n2 = await loadFlow(env.sim, 'webtapi-call', { src: 'from', srcType: 'msg', dst: '1009' });
    // msg.from, where the dialog says: not msg.src or msg.payload.src.
    const r2 = await outcome(n2, { from: '1010', src: '1011', payload: { src: '1012' } });
    assert.deepEqual(r2.out?.webtapi.params, { src: '1010', dst: '1009' });
  });

  it('runs prio, conference and pickup modes, the mode from the message when the dialog leaves it empty', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { mode: '' });
    let r = await outcome(nodes, { mode: 'prio', dst: '1003' });
    assert.equal(r.out?.webtapi.action, 'call_prio');
    r = await outcome(nodes, { payload: { mode: 'conference', stations: ['1005', '1006'], break: true } });
    assert.equal(r.out?.webtapi.action, 'call_create_conf');
    assert.deepEqual(r.out?.webtapi.params, { stations: '1005,1006', break: 'true' });
    r = await outcome(nodes, { payload: { src: '1001', dst: '1002' } });
    assert.equal(r.out?.webtapi.action, 'call', 'no mode anywhere: a call');
    const chan = [...env.sim.state.channels.keys()].find((name) => name.startsWith('SIP/1002-'))!;
    r = await outcome(nodes, { mode: 'pickup', chan, dst: '1009' });
    assert.ok(r.out, JSON.stringify(r.error));
    assert.equal(r.out.webtapi.action, 'call_pick');
    assert.equal(env.sim.stats.executed.call_pick, 1);
  });

  it('a mode and a checked break set in the dialog are fixed', async () => {
    let nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'prio', dst: '1003' });
    const r = await outcome(nodes, { mode: 'conference', payload: { mode: 'pickup', stations: '1005,1006' } });
    assert.equal(r.out?.webtapi.action, 'call_prio');
    assert.equal(env.sim.stats.byAction.call_create_conf ?? 0, 0);
    await helper.unload();
    nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'conference', stations: '1005,1006', break: true });
    const fixed = await outcome(nodes, { break: false, payload: { break: false } });
    assert.deepEqual(fixed.out?.webtapi.params, { stations: '1005,1006', break: 'true' });
    await helper.unload();
    // Unchecked is empty: the message may give it.
    nodes = await loadFlow(env.sim, 'webtapi-call', { mode: 'conference', stations: '1005,1006', break: false });
    const given = await outcome(nodes, { break: true });
    assert.deepEqual(given.out?.webtapi.params, { stations: '1005,1006', break: 'true' });
  });

  it('sends errors to a Catch node with the message, a code and no secret', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { src: '1001' });
    const failed = statusMatching(nodes.n1, (s) => s.fill === 'red' && s.shape === 'ring');
    let r = await outcome(nodes, { topic: 'keep', payload: { dst: '1001&action=call_prio' } });
    assert.ok(r.error);
    assert.equal(r.error.topic, 'keep');
    assert.deepEqual(r.error.webtapi, { action: 'call', code: 'WEBTAPI_INVALID_INPUT' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    assert.match(r.error.error.message, /call.*dst/);
    await failed;
    env.sim.injectFault({ kind: 'zero', action: 'call' });
    r = await outcome(nodes, { payload: '1002' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_ACTION_FAILED');
    r = await outcome(nodes, { mode: 'dance', payload: '1002' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    const everything = JSON.stringify(helper.log().args) + JSON.stringify(r);
    assert.ok(!everything.includes(PASSWORD));
    for (const sid of env.sim.sessions) assert.ok(!everything.includes(sid));
    assert.equal(env.sim.stats.byAction.call_prio ?? 0, 0);
  });

  it('shows blue while working and green when done', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { src: '1001', dst: '1002' });
    const blue = statusMatching(nodes.n1, (s) => s.fill === 'blue');
    const green = statusMatching(nodes.n1, (s) => s.fill === 'green' && s.shape === 'dot');
    const done = next(nodes.out);
    nodes.n1.receive({});
    await blue;
    await green;
    await done;
  });

  it('sends nothing after close and aborts the request in flight', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-call', { src: '1001', dst: '1002' });
    await outcome(nodes, { payload: { dst: '1003' } });
    env.sim.injectFault({ kind: 'hang', action: 'call' });
    let sent = false;
    nodes.out.on('input', () => {
      sent = true;
    });
    nodes.caught.on('input', () => {
      sent = true;
    });
    nodes.n1.receive({});
    await until(() => env.sim.stats.byAction.call === 2);
    await helper.unload();
    await new Promise((r) => setImmediate(r));
    assert.equal(sent, false);
  });

  it('reports a missing config node', async () => {
    await helper.load(require('./harness').ALL, [
      { id: 'n1', type: 'webtapi-call', dst: '1001', wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const r = await outcome({ n1: helper.getNode('n1')!, out: helper.getNode('out')!, caught: helper.getNode('caught')! }, {});
    assert.equal(caughtCode(r.error), 'WEBTAPI_NO_CONFIG');
  });
});
