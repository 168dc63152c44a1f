import * as assert from 'node:assert/strict';
import { startSimulator } from '../../dist/simulator';
import { act, lines, login, request, useSimulator } from './helpers';

const fields = (line: string): string[] => line.split('!');

describe('simulator: call lifecycles and the control API', () => {
  const pbx = useSimulator();
  const all = async (): Promise<string[][]> =>
    lines(await pbx.act('call_list_all'))
      .map(fields)
      .filter((f) => !['0891234567', '0301112233'].includes(f[7])); // not the callers waiting since reset
  const control = async (
    command: string,
    query: Record<string, string> = {},
    method = 'POST',
  ): Promise<{ status: number; body: Record<string, any> }> => {
    const url = new URL(`/sim/${command}`, pbx.sim.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const r = await request(url.href, { method });
    return { status: r.status, body: JSON.parse(r.text) };
  };

  it('an outside caller arrives on a trunk channel with number (and name in the 13-field layout)', async () => {
    const ringing = pbx.sim.ring('1002', '+4930123456', { name: 'Erika Muster' });
    const [trunk, leg] = await all();
    assert.match(trunk[0], /^SIP\/trunk-[0-9a-f]{8}$/);
    assert.deepEqual([trunk[1], trunk[2], trunk[4], trunk[5], trunk[7]], ['from-trunk', '1002', 'Ring', 'Dial', '+4930123456']);
    assert.match(trunk[6], /^SIP\/1002,/);
    assert.equal(leg[0], ringing);
    const s13 = await startSimulator({ channelFields: 13 });
    try {
      s13.hangupAll();
      s13.ring('1002', '+4930123456', { name: 'Erika Muster' });
      const [line] = lines(await act(s13, await login(s13), 'call_list_all'));
      assert.deepEqual(fields(line).slice(6, 8), ['+4930123456', 'Erika Muster']);
    } finally {
      await s13.close();
    }
  });

  it('a queue call rings the free agent through a Local ;1/;2 pair; answered, both halves are bridged', async () => {
    const caller = pbx.sim.queueCall('VMX', '+4989555');
    let chans = await all();
    const one = chans.find((f) => /^Local\/1001@from-queue-[0-9a-f]{8};1$/.test(f[0]))!;
    const two = chans.find((f) => f[0] === one[0].replace(/;1$/, ';2'))!;
    const agent = chans.find((f) => f[0].startsWith('SIP/1001-'))!;
    assert.deepEqual(
      [one[4], one[5], two[4], two[5], two[6], two[7], agent[4], agent[5]],
      ['Ringing', 'AppQueue', 'Ring', 'Dial', 'SIP/1001,,tr', '+4989555', 'Ringing', 'AppDial'],
    );
    assert.equal(pbx.sim.state.channels.get(caller)!.queue, 'VMX');
    pbx.sim.answer('1001');
    chans = await all();
    const peer = (name: string): string => chans.find((f) => f[0] === name)![12];
    assert.equal(peer(caller), one[0]);
    assert.equal(peer(one[0]), caller);
    assert.equal(peer(two[0]), agent[0]);
    assert.equal(peer(agent[0]), two[0]);
    assert.ok(!pbx.sim.state.queues.get('VMX')!.waiting.includes(caller), 'no longer waiting');
    pbx.sim.hangup(caller);
    assert.equal((await all()).length, 0, 'the whole chain hangs up');
  });

  it('reject: a direct call ends; a queue offer ends but the caller keeps waiting', async () => {
    pbx.sim.ring('1003', '1004');
    pbx.sim.reject('1003');
    assert.equal((await all()).length, 0);
    const caller = pbx.sim.queueCall('VMX');
    pbx.sim.reject('1001');
    assert.deepEqual(
      (await all()).map((f) => f[0]),
      [caller],
    );
    assert.ok(pbx.sim.state.queues.get('VMX')!.waiting.includes(caller));
  });

  it('bridgeField "id" prints one bridge id for both channels of a bridge, empty while ringing', async () => {
    const s = await startSimulator({ bridgeField: 'id' });
    try {
      s.hangupAll();
      const ringing = s.ring('1001', '1002');
      const sid2 = await login(s);
      let chans = lines(await act(s, sid2, 'call_list_all')).map(fields);
      assert.deepEqual(
        chans.map((f) => f[12]),
        ['', ''],
      );
      s.answer(ringing);
      chans = lines(await act(s, sid2, 'call_list_all')).map(fields);
      assert.match(chans[0][12], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(chans[0][12], chans[1][12]);
    } finally {
      await s.close();
    }
  });

  it('control API: doorbell, answer, hang up, list; errors as JSON; no session needed, no WebTAPI request counted', async () => {
    let r = await control('doorbell', { flat: '1005' });
    assert.equal(r.status, 200);
    assert.match(r.body.channel, /^SIP\/1005-/);
    const door = pbx.sim.state.channels.get(pbx.sim.state.channels.get(r.body.channel)!.bridgedTo!)!;
    assert.match(door.name, /^SIP\/1009-/);
    r = await control('calls', {}, 'GET');
    assert.ok(r.body.channels.some((c: { channel: string; state: string }) => c.channel === door.name && c.state === 'Ring'));
    assert.equal((await control('answer', { chan: '1005' })).status, 200);
    assert.equal(pbx.sim.state.codeOf('1005'), 1);
    assert.equal((await control('hangup', { chan: '1009' })).status, 200);
    assert.equal(pbx.sim.state.channelsOf('1005').length, 0);
    r = await control('ring', { ext: '1002', from: '+491701234', name: 'Max' });
    assert.equal(r.status, 200);
    assert.equal((await control('reject', { chan: r.body.channel })).status, 200);
    r = await control('queue-call', { queue: 'VMX' });
    assert.equal(r.status, 200);
    assert.equal((await control('hangup')).status, 200);
    assert.equal(pbx.sim.state.channels.size, 0);
    r = await control('ring', { ext: '4711' });
    assert.deepEqual([r.status, r.body.ok], [400, false]);
    assert.match(r.body.error, /unknown extension/);
    assert.equal((await control('ring', {}, 'GET')).status, 405);
    assert.equal((await control('nope')).status, 404);
    assert.equal(pbx.sim.stats.byAction.doorbell, undefined);
  });

  it('control API off: /sim/ is an unknown path', async () => {
    const s = await startSimulator({ control: false });
    try {
      const r = await request(new URL('/sim/doorbell', s.url).href, { method: 'POST' });
      assert.equal(r.status, 404);
    } finally {
      await s.close();
    }
  });
});
