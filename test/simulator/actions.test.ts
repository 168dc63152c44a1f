// Every action of docs/protocol.md: a happy path that is not '0', and a bad parameter that is.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { ACTION_NAMES, type Simulator } from '../../dist/simulator';
import { actionUrl, request, useSimulator } from './helpers';

type Params = Record<string, string>;
interface Case {
  ok: (s: Simulator) => Params;
  bad: Params;
  /** What the happy path answers, when it is fixed. */
  expect?: string | RegExp;
}

const firstWaiting = (s: Simulator): string => s.state.queues.get('VMX')!.waiting[0];
const ringing = (s: Simulator): string => s.ring('1004', '1002');

const CASES: Record<string, Case> = {
  call: { ok: () => ({ src: '1004', dst: '1001' }), bad: { src: '1004', dst: '0000' }, expect: '1' },
  call_pick: { ok: (s) => ({ chan: ringing(s), dst: '1003' }), bad: { chan: 'SIP/1004-00000000', dst: '1003' }, expect: '1' },
  call_hangup: { ok: (s) => ({ chan: ringing(s) }), bad: { chan: 'SIP/none-00000000' }, expect: '1' },
  call_prio: { ok: () => ({ dst: '1005' }), bad: { dst: '12345' }, expect: '1' },
  call_list: { ok: (s) => (ringing(s), {}), bad: { SID: 'x' }, expect: /^SIP\/1004-/ },
  call_list_all: { ok: () => ({}), bad: { SID: '' }, expect: /^SIP\/trunk-/ },
  call_record_start: {
    ok: (s) => ({ chan: ringing(s), monitor_file: 'door_1' }),
    bad: { chan: 'SIP/none-00000000' },
    expect: 'door_1.wav',
  },
  call_record_stop: {
    ok: (s) => {
      const chan = ringing(s);
      s.state.channels.get(chan)!.recording = 'x.wav';
      return { chan };
    },
    bad: { chan: 'SIP/none-00000000' },
    expect: '1',
  },
  call_record_list: { ok: () => ({}), bad: { SID: 'expired' }, expect: /\.wav$/ },
  call_record_get: { ok: (s) => ({ monitor_file: [...s.state.recordings.keys()][0] }), bad: { monitor_file: 'nope.wav' }, expect: /^RIFF/ },
  call_status_get: { ok: () => ({ filter: '1001' }), bad: { SID: 'bad' }, expect: '1001:0' },
  call_create_conf: { ok: () => ({ stations: '1001,1002', break: 'true' }), bad: { stations: '1001,x' }, expect: '1' },
  q_list: { ok: () => ({}), bad: { SID: 'bad' }, expect: 'VMX\nSUPPORT' },
  agent_list: { ok: () => ({ q_name: 'VMX' }), bad: { q_name: 'NONE' }, expect: '1001' },
  agent_login: { ok: () => ({ q_name: 'VMX' }), bad: { q_name: 'VMX', src: '1001' }, expect: '1' },
  agent_logout: { ok: () => ({ q_name: 'VMX', src: '1001' }), bad: { q_name: 'VMX', src: '1002' }, expect: '1' },
  q_call_list: { ok: () => ({ q_name: 'VMX' }), bad: { q_name: '' }, expect: /Queue!VMX,i/ },
  q_waiting_list: { ok: () => ({ q_name: 'VMX' }), bad: { q_name: 'vmx' }, expect: /Queue!VMX,i/ },
  q_shift_caller: {
    ok: (s) => ({ q_name: 'VMX', chan: firstWaiting(s), position: '2' }),
    bad: { q_name: 'VMX', chan: 'SIP/1-0' },
    expect: '1',
  },
  q_caller_del: { ok: (s) => ({ q_name: 'VMX', chan: firstWaiting(s) }), bad: { q_name: 'SUPPORT', chan: 'SIP/1-0' }, expect: '1' },
  vmx_cam_list: { ok: () => ({}), bad: { SID: 'bad' }, expect: '44;Entrance\n45;Garage' },
  vmx_cam_get_pic: { ok: () => ({ CAMID: '44' }), bad: { camid: '44' } },
  vmx_cam_get_stream: { ok: () => ({ CAMID: '45' }), bad: { CAMID: '46' } },
  vmx_cam_s_record: { ok: () => ({ CAMID: '44' }), bad: { CAMID: '' }, expect: '1' },
  vmx_cam_p_save: { ok: () => ({ CAMID: '45' }), bad: { CAMID: '4' }, expect: '1' },
  chan_play_dtmf: {
    ok: (s) => ({ chan: ringing(s), tone: '0123456789*#ABCD' }),
    bad: { chan: 'SIP/1004-00000000', tone: '1' },
    expect: '1',
  },
  chan_monitor: { ok: (s) => ({ chan: ringing(s), dst: '1006' }), bad: { chan: 'SIP/none-00000000', dst: '1006' }, expect: '1' },
  relay_list: { ok: () => ({}), bad: { SID: 'bad' }, expect: '17;Door;0\n18;Gate;0\n19;Light;0' },
  relay_status_get: { ok: () => ({ relay_id: '19' }), bad: { relay_id: '20' }, expect: '0' },
  relay_status_set: { ok: () => ({ relay_id: '19', status: '7' }), bad: { relay_id: '19', status: '300' }, expect: '1' },
};

describe('simulator: all 30 actions', () => {
  const pbx = useSimulator();

  it('covers every action of the protocol', () => {
    assert.equal(Object.keys(CASES).length, 30);
    assert.deepEqual([...ACTION_NAMES].sort(), ['login', ...Object.keys(CASES)].sort());
  });

  for (const [action, c] of Object.entries(CASES)) {
    it(`${action}: happy path, and '0' for a bad parameter`, async () => {
      const bad = await request(actionUrl(pbx.sim, pbx.sid, action, c.bad));
      assert.equal(bad.status, 200);
      assert.equal(bad.text, '0', `${action} ${JSON.stringify(c.bad)}`);
      assert.deepEqual(pbx.sim.stats.executed, {}, 'a refused request has no side effect');

      const url = actionUrl(pbx.sim, pbx.sid, action, c.ok(pbx.sim));
      if (action === 'vmx_cam_get_stream') {
        const type = await new Promise<string>((resolve, reject) => {
          const r = http.get(url, { agent: false }, (res) => {
            resolve(String(res.headers['content-type']));
            r.destroy();
          });
          r.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
        });
        assert.match(type, /^multipart\/x-mixed-replace; boundary=/);
        return;
      }
      const ok = await request(url);
      assert.equal(ok.status, 200);
      if (action === 'vmx_cam_get_pic') {
        assert.equal(ok.headers['content-type'], 'image/jpeg');
        assert.equal(ok.body.readUInt16BE(0), 0xffd8);
        return;
      }
      if (typeof c.expect === 'string') assert.equal(ok.text, c.expect, action);
      else if (c.expect) assert.match(ok.text, c.expect, action);
      else assert.notEqual(ok.text, '0');
    });
  }
});
