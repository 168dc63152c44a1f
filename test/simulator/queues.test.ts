import * as assert from 'node:assert/strict';
import type { Simulator } from '../../dist/simulator';
import { act, lines, useSimulator } from './helpers';

describe('simulator: queue management', () => {
  let sim: Simulator;
  let sid: string;

  useSimulator((s, id) => {
    sim = s;
    sid = id;
  });

  const waiting = async (q = 'VMX'): Promise<string[]> => lines(await act(sim, sid, 'q_waiting_list', { q_name: q })).map((l) => l.split('!')[0]);

  it('q_list and agent_list', async () => {
    assert.deepEqual(lines(await act(sim, sid, 'q_list')), ['VMX', 'SUPPORT']);
    assert.equal(await act(sim, sid, 'agent_list', { q_name: 'VMX' }), '1001');
    assert.equal(await act(sim, sid, 'agent_list', { q_name: 'SUPPORT' }), '');
    assert.equal(await act(sim, sid, 'agent_list', { q_name: 'NOPE' }), '0');
    assert.equal(await act(sim, sid, 'agent_list'), '0');
  });

  it('agent_login / agent_logout, for the logged-in user by default or for src', async () => {
    assert.equal(await act(sim, sid, 'agent_login', { q_name: 'SUPPORT' }), '1');
    assert.equal(await act(sim, sid, 'agent_login', { q_name: 'SUPPORT', src: '1003' }), '1');
    assert.deepEqual(sim.state.queues.get('SUPPORT')!.agents, ['1004', '1003']);
    assert.equal(await act(sim, sid, 'agent_login', { q_name: 'SUPPORT' }), '0', 'already logged in');
    assert.equal(await act(sim, sid, 'agent_login', { q_name: 'SUPPORT', src: '9999' }), '0');
    assert.equal(await act(sim, sid, 'agent_login', { q_name: 'NOPE' }), '0');
    assert.equal(await act(sim, sid, 'agent_logout', { q_name: 'SUPPORT', src: '1003' }), '1');
    assert.equal(await act(sim, sid, 'agent_logout', { q_name: 'SUPPORT', src: '1003' }), '0', 'not logged in');
    assert.equal(await act(sim, sid, 'agent_logout', { q_name: 'SUPPORT' }), '1');
    assert.equal(await act(sim, sid, 'agent_list', { q_name: 'SUPPORT' }), '');
    assert.equal(sim.stats.executed.agent_login, 2);
    assert.equal(sim.stats.executed.agent_logout, 2);
  });

  it('VMX starts with two waiting callers; q_call_list and q_waiting_list show Queue channels', async () => {
    const calls = lines(await act(sim, sid, 'q_call_list', { q_name: 'VMX' }));
    assert.equal(calls.length, 2);
    for (const line of calls) {
      const f = line.split('!');
      assert.equal(f.length, 14);
      assert.equal(f[2], '7777');
      assert.equal(f[5], 'Queue');
      assert.equal(f[6], 'VMX,i');
    }
    assert.equal((await waiting()).length, 2);
    assert.equal(await act(sim, sid, 'q_waiting_list', { q_name: 'SUPPORT' }), '');
    assert.equal(await act(sim, sid, 'q_call_list', { q_name: 'NOPE' }), '0');
    assert.equal(await act(sim, sid, 'q_waiting_list'), '0');
  });

  it('calling the queue number enqueues the caller at the end', async () => {
    assert.equal(await act(sim, sid, 'call', { src: '1004', dst: '7777' }), '1');
    const w = await waiting();
    assert.equal(w.length, 3);
    assert.match(w[2], /^SIP\/1004-/);
  });

  it('q_shift_caller moves a caller one place forward, or to a 1-based position', async () => {
    await act(sim, sid, 'call', { src: '1004', dst: '7777' });
    const [a, b, c] = await waiting();
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'VMX', chan: c }), '1');
    assert.deepEqual(await waiting(), [a, c, b]);
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'VMX', chan: c, position: '1' }), '1');
    assert.deepEqual(await waiting(), [c, a, b]);
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'VMX', chan: c, position: '99' }), '1');
    assert.deepEqual(await waiting(), [a, b, c]);
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'VMX', chan: a }), '0', 'already first');
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'VMX', chan: a, position: '0' }), '0');
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'VMX', chan: a, position: 'x' }), '0');
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'SUPPORT', chan: a }), '0');
    assert.equal(await act(sim, sid, 'q_shift_caller', { q_name: 'VMX', chan: 'SIP/x-00000000' }), '0');
    assert.equal(sim.stats.executed.q_shift_caller, 3);
  });

  it('q_caller_del removes a waiting caller', async () => {
    const [a, b] = await waiting();
    assert.equal(await act(sim, sid, 'q_caller_del', { q_name: 'VMX', chan: a }), '1');
    assert.deepEqual(await waiting(), [b]);
    assert.equal(sim.state.channels.has(a), false);
    assert.equal(await act(sim, sid, 'q_caller_del', { q_name: 'VMX', chan: a }), '0');
    assert.equal(await act(sim, sid, 'q_caller_del', { q_name: 'VMX' }), '0');
  });

  it('picking a waiting caller connects it to an agent; it stays in q_call_list, no longer waiting', async () => {
    const [a] = await waiting();
    assert.equal(await act(sim, sid, 'call_pick', { chan: a, dst: '1001' }), '1');
    assert.equal((await waiting()).length, 1);
    const line = lines(await act(sim, sid, 'q_call_list', { q_name: 'VMX' })).find((l) => l.startsWith(`${a}!`))!;
    assert.match(line.split('!')[12], /^SIP\/1001-/);
    assert.equal(sim.state.extensions.get('1001')!.code, 1);
  });
});
