import assert from 'node:assert/strict';
import {
  ALL,
  CREDS,
  TestNode,
  caughtCode,
  config,
  helper,
  loadFlow,
  outcome,
  until,
  useNodeSimulator,
  useStreamSimulator,
} from './harness';

const node = (id: string) => helper.getNode(id)!;

describe('webtapi-cam-snapshot', () => {
  const env = useNodeSimulator();

  it('outputs the picture bytes, content type and a file name', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-cam-snapshot', { camera: '44' });
    const r = await outcome(nodes, {});
    assert.ok(r.out, JSON.stringify(r.error));
    assert.ok(Buffer.isBuffer(r.out.payload));
    assert.equal(r.out.payload[0], 0xff);
    assert.equal(r.out.payload[1], 0xd8);
    assert.match(r.out.contentType, /^image\/jpeg/);
    assert.match(r.out.filename, /^cam-44-\d{8}T\d{6}\.jpg$/);
  });

  it('a message cannot change the camera, operation or output set in the dialog', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-cam-snapshot', { camera: '44', operation: 'picture', output: 'buffer' });
    const r = await outcome(nodes, { payload: { camera: '45', operation: 'record', output: 'dataurl' }, camera: '46' });
    assert.ok(Buffer.isBuffer(r.out?.payload));
    assert.equal(r.out?.webtapi.params.CAMID, '44');
    assert.equal(env.sim.stats.byAction.vmx_cam_s_record ?? 0, 0);
  });

  it('outputs a data URL on request, and runs save, record and list (fields left empty in the dialog)', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-cam-snapshot', { camera: '', operation: '', output: 'dataurl' });
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

describe('webtapi-cam-snapshot history', function () {
  const env = useStreamSimulator(100);

  async function loadSnapshot(props: Record<string, unknown>): Promise<{ n1: TestNode; out: TestNode; caught: TestNode }> {
    await helper.load(
      ALL,
      [
        config(env.sim),
        { id: 'n1', type: 'webtapi-cam-snapshot', server: 'cfg', camera: '44', ...props, wires: [['out']] },
        { id: 'out', type: 'helper' },
        { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
      CREDS,
    );
    return { n1: node('n1'), out: node('out'), caught: node('caught') };
  }

  it('msg.at gets the frame from that moment (within one frame interval), msg.frameAt says when', async () => {
    const arrivals: Array<{ at: number; frame: Buffer }> = [];
    env.sim.stream.tap = (_camera, frame) => arrivals.push({ at: Date.now(), frame });
    const nodes = await loadSnapshot({ history: 5 });
    await until(() => arrivals.length >= 12, 5000);
    // the doorbell rang at the time of an early frame; the flow reaches the camera much later
    const ring = arrivals[3];
    await until(() => arrivals.length >= 20, 5000);
    const r = await outcome(nodes, { at: ring.at });
    assert.ok(r.out, JSON.stringify(r.error));
    assert.ok(Math.abs(r.out.frameAt - ring.at) <= 100, `frameAt ${r.out.frameAt - ring.at} ms off`);
    const nearest = arrivals.reduce((a, b) => (Math.abs(b.at - r.out!.frameAt) < Math.abs(a.at - r.out!.frameAt) ? b : a));
    assert.ok(r.out.payload.equals(nearest.frame), 'the buffered frame as sent');
    assert.equal(r.out.contentType, 'image/jpeg');
    assert.equal(r.out.webtapi.action, 'vmx_cam_get_stream');
    assert.equal(env.sim.stats.byAction.vmx_cam_get_pic, undefined, 'no fresh picture was taken');
    // an ISO time works the same
    const iso = await outcome(nodes, { at: new Date(ring.at).toISOString() });
    assert.ok(Math.abs(iso.out!.frameAt - ring.at) <= 100);
    assert.equal(env.sim.openStreams('44'), 1);
  });

  it('nothing buffered near msg.at: a fresh picture, and frameAt says it is from now', async () => {
    const nodes = await loadSnapshot({ history: 2 });
    await until(() => env.sim.openStreams('44') === 1);
    const before = Date.now();
    const r = await outcome(nodes, { at: before - 60_000 });
    assert.ok(r.out, JSON.stringify(r.error));
    assert.ok(r.out.frameAt >= before);
    assert.equal(r.out.webtapi.action, 'vmx_cam_get_pic');
    assert.equal(env.sim.stats.byAction.vmx_cam_get_pic, 1);
  });

  it('history off or no msg.at: a fresh picture as before, no stream opened', async () => {
    const nodes = await loadSnapshot({});
    const r = await outcome(nodes, { at: Date.now() });
    assert.equal(r.out?.webtapi.action, 'vmx_cam_get_pic');
    assert.equal(r.out?.frameAt, undefined);
    assert.equal(env.sim.stats.byAction.vmx_cam_get_stream, undefined);
    const bad = await loadSnapshotBadAt();
    assert.equal(caughtCode(bad.error), 'WEBTAPI_INVALID_INPUT');
  });

  async function loadSnapshotBadAt() {
    await helper.unload();
    const nodes = await loadSnapshot({ history: 5 });
    return outcome(nodes, { at: 'yesterday-ish' });
  }

  it('removing the snapshot node closes the stream within 1 s', async () => {
    await loadSnapshot({ history: 5 });
    await until(() => env.sim.openStreams('44') === 1);
    await helper.setFlows([config(env.sim)], 'full', CREDS);
    await until(() => env.sim.openStreams() === 0, 1000);
  });
});
