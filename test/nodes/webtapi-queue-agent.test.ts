import assert from 'node:assert/strict';
import { loadFlow, outcome, caughtCode, useNodeSimulator } from './harness';

describe('webtapi-queue-agent', () => {
  const env = useNodeSimulator();

  it('logs an agent in and out with true/false from a dashboard switch (operation left empty, as the editor starts it)', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-queue-agent', { operation: '', queue: 'SUPPORT', agent: '1003' });
    let r = await outcome(nodes, { payload: true });
    assert.equal(r.out?.payload, true);
    assert.equal(r.out?.webtapi.action, 'agent_login');
    assert.deepEqual(r.out?.webtapi.params, { q_name: 'SUPPORT', src: '1003' });
    assert.ok(env.sim.state.queues.get('SUPPORT')!.agents.includes('1003'));
    r = await outcome(nodes, { payload: false });
    assert.equal(r.out?.webtapi.action, 'agent_logout');
    assert.ok(!env.sim.state.queues.get('SUPPORT')!.agents.includes('1003'));
  });

  it('a message cannot change the queue, agent or operation set in the dialog', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-queue-agent', { operation: 'login', queue: 'SUPPORT', agent: '1003' });
    const tries = [
      { payload: false },
      { queue: 'VMX', agent: '1004' },
      { payload: { operation: 'remove', queue: 'VMX', chan: 'SIP/1001-00000001' } },
    ];
    for (const msg of tries) {
      const r = await outcome(nodes, msg);
      // Logged in already: the PBX refuses the second login; what matters is what was asked.
      assert.equal(r.out?.webtapi.action ?? r.error?.webtapi.action, 'agent_login', JSON.stringify(msg));
    }
    const asked = env.sim.requests.filter((q) => q.action.startsWith('agent_') || q.action.startsWith('q_'));
    assert.deepEqual(
      asked.map((q) => [q.action, q.params.q_name, q.params.src]),
      tries.map(() => ['agent_login', 'SUPPORT', '1003']),
    );
    assert.ok(!env.sim.state.queues.get('VMX')!.agents.includes('1004'));
    assert.equal((env.sim.stats.byAction.agent_logout ?? 0) + (env.sim.stats.byAction.q_caller_del ?? 0), 0);
  });

  it('lists queues, agents, calls and waiting callers; shifts and removes callers', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-queue-agent', { operation: '', queue: 'VMX' });
    let r = await outcome(nodes, { payload: 'queues' });
    assert.ok(Array.isArray(r.out?.payload) && r.out.payload.some((q: { name?: string }) => q.name === 'VMX'));
    r = await outcome(nodes, { operation: 'agents' });
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
  });

  it('takes a queue left empty in the dialog from the message, and refuses a malformed one', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-queue-agent', { operation: 'agents', queue: '' });
    let r = await outcome(nodes, { payload: { queue: 'VMX' } });
    assert.deepEqual(r.out?.webtapi.params, { q_name: 'VMX' });
    const before = env.sim.stats.requests;
    r = await outcome(nodes, { queue: 'no such/queue' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    assert.equal(env.sim.stats.requests, before);
  });
});
