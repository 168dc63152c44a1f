import * as assert from 'node:assert/strict';
import { startSimulator } from '../../dist/simulator';
import { act, lines, login, useSimulator } from './helpers';

describe('simulator: relays, cameras, DTMF and spying', () => {
  const pbx = useSimulator();

  it('relay_list, relay_status_get, relay_status_set', async () => {
    assert.deepEqual(lines(await pbx.act('relay_list')), ['17;Door;0', '18;Gate;0', '19;Light;0']);
    assert.equal(await pbx.act('relay_status_get', { relay_id: '18' }), '0');
    assert.equal(await pbx.act('relay_status_set', { relay_id: '18', status: '1' }), '1');
    assert.equal(await pbx.act('relay_status_get', { relay_id: '18' }), '1');
    assert.equal(await pbx.act('relay_status_set', { relay_id: '18', status: '255' }), '1');
    assert.equal(lines(await pbx.act('relay_list'))[1], '18;Gate;255');
    assert.equal(pbx.sim.stats.executed.relay_status_set, 2);
    for (const bad of <Array<Record<string, string>>>[
      { relay_id: '99', status: '1' },
      { relay_id: '18', status: '256' },
      { relay_id: '18', status: '-1' },
      { relay_id: '18', status: 'on' },
      { relay_id: '18', status: '1.5' },
      { relay_id: '18' },
    ]) {
      assert.equal(await pbx.act('relay_status_set', bad), '0', JSON.stringify(bad));
    }
    assert.equal(await pbx.act('relay_status_get', { relay_id: '99' }), '0');
    assert.equal(await pbx.act('relay_status_get'), '0');
    assert.equal(pbx.sim.state.relays.get('18')!.status, 255);
    assert.equal(pbx.sim.stats.executed.relay_status_set, 2);
  });

  it('custom relays and cameras', async () => {
    const s2 = await startSimulator({ relays: [{ id: 'gate-1', name: 'Gate', status: 1 }], cameras: [{ id: 'c1', name: 'Yard' }] });
    try {
      const sid2 = await login(s2);
      assert.equal(await act(s2, sid2, 'relay_list'), 'gate-1;Gate;1');
      assert.equal(await act(s2, sid2, 'vmx_cam_list'), 'c1;Yard');
    } finally {
      await s2.close();
    }
  });

  it('vmx_cam_list, vmx_cam_s_record, vmx_cam_p_save', async () => {
    assert.deepEqual(lines(await pbx.act('vmx_cam_list')), ['44;Entrance', '45;Garage']);
    assert.equal(await pbx.act('vmx_cam_s_record', { CAMID: '44' }), '1');
    assert.equal(pbx.sim.state.cameras.get('44')!.recording, true);
    assert.equal(await pbx.act('vmx_cam_p_save', { CAMID: '45' }), '1');
    assert.equal(await pbx.act('vmx_cam_p_save', { CAMID: '45' }), '1');
    assert.equal(pbx.sim.state.cameras.get('45')!.savedPictures.length, 2);
    assert.equal(await pbx.act('vmx_cam_s_record', { CAMID: '99' }), '0');
    assert.equal(await pbx.act('vmx_cam_p_save'), '0');
    assert.equal(await pbx.act('vmx_cam_get_pic', { CAMID: '99' }), '0');
    assert.equal(await pbx.act('vmx_cam_get_stream', { CAMID: '99' }), '0');
    assert.equal(pbx.sim.stats.executed.vmx_cam_s_record, 1);
    assert.equal(pbx.sim.stats.executed.vmx_cam_p_save, 2);
  });

  it('chan_play_dtmf records the digits on the channel; bad tones or channels answer 0', async () => {
    const ringing = pbx.sim.ring('1004', '1001');
    assert.equal(await pbx.act('chan_play_dtmf', { chan: ringing, tone: '12*#' }), '1');
    assert.equal(await pbx.act('chan_play_dtmf', { chan: ringing, tone: 'AbcD9' }), '1');
    assert.equal(pbx.sim.state.channels.get(ringing)!.dtmf, '12*#ABCD9');
    for (const tone of ['E', '12 3', '', '1;2']) {
      assert.equal(await pbx.act('chan_play_dtmf', { chan: ringing, tone }), '0', tone);
    }
    assert.equal(await pbx.act('chan_play_dtmf', { chan: 'SIP/1004-0000ffff', tone: '1' }), '0');
    assert.equal(await pbx.act('chan_play_dtmf', { tone: '1' }), '0');
    assert.equal(pbx.sim.stats.executed.chan_play_dtmf, 2);
  });

  it('chan_monitor creates a ChanSpy channel for dst; it ends with the spied channel', async () => {
    await pbx.act('call', { src: '1004', dst: '1001' });
    const target = pbx.sim.state.channelsOf('1004')[0].name;
    assert.equal(await pbx.act('chan_monitor', { chan: target, dst: '1009' }), '1');
    const [spy] = pbx.sim.state.channelsOf('1009');
    assert.equal(spy.application, 'ChanSpy');
    assert.equal(spy.data, `${target},q`);
    assert.equal(pbx.sim.state.extensions.get('1009')!.code, 1);
    assert.equal(await pbx.act('chan_monitor', { chan: target, dst: '4711' }), '0');
    assert.equal(await pbx.act('chan_monitor', { chan: 'SIP/nope-00000000', dst: '1009' }), '0');
    assert.equal(await pbx.act('chan_monitor', { dst: '1009' }), '0');
    await pbx.act('call_hangup', { chan: target });
    assert.equal(pbx.sim.state.channelsOf('1009').length, 0);
  });
});
