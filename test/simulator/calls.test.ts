import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { act, actionUrl, lines, login, request, waitFor, useSimulator } from './helpers';

const CHANNEL_14 = /^[A-Za-z]+\/[^!]+(![^!]*){13}$/;

function fields(line: string): string[] {
  return line.split('!');
}

describe('simulator: call management', () => {
  let sim: Simulator;
  let sid: string;

  useSimulator((s, id) => {
    sim = s;
    sid = id;
  });

  const status = (ext: string): number => sim.state.extensions.get(ext)!.code;
  const chanOf = (ext: string): string => sim.state.channelsOf(ext)[0].name;

  it('call: src dialling (Ring, Dial), dst ringing, 14-field channel lines bridged only once answered', async () => {
    assert.equal(await act(sim, sid, 'call', { src: '1004', dst: '1001' }), '1');
    assert.equal(sim.stats.executed.call, 1);
    assert.equal(status('1004'), 1);
    assert.equal(status('1001'), 8);
    const mine = lines(await act(sim, sid, 'call_list'));
    assert.equal(mine.length, 1);
    assert.match(mine[0], CHANNEL_14);
    const [name, context, exten, priority, state, app, , callerId, , , , duration, bridged, uniqueId] = fields(mine[0]);
    assert.match(name, /^SIP\/1004-[0-9a-f]{8}$/);
    assert.equal(context, 'from-internal');
    assert.equal(exten, '1001');
    assert.equal(priority, '1');
    assert.equal(state, 'Ring');
    assert.equal(app, 'Dial');
    assert.match(fields(mine[0])[6], /^SIP\/1001,/);
    assert.equal(callerId, '1004');
    assert.match(duration, /^\d+$/);
    assert.equal(bridged, '(None)', 'not bridged while ringing');
    assert.match(uniqueId, /^\d+\.\d+$/);
    let all = lines(await act(sim, sid, 'call_list_all'));
    const callee = all.map(fields).find((f) => f[0].startsWith('SIP/1001-'))!;
    assert.deepEqual(
      [callee[2], callee[4], callee[5], callee[6], callee[7], callee[12]],
      ['1001', 'Ringing', 'AppDial', '(Outgoing Line)', '1001', '(None)'],
    );
    assert.equal(all.length, 4); // + the two callers waiting in VMX
    sim.answer(callee[0]);
    all = lines(await act(sim, sid, 'call_list_all'));
    const up = all.map(fields).filter((f) => f[0] === name || f[0] === callee[0]);
    assert.deepEqual(
      up.map((f) => [f[4], f[12]]),
      [
        ['Up', callee[0]],
        ['Up', name],
      ],
    );
  });

  it('call: unknown extensions, src = dst or missing parameters answer 0', async () => {
    assert.equal(await act(sim, sid, 'call', { src: '1004', dst: '9999' }), '0');
    assert.equal(await act(sim, sid, 'call', { src: '9999', dst: '1001' }), '0');
    assert.equal(await act(sim, sid, 'call', { src: '1004', dst: '1004' }), '0');
    assert.equal(await act(sim, sid, 'call', { src: '1004' }), '0');
    assert.equal(sim.stats.executed.call, undefined);
  });

  it('call to an unavailable phone fails; its state is 4', async () => {
    sim.state.setAvailable('1003', false);
    assert.equal(await act(sim, sid, 'call_status_get', { filter: '1003' }), '1003:4');
    assert.equal(await act(sim, sid, 'call', { src: '1004', dst: '1003' }), '0');
  });

  it('call_hangup removes the channel and its bridged peer; a second hangup answers 0', async () => {
    await act(sim, sid, 'call', { src: '1004', dst: '1001' });
    const chan = chanOf('1004');
    assert.equal(await act(sim, sid, 'call_hangup', { chan }), '1');
    assert.equal(sim.state.channelsOf('1004').length, 0);
    assert.equal(sim.state.channelsOf('1001').length, 0);
    assert.equal(await act(sim, sid, 'call_list'), '');
    assert.equal(await act(sim, sid, 'call_hangup', { chan }), '0');
    assert.equal(await act(sim, sid, 'call_hangup'), '0');
    assert.equal(sim.stats.executed.call_hangup, 1);
  });

  it('call_pick: a ringing call is picked up by another extension', async () => {
    await act(sim, sid, 'call', { src: '1004', dst: '1001' });
    const ringing = chanOf('1001');
    assert.equal(await act(sim, sid, 'call_pick', { chan: ringing, dst: '1002' }), '1');
    assert.equal(sim.state.channelsOf('1001').length, 0);
    const picked = sim.state.channelsOf('1002')[0];
    assert.equal(picked.state, 'Up');
    assert.equal(picked.bridgedTo, chanOf('1004'));
    assert.equal(status('1002'), 1);
    assert.equal(await act(sim, sid, 'call_pick', { chan: 'SIP/1001-0000ffff', dst: '1002' }), '0');
    assert.equal(await act(sim, sid, 'call_pick', { chan: picked.name, dst: '9999' }), '0');
  });

  it('call_prio hangs up every channel of dst, then rings it from a Local/prio channel', async () => {
    await act(sim, sid, 'call', { src: '1002', dst: '1003' });
    await act(sim, sid, 'call', { src: '1005', dst: '1003' });
    assert.equal(status('1003'), 8);
    assert.equal(await act(sim, sid, 'call_prio', { dst: '1003' }), '1');
    const chans = sim.state.channelsOf('1003');
    assert.equal(chans.length, 1);
    assert.equal(chans[0].state, 'Ringing');
    assert.match(chans[0].bridgedTo!, /^Local\/prio-[0-9a-f]{8}$/);
    assert.equal(sim.state.channelsOf('1002').length, 0);
    assert.equal(sim.state.channelsOf('1005').length, 0);
    assert.equal(await act(sim, sid, 'call_prio', { dst: 'nobody' }), '0');
  });

  it('call_create_conf refuses busy stations unless break=true, then puts each in a ConfBridge', async () => {
    await act(sim, sid, 'call', { src: '1001', dst: '1002' });
    assert.equal(await act(sim, sid, 'call_create_conf', { stations: '1001,1003' }), '0');
    assert.equal(sim.state.channelsOf('1001')[0].application, 'Dial');
    assert.equal(await act(sim, sid, 'call_create_conf', { stations: '1001,1003,9999', break: 'true' }), '0');
    assert.equal(await act(sim, sid, 'call_create_conf', { stations: '1001,1003', break: 'true' }), '1');
    for (const ext of ['1001', '1003']) {
      const [ch] = sim.state.channelsOf(ext);
      assert.equal(ch.application, 'ConfBridge');
      assert.equal(status(ext), 1);
    }
    assert.equal(sim.state.channelsOf('1002').length, 0, 'the broken call is gone');
    assert.equal(await act(sim, sid, 'call_create_conf', { stations: '1005,1006' }), '1', 'idle stations need no break');
    assert.equal(await act(sim, sid, 'call_create_conf'), '0');
    assert.equal(sim.stats.executed.call_create_conf, 2);
  });

  it('call_list lists only the logged-in extension; call_list_all everything; empty list is an empty body', async () => {
    sim.hangupAll();
    assert.equal(await act(sim, sid, 'call_list_all'), '');
    await act(sim, sid, 'call', { src: '1002', dst: '1003' });
    assert.equal(await act(sim, sid, 'call_list'), '');
    assert.equal(lines(await act(sim, sid, 'call_list_all')).length, 2);
  });

  it('call_status_get: all extensions, a filter, -1 for unknown ones', async () => {
    sim.ring('1002');
    const all = lines(await act(sim, sid, 'call_status_get'));
    assert.equal(all.length, 10);
    assert.equal(all[0], '1001:0');
    assert.equal(all[1], '1002:8');
    assert.equal(await act(sim, sid, 'call_status_get', { filter: '1002,4711, 1001' }), '1002:8\n4711:-1\n1001:0');
    sim.answer(chanOf('1002'));
    assert.equal(await act(sim, sid, 'call_status_get', { filter: '1002' }), '1002:1');
    sim.state.hold(chanOf('1002'));
    assert.equal(await act(sim, sid, 'call_status_get', { filter: '1002' }), '1002:16');
  });

  it('records: start (generated or given name), stop, list, get a byte-identical WAV', async () => {
    await act(sim, sid, 'call', { src: '1004', dst: '1001' });
    const chan = chanOf('1004');
    const generated = await act(sim, sid, 'call_record_start', { chan });
    assert.match(generated, /^[0-9a-f]{32}_\d{10}\.wav$/);
    assert.equal(await act(sim, sid, 'call_record_start', { chan }), '0', 'already recording');
    assert.equal(await act(sim, sid, 'call_record_stop', { chan }), '1');
    assert.equal(await act(sim, sid, 'call_record_stop', { chan }), '0', 'not recording any more');
    assert.equal(await act(sim, sid, 'call_record_start', { chan, monitor_file: 'lukas_223344' }), 'lukas_223344.wav');
    assert.equal(await act(sim, sid, 'call_record_start', { chan: chanOf('1001'), monitor_file: '../etc/passwd' }), '0');
    assert.equal(await act(sim, sid, 'call_record_start', { chan: 'SIP/9-00000000' }), '0');
    const list = lines(await act(sim, sid, 'call_record_list'));
    assert.deepEqual(list.slice(1), [generated, 'lukas_223344.wav']);
    const a = await request(actionUrl(sim, sid, 'call_record_get', { monitor_file: generated }));
    const b = await request(actionUrl(sim, sid, 'call_record_get', { monitor_file: generated }));
    assert.equal(a.headers['content-type'], 'audio/wav');
    assert.ok(a.body.equals(b.body));
    assert.equal(a.body.toString('ascii', 0, 4), 'RIFF');
    assert.equal(await act(sim, sid, 'call_record_get', { monitor_file: 'missing.wav' }), '0');
    assert.equal(await act(sim, sid, 'call_record_get'), '0');
    assert.equal(sim.stats.executed.call_record_start, 2);
    assert.equal(sim.stats.executed.call_record_stop, 1);
    await act(sim, sid, 'call_hangup', { chan });
    assert.notEqual(sim.state.recordings.get('lukas_223344.wav')!.stoppedAt, null, 'a hangup stops the recording');
  });

  it('channelFields 13 drops the priority, as in the document example', async () => {
    const s13 = await startSimulator({ channelFields: 13 });
    try {
      const sid13 = await login(s13);
      const [line] = lines(await act(s13, sid13, 'q_waiting_list', { q_name: 'VMX' }));
      const f = fields(line);
      assert.equal(f.length, 13);
      assert.deepEqual(f.slice(1, 6), ['from-trunk', '7777', 'Up', 'Queue', 'VMX,i']);
      assert.equal(f[11], '(None)');
    } finally {
      await s13.close();
    }
  });

  it('ringMs answers a called extension automatically', async () => {
    const auto = await startSimulator({ ringMs: 20 });
    try {
      const s = await login(auto);
      assert.equal(await act(auto, s, 'call', { src: '1004', dst: '1002' }), '1');
      assert.equal(auto.state.extensions.get('1002')!.code, 8);
      const callee = auto.state.channelsOf('1002')[0];
      await waitFor(() => callee.state === 'Up');
      assert.equal(auto.state.extensions.get('1002')!.code, 1);
    } finally {
      await auto.close();
    }
  });
});
