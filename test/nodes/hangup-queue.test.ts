import assert from 'node:assert/strict';
import type { Simulator } from '../../dist/simulator';
import { helper, loadFlow, outcome, withSimulator, caughtCode } from './harness';

describe('webtapi-hangup', () => {
  let sim: Simulator;
  before(async () => { sim = await withSimulator(); });
  after(async () => { await sim.close(); });
  beforeEach(() => sim.reset());
  afterEach(async () => { await helper.unload(); });

  const channelsOf = (ext: string) => [...sim.state.channels.keys()].filter((n) => n.startsWith(`SIP/${ext}-`));

  it('hangs up every channel of an extension and lists them', async () => {
    const nodes = await loadFlow(sim, 'webtapi-hangup', { target: '1002' });
    const call = await loadCall();
    assert.ok(call);
    const before = channelsOf('1002');
    assert.equal(before.length, 1);
    const r = await outcome(nodes, {});
    assert.ok(r.out, JSON.stringify(r.error));
    assert.deepEqual(r.out.payload, before);
    assert.equal(r.out.webtapi.action, 'call_hangup');
    assert.equal(channelsOf('1002').length, 0);
  });

  it('hangs up a channel name as given (payload scalar overrides the property)', async () => {
    const nodes = await loadFlow(sim, 'webtapi-hangup', { target: '1009' });
    await loadCall();
    const chan = channelsOf('1001')[0];
    const r = await outcome(nodes, { payload: chan });
    assert.deepEqual(r.out?.payload, [chan]);
  });

  it('answers an empty list when the extension has no call, and refuses bad targets', async () => {
    const nodes = await loadFlow(sim, 'webtapi-hangup', { target: '1003' });
    let r = await outcome(nodes, {});
    assert.deepEqual(r.out?.payload, []);
    r = await outcome(nodes, { target: '10 03' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    r = await outcome(nodes, { payload: { target: 'SIP/1003-00000099' } });
    assert.equal(caughtCode(r.error), 'WEBTAPI_ACTION_FAILED');
  });

  async function loadCall(): Promise<boolean> {
    const { WebTapiClient } = await import('../../dist/client');
    const c = new WebTapiClient({ url: sim.url, username: '1004', password: 'secret' });
    try {
      return await c.calls.call('1001', '1002');
    } finally {
      await c.close();
    }
  }
});

describe('webtapi-queue-agent', () => {
  let sim: Simulator;
  before(async () => { sim = await withSimulator(); });
  after(async () => { await sim.close(); });
  beforeEach(() => sim.reset());
  afterEach(async () => { await helper.unload(); });

  it('logs an agent in and out with true/false from a dashboard switch', async () => {
    const nodes = await loadFlow(sim, 'webtapi-queue-agent', { operation: 'login', queue: 'SUPPORT', agent: '1003' });
    let r = await outcome(nodes, { payload: true });
    assert.equal(r.out?.payload, true);
    assert.equal(r.out?.webtapi.action, 'agent_login');
    assert.deepEqual(r.out?.webtapi.params, { q_name: 'SUPPORT', src: '1003' });
    assert.ok(sim.state.queues.get('SUPPORT')!.agents.includes('1003'));
    r = await outcome(nodes, { payload: false });
    assert.equal(r.out?.webtapi.action, 'agent_logout');
    assert.ok(!sim.state.queues.get('SUPPORT')!.agents.includes('1003'));
  });

  it('lists queues, agents, calls and waiting callers; shifts and removes callers', async () => {
    const nodes = await loadFlow(sim, 'webtapi-queue-agent', { operation: 'agents', queue: 'VMX' });
    let r = await outcome(nodes, { payload: 'queues' });
    assert.ok(Array.isArray(r.out?.payload) && r.out.payload.some((q: { name?: string }) => q.name === 'VMX'));
    r = await outcome(nodes, {});
    assert.deepEqual(r.out?.payload, [{ shape: 'fields', agent: '1001', raw: '1001' }]);
    r = await outcome(nodes, { operation: 'calls' });
    assert.ok(Array.isArray(r.out?.payload));
    r = await outcome(nodes, { operation: 'waiting' });
    const waiting = r.out?.payload as Array<{ channel: string; extension: string }>;
    assert.ok(waiting.length >= 2 && typeof waiting[0].channel === 'string');
    const last = waiting[waiting.length - 1].channel;
    r = await outcome(nodes, { payload: { operation: 'shift', chan: last, position: 1 } });
    assert.equal(r.out?.payload, true);
    r = await outcome(nodes, { operation: 'waiting' });
    assert.equal(r.out?.payload[0].channel, last);
    r = await outcome(nodes, { payload: { operation: 'remove', chan: last } });
    assert.equal(r.out?.payload, true);
    r = await outcome(nodes, { operation: 'nap' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    r = await outcome(nodes, { operation: 'login', queue: 'no such/queue' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
  });
});
