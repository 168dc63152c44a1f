import assert from 'node:assert/strict';
import type { Simulator } from '../../dist/simulator';
import { helper, loadFlow, outcome, until, caughtCode, useNodeSimulator } from './harness';

describe('webtapi-relay-set', () => {
  let sim: Simulator;
  useNodeSimulator((s) => { sim = s; });

  const relay = (id: string) => sim.state.relays.get(id)!.status;

  it('maps on/off/true/false/1/0/numbers to a status and answers it as a number (status left empty in the dialog)', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '17', relayStatus: '' });
    const cases: Array<[unknown, number]> = [['on', 1], ['off', 0], [true, 1], [false, 0], [1, 1], [0, 0], ['5', 5], ['ON', 1]];
    for (const [status, expected] of cases) {
      const r = await outcome(nodes, { payload: status });
      assert.ok(r.out, JSON.stringify(r.error));
      assert.equal(r.out.payload, expected, String(status));
      assert.equal(relay('17'), expected);
    }
    const r = await outcome(nodes, { payload: 'ajar' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    assert.equal(sim.stats.executed.relay_status_set, cases.length);
  });

  it('reads the node property relayStatus (a TypedInput), and a hand-written status property', async () => {
    let nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '18', relayStatus: 'gate', relayStatusType: 'global' });
    nodes.n1.context().global.set('gate', 'on');
    let r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 1);
    nodes.n1.context().global.set('gate', 0);
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 0);
    await helper.unload();
    nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '18', status: 'on' });
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 1);
    // What the editor would deploy if the property were called status: ignored, the default applies.
    await helper.unload();
    nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '18', relayStatus: 'off', status: { fill: 'green', shape: 'dot', text: 'ok' } });
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 0);
  });

  it('toggles by reading the status first', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '18', status: 'toggle' });
    let r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 1);
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 0);
    assert.equal(sim.stats.byAction.relay_status_get, 2);
  });

  it('pulses: on, wait, off, and the message leaves once it is done', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '17', status: 'on', pulse: 150 });
    const started = Date.now();
    const pending = outcome(nodes, {});
    await until(() => relay('17') === 1);
    const r = await pending;
    assert.ok(Date.now() - started >= 140);
    assert.equal(r.out?.payload, 0);
    assert.equal(relay('17'), 0);
    assert.equal(sim.stats.executed.relay_status_set, 2);
  });

  it('a message cannot change a relay, status or pulse set in the dialog', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on', pulse: 20 });
    const tries = [
      { payload: { relay: '18', status: 'on', pulse: 0 } },
      { relay: '19', status: 1, pulse: 86_400_000 },
      { payload: 'off' },
      { payload: { status: 'toggle' }, pulse: '' },
    ];
    for (const msg of tries) {
      const r = await outcome(nodes, msg);
      assert.ok(r.out, JSON.stringify(r.error));
      assert.equal(r.out.payload, 0, `${JSON.stringify(msg)}: not a pulse of relay 17`);
    }
    const sets = sim.requests.filter((q) => q.action === 'relay_status_set').map((q) => `${q.params.relay_id}=${q.params.status}`);
    assert.deepEqual(sets, tries.flatMap(() => ['17=1', '17=0']));
    assert.equal(relay('18'), 0);
    assert.equal(relay('19'), 0);
  });

  it('a pulse of 0 in the dialog is fixed: a message cannot make a pulse of it', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '17', relayStatus: '', pulse: 0 });
    const r = await outcome(nodes, { payload: 'on', pulse: 20 });
    assert.equal(r.out?.payload, 1);
    assert.equal(relay('17'), 1, 'switched on, not pulsed');
    assert.equal(sim.stats.executed.relay_status_set, 1);
  });

  it('fills a relay, status and pulse left empty in the dialog from the message', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '', relayStatus: '', pulse: '' });
    let r = await outcome(nodes, { payload: { relay: '18', status: 'on', pulse: 20 } });
    assert.equal(r.out?.payload, 0, 'a pulse');
    assert.deepEqual(sim.requests.filter((q) => q.action === 'relay_status_set').map((q) => `${q.params.relay_id}=${q.params.status}`), ['18=1', '18=0']);
    r = await outcome(nodes, { relay: '19', payload: true });
    assert.equal(r.out?.payload, 1);
    assert.equal(relay('19'), 1);
    r = await outcome(nodes, { relay: '19' });
    assert.equal(r.out?.payload, 1, 'no status anywhere: on');
    const before = sim.stats.requests;
    r = await outcome(nodes, { payload: 'on' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT', 'no relay anywhere');
    assert.equal(sim.stats.requests, before);
  });

  it('switches back at once when Node-RED stops during a pulse, and says so in the log', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '17', status: 'on', pulse: 60_000 });
    // The helper restores its log spies before it stops the flows: watch this node's warnings directly.
    const warnings: string[] = [];
    nodes.n1.warn = (m: unknown) => { warnings.push(String(m)); };
    nodes.n1.receive({});
    await until(() => relay('17') === 1);
    await helper.unload();
    assert.equal(relay('17'), 0);
    assert.ok(warnings.some((w) => /pulse cut short by shutdown, switching back to 0/.test(w)), 'no log line about the interrupted pulse');
    assert.equal(sim.stats.executed.relay_status_set, 2);
  });

  it('logs every switch for the audit trail (node id, action, target)', async () => {
    const nodes = await loadFlow(sim, 'webtapi-relay-set', { relay: '19', status: 'on' });
    await outcome(nodes, {});
    const lines = helper.log().args.map((a: any[]) => JSON.stringify(a[0]));
    assert.ok(lines.some((l: string) => l.includes('audit node=n1 action=relay_status_set by=flow relay_id=19 status=1')), lines.join('\n'));
  });
});

describe('webtapi-cam-snapshot', () => {
  let sim: Simulator;
  useNodeSimulator((s) => { sim = s; });

  it('outputs the picture bytes, content type and a file name', async () => {
    const nodes = await loadFlow(sim, 'webtapi-cam-snapshot', { camera: '44' });
    const r = await outcome(nodes, {});
    assert.ok(r.out, JSON.stringify(r.error));
    assert.ok(Buffer.isBuffer(r.out.payload));
    assert.equal(r.out.payload[0], 0xff);
    assert.equal(r.out.payload[1], 0xd8);
    assert.match(r.out.contentType, /^image\/jpeg/);
    assert.match(r.out.filename, /^cam-44-\d{8}T\d{6}\.jpg$/);
  });

  it('a message cannot change the camera, operation or output set in the dialog', async () => {
    const nodes = await loadFlow(sim, 'webtapi-cam-snapshot', { camera: '44', operation: 'picture', output: 'buffer' });
    const r = await outcome(nodes, { payload: { camera: '45', operation: 'record', output: 'dataurl' }, camera: '46' });
    assert.ok(Buffer.isBuffer(r.out?.payload));
    assert.equal(r.out?.webtapi.params.CAMID, '44');
    assert.equal(sim.stats.byAction.vmx_cam_s_record ?? 0, 0);
  });

  it('outputs a data URL on request, and runs save, record and list (fields left empty in the dialog)', async () => {
    const nodes = await loadFlow(sim, 'webtapi-cam-snapshot', { camera: '', operation: '', output: 'dataurl' });
    let r = await outcome(nodes, { payload: 45 });
    assert.match(r.out?.payload, /^data:image\/jpeg;base64,\/9j\//);
    assert.equal(r.out?.webtapi.params.CAMID, '45');
    r = await outcome(nodes, { operation: 'save', camera: '44' });
    assert.equal(r.out?.payload, true);
    r = await outcome(nodes, { operation: 'record', camera: '44' });
    assert.equal(r.out?.payload, true);
    r = await outcome(nodes, { operation: 'list' });
    assert.deepEqual(r.out?.payload[0], { id: '44', name: 'Entrance', raw: '44;Entrance' });
    r = await outcome(nodes, { payload: '99' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_ACTION_FAILED');
  });
});

describe('webtapi-request', () => {
  let sim: Simulator;
  useNodeSimulator((s) => { sim = s; });

  it('runs the node\'s action with its params: a parameter given in the dialog is fixed, the others come from msg.payload', async () => {
    const nodes = await loadFlow(sim, 'webtapi-request', { action: 'call_status_get', params: '{"filter":"1001,1002"}' });
    let r = await outcome(nodes, {});
    assert.deepEqual(Object.keys(r.out?.payload).sort(), ['1001', '1002']);
    r = await outcome(nodes, { payload: { filter: '1003', note: 'x' } });
    assert.deepEqual(Object.keys(r.out?.payload).sort(), ['1001', '1002']);
    assert.deepEqual(r.out?.webtapi.params, { note: 'x', filter: '1001,1002' });
    await helper.unload();
    const open = await loadFlow(sim, 'webtapi-request', { action: 'call_status_get', params: '{}' });
    r = await outcome(open, { payload: { filter: '1003' } });
    assert.deepEqual(Object.keys(r.out?.payload), ['1003']);
  });

  it('a message cannot make a request with an action set in the dialog send another action', async () => {
    const nodes = await loadFlow(sim, 'webtapi-request', { action: 'relay_status_get', params: '{"relay_id":"17"}' });
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
    assert.equal(sim.stats.byAction.relay_status_set ?? 0, 0);
    assert.equal(sim.state.relays.get('18')!.status, 0);
    assert.deepEqual(sim.requests.filter((q) => q.action === 'relay_status_get').map((q) => q.params.relay_id), ['17', '17', '17']);
  });

  it('takes the action from msg.payload.action, msg.action or a scalar payload when the dialog leaves it empty', async () => {
    const nodes = await loadFlow(sim, 'webtapi-request', { action: '' });
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
    const nodes = await loadFlow(sim, 'webtapi-request', { action: '', params: '{}' });
    await outcome(nodes, { action: 'call', payload: { src: '1001', dst: '1002' } });
    const chan = [...sim.state.channels.keys()][0];
    let r = await outcome(nodes, { action: 'chan_play_dtmf', payload: { chan, tone: '1234' } });
    assert.equal(r.out?.payload, true);
    assert.equal(sim.state.channels.get(chan)!.dtmf, '1234');
    r = await outcome(nodes, { action: 'call_record_start', payload: { chan } });
    assert.equal(typeof r.out?.payload, 'string');
  });

  it('refuses params that are not a JSON object', async () => {
    const nodes = await loadFlow(sim, 'webtapi-request', { action: 'q_list', params: '[1,2' });
    const r = await outcome(nodes, {});
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
  });
});
