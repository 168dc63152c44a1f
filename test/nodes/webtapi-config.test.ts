import assert from 'node:assert/strict';
import type { Simulator } from '../../dist/simulator';
import {
  ALL,
  CREDS,
  PASSWORD,
  config,
  helper,
  assertNoMorePolls,
  next,
  pollClock,
  statusMatching,
  until,
  received,
  useNodeSimulator,
} from './harness';

describe('webtapi-config', () => {
  const env = useNodeSimulator();

  const twoCalls = (s: Simulator) => [
    config(s),
    { id: 'a', type: 'webtapi-call', server: 'cfg', src: '1001', dst: '1002', wires: [['out']] },
    { id: 'b', type: 'webtapi-relay-set', server: 'cfg', relay: '17', wires: [['out']] },
    { id: 'out', type: 'helper' },
  ];

  it('shares one session among every node that uses it', async () => {
    await helper.load(ALL, twoCalls(env.sim), CREDS);
    const out = helper.getNode('out')!;
    const got = received(out);
    for (let i = 0; i < 10; i++) {
      helper.getNode('a')!.receive({ payload: { mode: 'prio', dst: `100${(i % 8) + 2}` } });
      helper.getNode('b')!.receive({ payload: i % 2 });
    }
    await until(() => got.length === 20);
    assert.equal(env.sim.stats.logins, 1);
  });

  it('shows the connection state on its nodes (login failed, retrying)', async () => {
    await helper.load(ALL, twoCalls(env.sim), { cfg: { username: '1004', password: 'wrong' } });
    const a = helper.getNode('a')!;
    const failed = statusMatching(a, (s) => (s.fill === 'red' && /login failed|retrying/i.test(s.text ?? '')) || s.text === 'login failed');
    a.receive({});
    await failed;
    assert.equal(env.sim.stats.loginFailures, 1);
  });

  it('tests a connection from the editor, with typed or stored credentials', async () => {
    await helper.load(ALL, twoCalls(env.sim), CREDS);
    let res = await helper
      .request()
      .post('/metasec-webtapi/test-connection')
      .send({ url: env.sim.url, username: '1004', password: PASSWORD });
    assert.deepEqual(res.body, { ok: true });
    res = await helper.request().post('/metasec-webtapi/test-connection').send({ url: env.sim.url, username: '1004', password: 'nope' });
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'WEBTAPI_LOGIN_FAILED');
    res = await helper
      .request()
      .post('/metasec-webtapi/test-connection')
      .send({ id: 'cfg', url: env.sim.url, username: '1004', password: '__PWRD__' });
    assert.deepEqual(res.body, { ok: true });
    // The stored password never goes to another host.
    res = await helper
      .request()
      .post('/metasec-webtapi/test-connection')
      .send({ id: 'cfg', url: 'http://127.0.0.1:9/x', username: '1004', password: '__PWRD__' });
    assert.equal(res.body.code, 'WEBTAPI_INVALID_INPUT');
    res = await helper
      .request()
      .post('/metasec-webtapi/test-connection')
      .send({ url: 'http://127.0.0.1:9/webtapi.php', username: '1004', password: 'x' });
    assert.equal(res.body.code, 'WEBTAPI_UNREACHABLE');
    res = await helper
      .request()
      .post('/metasec-webtapi/test-connection')
      .send({ url: 'file:///etc/passwd', username: '1004', password: 'x' });
    assert.equal(res.body.code, 'WEBTAPI_INVALID_INPUT');
    assert.ok(!JSON.stringify(res.body).includes(PASSWORD));
  });

  it('fills pick lists and camera previews from the PBX', async () => {
    await helper.load(ALL, twoCalls(env.sim), CREDS);
    let res = await helper.request().get('/metasec-webtapi/cfg/options/relays');
    assert.deepEqual(res.body.items[0], { value: '17', label: '17 (Door)' });
    res = await helper.request().get('/metasec-webtapi/cfg/options/queues');
    assert.ok(res.body.items.some((i: { value: string }) => i.value === 'VMX'));
    res = await helper.request().get('/metasec-webtapi/cfg/options/cameras');
    assert.equal(res.body.items[0].value, '44');
    res = await helper.request().get('/metasec-webtapi/cfg/options/extensions');
    assert.ok(res.body.items.some((i: { value: string }) => i.value === '1001'));
    res = await helper.request().get('/metasec-webtapi/cfg/options/passwords');
    assert.equal(res.status, 400);
    res = await helper.request().get('/metasec-webtapi/nope/options/relays');
    assert.equal(res.status, 404);
    res = await helper
      .request()
      .get('/metasec-webtapi/cfg/cameras/44/snapshot')
      .buffer(true)
      .parse((r: any, cb: any) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    assert.match(res.headers['content-type'], /^image\/jpeg/);
    assert.equal(res.body[0], 0xff);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['content-security-policy'], 'sandbox');
    res = await helper.request().get('/metasec-webtapi/cfg/cameras/..%2F..%2Fetc/snapshot');
    assert.ok(res.status === 400 || res.status === 404);
  });

  it('the camera preview serves only JPEG, PNG, GIF and WebP: an SVG with a script from the camera is refused', async () => {
    await helper.load(ALL, twoCalls(env.sim), CREDS);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/flows")</script></svg>';
    for (const contentType of ['image/svg+xml', 'application/xml', 'image/jpeg-but-not; x=1', 'application/octet-stream; x=image/png']) {
      env.sim.injectFault({ kind: 'garbage', action: 'vmx_cam_get_pic', body: svg, contentType });
      const res = await helper.request().get('/metasec-webtapi/cfg/cameras/44/snapshot');
      assert.equal(res.status, 502, contentType);
      assert.equal(res.body.code, 'WEBTAPI_BAD_RESPONSE', contentType);
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.ok(!JSON.stringify(res.body).includes('<script'), contentType);
    }
    // A PNG with its type and a parameter: served, as the bare type.
    env.sim.injectFault({ kind: 'garbage', action: 'vmx_cam_get_pic', body: '\x89PNG\r\n', contentType: 'image/png; name=cam.png' });
    const png = await helper.request().get('/metasec-webtapi/cfg/cameras/44/snapshot');
    assert.equal(png.status, 200);
    assert.equal(png.headers['content-type'].split(';')[0], 'image/png');
  });

  it('survives a redeploy that removes a node, with no leftover polling', async () => {
    const flow = [
      config(env.sim),
      { id: 'w', type: 'webtapi-status-watch', server: 'cfg', extensions: '1001', interval: 250, emitInitial: true, wires: [['out']] },
      { id: 'a', type: 'webtapi-call', server: 'cfg', src: '1001', dst: '1002', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    const clock = pollClock();
    try {
      await helper.load(ALL, flow, CREDS);
      await until(() => env.sim.stats.byAction.call_status_get >= 1);
      await helper.setFlows([flow[0], flow[2], flow[3]], 'full', CREDS);
      const a = helper.getNode('a')!;
      const done = next(helper.getNode('out')!);
      a.receive({});
      const m = await done;
      assert.equal(m.payload, true);
      // Twice ten intervals.
      await assertNoMorePolls(clock, 2500, () => env.sim.stats.byAction.call_status_get);
    } finally {
      clock.restore();
    }
  });

  it('keeps its client open while closing until the last user has deregistered (register/deregister(node, done))', async () => {
    await helper.load(ALL, [config(env.sim)], CREDS);
    const cfg = helper.getNode('cfg') as unknown as {
      client: { calls: { listAll(): Promise<unknown> } };
      register(user: object, view: { connection(): void }): void;
      deregister(user: object, done?: () => void): void;
      close(removed: boolean): Promise<void>;
    };
    const user = {};
    cfg.register(user, { connection: () => undefined });
    let closed = false;
    const closing = cfg.close(false).then(() => {
      closed = true;
    });
    // The user still finishes its close work with the client...
    assert.ok(Array.isArray(await cfg.client.calls.listAll()));
    assert.equal(closed, false);
    let deregistered = false;
    cfg.deregister(user, () => {
      deregistered = true;
    });
    assert.equal(deregistered, true, 'done is called at once');
    // ...and only then the config node closes it.
    await closing;
    await assert.rejects(cfg.client.calls.listAll(), (e: { code?: string }) => e.code === 'WEBTAPI_CLOSED');
  });

  it('a server URL that cannot be used: status "invalid server URL", every message WEBTAPI_INVALID_INPUT, nothing sent', async () => {
    await helper.load(
      ALL,
      [
        config(env.sim, { url: 'ftp://127.0.0.1/webtapi.php' }),
        { id: 'a', type: 'webtapi-call', server: 'cfg', src: '1001', dst: '1002', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      CREDS,
    );
    const a = helper.getNode('a')!;
    // The node took the config node's state when it registered, during the load: read from the
    // status spy the test helper puts on every node (shared by all nodes, told apart by `this`).
    const spy = (a as unknown as { status: { getCalls(): { thisValue: { id?: string }; args: any[] }[] } }).status;
    const shown = spy
      .getCalls()
      .filter((c) => c.thisValue?.id === 'a')
      .map((c) => c.args[0]?.text);
    assert.ok(shown.includes('invalid server URL'), JSON.stringify(shown));
    const failed = new Promise<{ code?: string }>((resolve) =>
      a.on('call:error', (call: { args: [unknown, unknown] }) => resolve(call.args[0] as { code?: string })),
    );
    a.receive({});
    const err = await failed;
    assert.equal(err.code, 'WEBTAPI_INVALID_INPUT');
    assert.equal(env.sim.stats.requests, 0);
  });
});
