import assert from 'node:assert/strict';
import { helper, loadFlow, outcome, caughtCode, useNodeSimulator } from './harness';

describe('webtapi-request', () => {
  const env = useNodeSimulator();

  it("runs the node's action with its params: a parameter given in the dialog is fixed, the others come from msg.payload", async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-request', { action: 'call_status_get', params: '{"filter":"1001,1002"}' });
    let r = await outcome(nodes, {});
    assert.deepEqual(Object.keys(r.out?.payload).sort(), ['1001', '1002']);
    r = await outcome(nodes, { payload: { filter: '1003', note: 'x' } });
    assert.deepEqual(Object.keys(r.out?.payload).sort(), ['1001', '1002']);
    assert.deepEqual(r.out?.webtapi.params, { note: 'x', filter: '1001,1002' });
    await helper.unload();
    const open = await loadFlow(env.sim, 'webtapi-request', { action: 'call_status_get', params: '{}' });
    r = await outcome(open, { payload: { filter: '1003' } });
    assert.deepEqual(Object.keys(r.out?.payload), ['1003']);
  });

  it('a message cannot make a request with an action set in the dialog send another action', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-request', { action: 'relay_status_get', params: '{"relay_id":"17"}' });
    const tries = [
      { action: 'relay_status_set', payload: { relay_id: '18', status: 1 } },
      { payload: { action: 'relay_status_set', relay_id: '18', status: 1 } },
      { payload: 'relay_status_set' },
    ];
    for (const msg of tries) {
      const r = await outcome(nodes, msg);
      if (r.out) assert.equal(r.out.webtapi.action, 'relay_status_get');
      else assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT', JSON.stringify(r.error));
    }
    assert.equal(env.sim.stats.byAction.relay_status_set ?? 0, 0);
    assert.equal(env.sim.state.relays.get('18')!.status, 0);
    assert.deepEqual(
      env.sim.requests.filter((q) => q.action === 'relay_status_get').map((q) => q.params.relay_id),
      ['17', '17', '17'],
    );
  });

  it('takes the action from msg.payload.action, msg.action or a scalar payload when the dialog leaves it empty', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-request', { action: '' });
    let r = await outcome(nodes, { payload: { action: 'relay_status_set', relay_id: '17', status: 1 } });
    assert.equal(r.out?.payload, true);
    assert.deepEqual(r.out?.webtapi.params, { relay_id: '17', status: '1' });
    r = await outcome(nodes, { action: 'relay_list' });
    assert.equal(r.out?.payload[0].status, 1);
    r = await outcome(nodes, { payload: 'q_list' });
    assert.deepEqual(r.out?.payload[0], { shape: 'fields', name: 'VMX', raw: 'VMX' });
    r = await outcome(nodes, { payload: { CAMID: '44' }, action: 'vmx_cam_get_pic' });
    assert.ok(Buffer.isBuffer(r.out?.payload));
    assert.match(r.out?.contentType, /^image\/jpeg/);
    r = await outcome(nodes, {});
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
  });

  it('plays DTMF and records through the generic node', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-request', { action: '', params: '{}' });
    await outcome(nodes, { action: 'call', payload: { src: '1001', dst: '1002' } });
    const chan = [...env.sim.state.channels.keys()][0];
    let r = await outcome(nodes, { action: 'chan_play_dtmf', payload: { chan, tone: '1234' } });
    assert.equal(r.out?.payload, true);
    assert.equal(env.sim.state.channels.get(chan)!.dtmf, '1234');
    r = await outcome(nodes, { action: 'call_record_start', payload: { chan } });
    assert.equal(typeof r.out?.payload, 'string');
  });

  it('refuses params that are not a JSON object', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-request', { action: 'q_list', params: '[1,2' });
    const r = await outcome(nodes, {});
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
  });
});
