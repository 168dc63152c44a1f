import assert from 'node:assert/strict';
import { WebTapiClient } from '../../dist/client';
import type { Simulator } from '../../dist/simulator';
import {
  ALL,
  CREDS,
  PASSWORD,
  config,
  helper,
  assertNoMorePolls,
  pollClock,
  statusMatching,
  until,
  useNodeSimulator,
  withSimulator,
  TestNode,
  received,
} from './harness';

const NODES = ALL;

type Msg = { topic: string; payload: Record<string, any> };

const kinds = (got: Msg[]) => got.map((m) => `${m.topic}:${m.payload.extension ?? ''}`);

describe('webtapi-call-monitor', () => {
  const env = useNodeSimulator();

  const listPolls = (): number => env.sim.stats.byAction.call_list_all ?? 0;

  /** A monitor on `extensions`, started: its first poll (the start, never reported) has been answered. */
  async function monitor(
    extensions: string,
    extra: Record<string, unknown> = {},
    s: Simulator = env.sim,
  ): Promise<{ got: Msg[]; node: TestNode }> {
    await helper.load(
      NODES,
      [
        config(s),
        { id: 'm', type: 'webtapi-call-monitor', server: 'cfg', extensions, interval: 250, ...extra, wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      CREDS,
    );
    const node = helper.getNode('m')!;
    const started = statusMatching(node, (st) => st.fill === 'green');
    await started;
    return { got: received<Msg>(helper.getNode('out')!), node };
  }

  it('an answered internal call: ring, connect, disconnect with one call id and the times', async () => {
    const { got } = await monitor('1001');
    const ringing = env.sim.ring('1001', '1004');
    const calling = env.sim.state.channelsOf('1004')[0].name;
    await until(() => got.length === 1);
    env.sim.answer(ringing);
    await until(() => got.length === 2);
    env.sim.hangup('1001');
    await until(() => got.length === 3);
    assert.deepEqual(
      got.map((m) => m.topic),
      ['ring', 'connect', 'disconnect'],
    );
    const [ring, connect, end] = got.map((m) => m.payload);
    assert.deepEqual(
      [ring.event, ring.extension, ring.direction, ring.caller, ring.called, ring.channel, ring.peerChannel, ring.answered],
      ['ring', '1001', 'in', { number: '1004', name: null, channel: calling }, { number: '1001' }, ringing, null, false],
    );
    assert.match(ring.caller.channel, /^SIP\/1004-/);
    assert.equal(connect.callId, ring.callId);
    assert.equal(end.callId, ring.callId);
    assert.match(connect.peerChannel, /^SIP\/1004-/);
    assert.equal(end.answered, true);
    assert.ok(Date.parse(end.startedAt) <= Date.parse(end.answeredAt) && Date.parse(end.answeredAt) <= Date.parse(end.endedAt));
    assert.equal('queue' in end || 'uncertain' in end, false);
  });

  it('a missed outside call: caller number and name (13-field channel lines), answered false', async () => {
    const s13 = await withSimulator({ channelFields: 13 });
    try {
      const { got } = await monitor('1002', {}, s13);
      s13.ring('1002', '+4930123456', { name: 'Erika Muster' });
      await until(() => got.length === 1);
      s13.reject('1002');
      await until(() => got.length === 2);
      assert.deepEqual(
        got.map((m) => m.topic),
        ['ring', 'disconnect'],
      );
      assert.deepEqual(got[1].payload.caller, { number: '+4930123456', name: 'Erika Muster', channel: got[0].payload.caller.channel });
      assert.match(got[0].payload.caller.channel, /^SIP\/trunk-/);
      assert.deepEqual([got[1].payload.answered, got[1].payload.talkSeconds, got[1].payload.answeredAt], [false, 0, null]);
    } finally {
      await helper.unload();
      await s13.close();
    }
  });

  it('caller.channel tells the door station from a trunk call that carries its number as caller id', async () => {
    const { got } = await monitor('1001');
    env.sim.doorbell('1001');
    await until(() => got.length === 1);
    env.sim.hangupAll();
    await until(() => got.length === 2);
    env.sim.ring('1001', '1009', { trunk: 'provider' });
    await until(() => got.length === 3);
    const [door, , spoofed] = got.map((m) => m.payload);
    assert.deepEqual([door.event, door.caller.number], ['ring', '1009']);
    assert.match(door.caller.channel, /^SIP\/1009-[0-9a-f]+$/);
    assert.deepEqual([spoofed.event, spoofed.caller.number], ['ring', '1009'], 'the same caller number');
    assert.match(spoofed.caller.channel, /^SIP\/provider-[0-9a-f]+$/, "but the trunk's channel");
  });

  it('an outgoing call: call, then connect when the other side answers', async () => {
    const { got } = await monitor('1004', { events: 'call,connect' });
    const ringing = env.sim.ring('1003', '1004');
    await until(() => got.length === 1);
    env.sim.answer(ringing);
    await until(() => got.length === 2);
    env.sim.hangup(ringing);
    const polls = listPolls();
    await until(() => listPolls() >= polls + 2);
    assert.deepEqual(
      got.map((m) => [m.topic, m.payload.direction, m.payload.called.number]),
      [
        ['call', 'out', '1003'],
        ['connect', 'out', '1003'],
      ],
      'no disconnect: not chosen',
    );
  });

  it('a call to a queue: the agent rings with the queue named, through the Local channel pair', async () => {
    const { got } = await monitor('1001');
    const caller = env.sim.queueCall('VMX', '+498955555');
    await until(() => got.length === 1);
    env.sim.answer('1001');
    await until(() => got.length === 2);
    env.sim.hangup(caller);
    await until(() => got.length === 3);
    assert.deepEqual(
      got.map((m) => [m.topic, m.payload.queue, m.payload.caller.number, m.payload.called.number]),
      [
        ['ring', 'VMX', '+498955555', '7777'],
        ['connect', 'VMX', '+498955555', '7777'],
        ['disconnect', 'VMX', '+498955555', '7777'],
      ],
    );
    assert.equal(got[1].payload.peerChannel, caller, 'the caller, behind the Local pair');
  });

  it('two calls at once on one extension: two call ids, the status counts both', async () => {
    const { got, node } = await monitor('1001');
    const first = env.sim.ring('1001', '1002');
    env.sim.answer(first);
    const twoCalls = statusMatching(node, (st) => /^2 /.test(st.text ?? ''));
    env.sim.ring('1001', '1003');
    await until(() => got.length === 3);
    await twoCalls;
    const ids = new Set(got.map((m) => m.payload.callId));
    assert.equal(ids.size, 2);
    assert.deepEqual(got.map((m) => m.topic).sort(), ['connect', 'ring', 'ring']);
  });

  it('a transfer-like change of the bridged peer: same call, the leaving extension disconnects, the new one rings and connects', async () => {
    const { got } = await monitor('1001,1003,1004');
    const ringing = env.sim.ring('1001', '1004');
    env.sim.answer(ringing);
    await until(() => got.length === 4);
    const client = new WebTapiClient({ url: env.sim.url, username: '1004', password: PASSWORD });
    try {
      const caller = env.sim.state.channelsOf('1004')[0].name;
      await client.calls.pick(caller, '1003');
    } finally {
      await client.close();
    }
    await until(() => got.length === 7);
    assert.deepEqual(kinds(got.slice(4)).sort(), ['connect:1003', 'disconnect:1001', 'ring:1003']);
    assert.equal(new Set(got.map((m) => m.payload.callId)).size, 1);
  });

  it('a polling outage: gap first, then the calls that ended unseen, uncertain', async () => {
    const { got, node } = await monitor('1001');
    env.sim.answer(env.sim.ring('1001', '1004'));
    await until(() => got.length === 2);
    const red = statusMatching(node, (st) => st.fill === 'red');
    await env.sim.pause();
    await red;
    env.sim.hangupAll();
    await env.sim.resume();
    await until(() => got.length === 4, 15_000);
    assert.deepEqual(
      got.slice(2).map((m) => m.topic),
      ['gap', 'disconnect'],
    );
    const gap = got[2].payload;
    assert.ok(Date.parse(gap.from) < Date.parse(gap.to) && gap.seconds > 0);
    assert.equal(got[3].payload.uncertain, true);
  });

  it('one call_list_all per interval for several monitors and a status watch; none after the last is removed', async () => {
    const monitors = Array.from({ length: 5 }, (_, i) => ({
      id: `m${i}`,
      type: 'webtapi-call-monitor',
      server: 'cfg',
      extensions: `100${i + 1}`,
      interval: 250 + i * 100,
      wires: [['out']],
    }));
    const flow = [
      config(env.sim),
      ...monitors,
      { id: 'w', type: 'webtapi-status-watch', server: 'cfg', extensions: '1001', interval: 250, watchCalls: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    const clock = pollClock();
    try {
      await helper.load(NODES, flow, CREDS);
      await until(() => listPolls() >= 1);
      const t0 = Date.now();
      const p0 = listPolls();
      await until(() => listPolls() >= p0 + 4);
      const perInterval = (Date.now() - t0) / (listPolls() - p0);
      assert.ok(perInterval >= 200, `one poll per 250 ms interval, got one per ${perInterval} ms`);
      assert.equal(env.sim.stats.byAction.call_list_all, env.sim.stats.byAction.call_status_get, 'status and calls in the same polls');
      await helper.setFlows([config(env.sim), { id: 'out', type: 'helper' }], 'full', CREDS);
      // Twice the longest interval (650 ms).
      await assertNoMorePolls(clock, 1300, listPolls);
    } finally {
      clock.restore();
    }
  });

  it('a malformed extension or event: red status, nothing polled, an input ends with WEBTAPI_INVALID_INPUT', async () => {
    await helper.load(
      NODES,
      [config(env.sim), { id: 'm', type: 'webtapi-call-monitor', server: 'cfg', extensions: '1001,bad ext', events: 'ring', wires: [[]] }],
      CREDS,
    );
    const m = helper.getNode('m')!;
    assert.equal(m.status.lastCall.args[0].fill, 'red');
    assert.match(m.status.lastCall.args[0].text, /invalid input/);
    await helper.unload();
    await helper.load(
      NODES,
      [
        config(env.sim),
        { id: 'm', type: 'webtapi-call-monitor', server: 'cfg', extensions: '', events: 'ring,hangup', wires: [[]] },
        { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
      CREDS,
    );
    const caught = new Promise<Record<string, any>>((resolve) => helper.getNode('caught')!.once('input', resolve));
    helper.getNode('m')!.receive({ payload: 'poll' });
    assert.match((await caught).error.message, /events "hangup" unknown/);
    assert.equal(listPolls(), 0);
  });

  it('an input message polls at once', async () => {
    await monitor('1001', { interval: 60_000 });
    const polls = listPolls();
    helper.getNode('m')!.receive({});
    await until(() => listPolls() === polls + 1);
  });
});
