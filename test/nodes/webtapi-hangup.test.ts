import assert from 'node:assert/strict';
import { helper, loadFlow, outcome, caughtCode, useNodeSimulator } from './harness';

describe('webtapi-hangup', () => {
  const env = useNodeSimulator();

  const channelsOf = (ext: string) => [...env.sim.state.channels.keys()].filter((n) => n.startsWith(`SIP/${ext}-`));

  it('hangs up every channel of an extension and lists them', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-hangup', { target: '1002' });
    const call = await loadCall();
    assert.ok(call);
    const channels = channelsOf('1002');
    assert.equal(channels.length, 1);
    const r = await outcome(nodes, {});
    assert.ok(r.out, JSON.stringify(r.error));
    assert.deepEqual(r.out.payload, channels);
    assert.equal(r.out.webtapi.action, 'call_hangup');
    assert.equal(channelsOf('1002').length, 0);
  });

  it('hangs up a channel name as given (a scalar payload, the target left empty in the dialog)', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-hangup', { target: '' });
    await loadCall();
    const chan = channelsOf('1001')[0];
    const r = await outcome(nodes, { payload: chan });
    assert.deepEqual(r.out?.payload, [chan]);
  });

  it('a message cannot change a target set in the dialog', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-hangup', { target: '1003' });
    await loadCall();
    const r = await outcome(nodes, { payload: channelsOf('1001')[0], target: '1002' });
    assert.deepEqual(r.out?.payload, []);
    assert.equal(channelsOf('1001').length + channelsOf('1002').length, 2, 'the call was hung up');
    assert.equal(env.sim.stats.byAction.call_hangup ?? 0, 0);
  });

  it('answers an empty list when the extension has no call, and refuses bad targets', async () => {
    let nodes = await loadFlow(env.sim, 'webtapi-hangup', { target: '1003' });
    let r = await outcome(nodes, {});
    assert.deepEqual(r.out?.payload, []);
    await helper.unload();
    nodes = await loadFlow(env.sim, 'webtapi-hangup', { target: '' });
    r = await outcome(nodes, { target: '10 03' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    r = await outcome(nodes, {});
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    r = await outcome(nodes, { payload: { target: 'SIP/1003-00000099' } });
    assert.equal(caughtCode(r.error), 'WEBTAPI_ACTION_FAILED');
  });

  async function loadCall(): Promise<boolean> {
    const { WebTapiClient } = await import('../../dist/client');
    const c = new WebTapiClient({ url: env.sim.url, username: '1004', password: 'secret' });
    try {
      return await c.calls.call('1001', '1002');
    } finally {
      await c.close();
    }
  }
});
