import assert from 'node:assert/strict';
import { BinaryAnswer, ConciseChannel, ListItem, WebTapiClient, WebTapiError } from '../../dist/client';
import type { Simulator } from '../../dist/simulator';
import { code, useSimulatorClient } from './kit';

const PASSWORD = 'secret';

/** The simulator answers concise channel lines only: every item is one. */
function concise(items: ListItem[]): ConciseChannel[] {
  return items.map((c) => {
    assert.equal(c.shape, 'concise', c.raw);
    return c as ConciseChannel;
  });
}

describe('WebTapiClient against the simulator', () => {
  let sim: Simulator;
  let client: WebTapiClient;
  useSimulatorClient(
    (s) => new WebTapiClient({ url: s.url, username: '1004', password: PASSWORD, freshSessionMs: 0 }),
    (s, c) => {
      sim = s;
      client = c;
    },
  );

  /** A channel of a call this test placed (the simulator starts with queued trunk calls too). */
  async function firstCall(): Promise<string> {
    const c = concise(await client.calls.listAll()).find((ch) => ch.application !== 'Queue');
    assert.ok(c, 'no call in progress');
    return c.channel;
  }

  it('logs in by POST with the password in the body, never in a URL', async () => {
    await client.calls.listAll();
    assert.equal(sim.stats.logins, 1);
    const login = sim.requests.find((r) => r.action === 'login');
    assert.ok(login);
    assert.equal(login.method, 'POST');
    for (const r of sim.requests) assert.ok(!JSON.stringify(r).includes(PASSWORD));
  });

  it('shares one login among many concurrent first requests', async () => {
    await Promise.all(Array.from({ length: 50 }, () => client.calls.statusGet()));
    assert.equal(sim.stats.logins, 1);
    assert.equal(client.loginCount, 1);
  });

  it('places, lists, picks up and hangs up calls', async () => {
    assert.equal(await client.calls.call('1001', '1002'), true);
    const all = concise(await client.calls.listAll()).filter((c) => c.application !== 'Queue');
    assert.equal(all.length, 2);
    const caller = all.find((c) => c.extension === '1001');
    assert.ok(caller);
    const states = await client.calls.statusGet(['1001', '1002', '1003']);
    assert.equal(states['1001'].state, 'inuse');
    assert.equal(states['1002'].state, 'ringing');
    assert.equal(states['1003'].state, 'idle');
    const callee = all.find((c) => c.extension === '1002');
    assert.ok(callee);
    assert.equal(await client.calls.pick(callee.channel, '1005'), true);
    assert.ok((await client.calls.listAll()).some((c) => c.extension === '1005'));
    for (const c of concise(await client.calls.listAll()))
      if (c.application !== 'Queue') await client.calls.hangup(c.channel).catch(() => undefined);
    assert.deepEqual(
      concise(await client.calls.listAll()).filter((c) => c.application !== 'Queue'),
      [],
    );
    assert.equal(sim.stats.executed.call, 1);
  });

  it('runs priority calls, conferences, own call lists and the status of all extensions', async () => {
    await client.calls.call('1002', '1003');
    assert.equal(await client.calls.prio('1003'), true);
    assert.ok((await client.calls.listAll()).some((c) => c.extension === '1003'));
    await assert.rejects(client.calls.createConference(['1003', '1006']), code('WEBTAPI_ACTION_FAILED'));
    assert.equal(await client.calls.createConference('1003,1006', true), true);
    await client.calls.call('1004', '1007');
    const mine = await client.calls.list();
    assert.ok(mine.length >= 1 && mine.every((c) => c.extension === '1004'));
    const all = await client.calls.statusGet();
    assert.ok(Object.keys(all).length >= 10);
    const unknown = await client.calls.statusGet('9999');
    assert.equal(unknown['9999'].state, 'not_found');
  });

  it('records a call and downloads the recording byte for byte', async () => {
    await client.calls.call('1001', '1002');
    const chan = await firstCall();
    const named = await client.calls.recordStart(chan, 'lukas_223344');
    assert.match(named, /^lukas_223344/);
    assert.equal(await client.calls.recordStop(chan), true);
    const generated = await client.calls.recordStart(chan);
    assert.ok(generated.length > 4);
    await client.calls.recordStop(chan);
    const files = await client.calls.recordList();
    assert.ok(files.some((f) => f.file === named) && files.some((f) => f.file === generated));
    assert.ok(files.every((f) => f.raw === f.file));
    const wav: BinaryAnswer = await client.calls.recordGet(named);
    assert.equal(wav.data.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(wav.data.subarray(8, 12).toString('latin1'), 'WAVE');
    const again = await client.calls.recordGet(named);
    assert.ok(wav.data.equals(again.data));
    await assert.rejects(client.calls.recordGet('nothing_here.wav'), code('WEBTAPI_ACTION_FAILED'));
  });

  it('runs the queue actions', async () => {
    const queues = await client.queues.list();
    assert.deepEqual(queues[0], { shape: 'fields', name: 'VMX', raw: 'VMX' });
    assert.equal(await client.queues.agentLogin('VMX', '1002'), true);
    assert.ok((await client.queues.agents('VMX')).some((a) => a.shape !== 'concise' && a.agent === '1002'));
    assert.equal(await client.queues.agentLogout('VMX', '1002'), true);
    assert.ok(!(await client.queues.agents('VMX')).some((a) => a.shape !== 'concise' && a.agent === '1002'));
    assert.equal(await client.queues.agentLogin('SUPPORT'), true);
    assert.ok((await client.queues.agents('SUPPORT')).some((a) => a.shape !== 'concise' && a.agent === '1004'));
    const waiting = concise(await client.queues.waiting('VMX'));
    assert.ok(waiting.length >= 2);
    const last = waiting[waiting.length - 1];
    assert.equal(await client.queues.shiftCaller('VMX', last.channel, 1), true);
    assert.equal((await client.queues.waiting('VMX'))[0].channel, last.channel);
    assert.equal(await client.queues.removeCaller('VMX', last.channel), true);
    assert.equal((await client.queues.waiting('VMX')).length, waiting.length - 1);
    assert.ok(Array.isArray(await client.queues.calls('VMX')));
    await assert.rejects(client.queues.agents('NOPE'), code('WEBTAPI_ACTION_FAILED'));
  });

  it('runs the camera actions: pictures are real JPEGs, byte-exact', async () => {
    const cams = await client.cameras.list();
    assert.deepEqual(cams[0], { id: '44', name: 'Entrance', raw: '44;Entrance' });
    const pic = await client.cameras.picture('44');
    assert.match(pic.contentType, /^image\/jpeg/);
    assert.equal(pic.data[0], 0xff);
    assert.equal(pic.data[1], 0xd8);
    assert.equal(pic.data[pic.data.length - 2], 0xff);
    assert.equal(pic.data[pic.data.length - 1], 0xd9);
    const stream = await client.cameras.stream('44', { streamMs: 350 });
    assert.match(stream.contentType, /multipart\/x-mixed-replace/);
    assert.ok(stream.data.length > 100);
    assert.ok(await client.cameras.startRecording('44'));
    assert.ok(await client.cameras.savePicture('45'));
    await assert.rejects(client.cameras.picture('99'), code('WEBTAPI_ACTION_FAILED'));
  });

  it('plays DTMF and spies on channels', async () => {
    await client.calls.call('1001', '1002');
    const chan = await firstCall();
    assert.equal(await client.channels.playDtmf(chan, '12*#A'), true);
    assert.equal(await client.channels.monitor(chan, '1003'), true);
    await assert.rejects(client.channels.playDtmf(chan, '12x'), code('WEBTAPI_INVALID_INPUT'));
  });

  it('lists, reads and switches relays; a relay at 0 is "off", not an error', async () => {
    const relays = await client.relays.list();
    assert.deepEqual(relays[0], { id: '17', name: 'Door', status: 0, raw: '17;Door;0' });
    assert.equal(await client.relays.status('17'), 0);
    assert.equal(await client.relays.set('17', 1), true);
    assert.equal(await client.relays.status('17'), 1);
    assert.equal(sim.stats.executed.relay_status_set, 1);
    await assert.rejects(client.relays.set('17', 256), code('WEBTAPI_INVALID_INPUT'));
  });

  it('reaches every one of the 30 documented actions through request()', async () => {
    const { ACTION_NAMES } = await import('../../dist/client');
    assert.equal(ACTION_NAMES.length, 30);
    await client.calls.call('1001', '1002');
    const chan = await firstCall();
    const file = await client.calls.recordStart(chan, 'req_test');
    await client.calls.recordStop(chan);
    const waiting = (await client.queues.waiting('VMX'))[0].channel;
    const params: Record<string, Record<string, unknown>> = {
      call: { src: '1003', dst: '1005' },
      call_pick: { chan, dst: '1006' },
      call_prio: { dst: '1007' },
      call_list: {},
      call_list_all: {},
      call_record_start: { chan: 'later' },
      call_record_stop: { chan: 'later' },
      call_record_list: {},
      call_record_get: { monitor_file: file },
      call_status_get: { filter: '1001,1002' },
      call_create_conf: { stations: '1008,1009', break: true },
      q_list: {},
      agent_list: { q_name: 'VMX' },
      agent_login: { q_name: 'VMX', src: '1010' },
      agent_logout: { q_name: 'VMX', src: '1010' },
      q_call_list: { q_name: 'VMX' },
      q_waiting_list: { q_name: 'VMX' },
      q_shift_caller: { q_name: 'VMX', chan: waiting, position: 2 },
      q_caller_del: { q_name: 'VMX', chan: waiting },
      vmx_cam_list: {},
      vmx_cam_get_pic: { CAMID: '44' },
      vmx_cam_get_stream: { CAMID: '45' },
      vmx_cam_s_record: { CAMID: '44' },
      vmx_cam_p_save: { CAMID: '44' },
      chan_play_dtmf: { chan: 'later', tone: '123#' },
      chan_monitor: { chan: 'later', dst: '1010' },
      relay_list: {},
      relay_status_get: { relay_id: '19' },
      relay_status_set: { relay_id: '19', status: 1 },
      call_hangup: { chan: 'later' },
    };
    for (const action of ACTION_NAMES) {
      const p = { ...params[action] };
      assert.ok(params[action], `no test parameters for ${action}`);
      if (p.chan === 'later') p.chan = await firstCall();
      const result = await client.request(action, p, { streamMs: 250 });
      assert.notEqual(result, undefined, action);
      assert.ok((sim.stats.byAction[action] ?? 0) >= 1, `${action} never reached the simulator`);
    }
    await assert.rejects(client.request('nope!'), code('WEBTAPI_INVALID_INPUT'));
  });

  it('refuses bad values before sending anything', async () => {
    await client.calls.listAll();
    const requestsBefore = sim.stats.requests;
    await assert.rejects(client.calls.call('1001', '1001&action=call_prio'), code('WEBTAPI_INVALID_INPUT'));
    await assert.rejects(client.calls.recordGet('../../etc/passwd'), code('WEBTAPI_INVALID_INPUT'));
    await assert.rejects(client.calls.recordGet('a/b.wav'), code('WEBTAPI_INVALID_INPUT'));
    await assert.rejects(client.calls.hangup('SIP/1004-1\nX'), code('WEBTAPI_INVALID_INPUT'));
    await assert.rejects(client.calls.call('1001', ''), code('WEBTAPI_INVALID_INPUT'));
    await assert.rejects(client.request('call', { src: '1001', dst: '1002', SID: 'x' }), code('WEBTAPI_INVALID_INPUT'));
    await assert.rejects(client.request('call', { src: '1001', dst: '1002', extra: 'a\u0000b' }), code('WEBTAPI_INVALID_INPUT'));
    await assert.rejects(client.request('call', { src: { a: 1 }, dst: '1002' }), code('WEBTAPI_INVALID_INPUT'));
    assert.equal(sim.stats.requests, requestsBefore);
  });

  it('encodes pass-through parameters so they cannot add parameters', async () => {
    await client.request('call', { src: '1001', dst: '1002', note: 'a&action=call_prio&dst=1003=%' }).catch(() => undefined);
    const last = sim.requests.filter((r) => r.action === 'call').pop();
    assert.ok(last);
    assert.equal(last.params.note, 'a&action=call_prio&dst=1003=%');
    assert.equal(last.params.dst, '1002');
    assert.equal(sim.stats.byAction.call_prio ?? 0, 0);
  });

  it('logs in again once when the session expired, and resends', async () => {
    await client.calls.listAll();
    sim.expireSessions();
    assert.equal(await client.relays.set('17', 1), true);
    assert.equal(sim.stats.logins, 2);
    assert.equal(sim.stats.executed.relay_status_set, 1);
  });

  it('shares one re-login when the session expires under many requests in flight', async () => {
    await client.calls.listAll();
    sim.expireSessions();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.relays.set(['17', '18', '19'][i % 3], i % 2)));
    assert.ok(results.every((r) => r === true));
    assert.equal(sim.stats.logins, 2);
    assert.equal(sim.stats.executed.relay_status_set, 20);
  });

  it('does not log in again when an action fails with a valid session', async () => {
    await client.calls.listAll();
    await assert.rejects(client.calls.hangup('SIP/1009-deadbeef'), code('WEBTAPI_ACTION_FAILED'));
    assert.equal(sim.stats.logins, 1);
  });

  it('backs off after a rejected login and fails meanwhile without asking the PBX', async () => {
    const bad = new WebTapiClient({ url: sim.url, username: '1004', password: 'wrong', loginBackoffMs: 60_000 });
    try {
      await assert.rejects(bad.calls.listAll(), code('WEBTAPI_LOGIN_FAILED'));
      await assert.rejects(
        bad.calls.listAll(),
        (e: WebTapiError & { retryInMs?: number }) => e.code === 'WEBTAPI_LOGIN_FAILED' && (e.retryInMs ?? 0) > 0,
      );
      await assert.rejects(bad.calls.listAll(), code('WEBTAPI_LOGIN_FAILED'));
      assert.equal(sim.stats.loginFailures, 1);
      assert.equal(bad.state.state, 'login-failed');
    } finally {
      await bad.close();
    }
  });

  it('reports a login answer that is not a session id as not a WebTAPI endpoint', async () => {
    sim.injectFault({ kind: 'garbage', action: 'login', body: '<html><body>Welcome to nginx</body></html>' });
    await assert.rejects(client.calls.listAll(), code('WEBTAPI_NOT_WEBTAPI'));
    assert.deepEqual(client.state, { state: 'bad-answer', code: 'WEBTAPI_NOT_WEBTAPI' });
  });

  it('names the state after a login answered with HTTP 500 or an oversize answer "bad-answer", not "unreachable"', async () => {
    sim.injectFault({ kind: 'http500', action: 'login' });
    await assert.rejects(client.calls.listAll(), code('WEBTAPI_HTTP_STATUS'));
    assert.deepEqual(client.state, { state: 'bad-answer', code: 'WEBTAPI_HTTP_STATUS' });
    const capped = new WebTapiClient({ url: sim.url, username: '1004', password: PASSWORD, maxTextBytes: 1024 });
    try {
      sim.injectFault({ kind: 'oversize', action: 'login', bytes: 64 * 1024 });
      await assert.rejects(capped.calls.listAll(), code('WEBTAPI_RESPONSE_TOO_LARGE'));
      assert.deepEqual(capped.state, { state: 'bad-answer', code: 'WEBTAPI_RESPONSE_TOO_LARGE' });
    } finally {
      await capped.close();
    }
    assert.ok(Array.isArray(await client.calls.listAll()));
    assert.equal(client.state.state, 'connected');
  });

  it('a URL that cannot be used: state "misconfigured", every request WEBTAPI_INVALID_INPUT naming the URL, nothing sent', async () => {
    for (const url of ['ftp://127.0.0.1/x', 'not a url', 'http://']) {
      const unusable = new WebTapiClient({ url, username: '1004', password: PASSWORD });
      try {
        assert.equal(unusable.state.state, 'misconfigured', url);
        const from = sim.stats.requests;
        await assert.rejects(
          unusable.connect(),
          (e: WebTapiError & { param?: string }) => e.code === 'WEBTAPI_INVALID_INPUT' && e.param === 'url',
        );
        await assert.rejects(
          unusable.calls.call('1001', '1002'),
          (e: WebTapiError & { param?: string }) => e.code === 'WEBTAPI_INVALID_INPUT' && e.param === 'url',
        );
        assert.equal(unusable.state.state, 'misconfigured');
        assert.equal(sim.stats.requests, from);
      } finally {
        await unusable.close();
      }
    }
  });

  it('brings a timeout below the limit up to the minimum (100 ms)', async () => {
    const quick = new WebTapiClient({ url: sim.url, username: '1004', password: PASSWORD, timeoutMs: 1 });
    try {
      await quick.connect();
      sim.injectFault({ kind: 'hang', action: 'call_list_all', times: 2 });
      await assert.rejects(
        quick.calls.listAll(),
        (e: WebTapiError & { timeoutMs?: number }) => e.code === 'WEBTAPI_TIMEOUT' && e.timeoutMs === 100,
      );
    } finally {
      await quick.close();
    }
  });

  it('never resends a side effect after the connection broke mid-request', async () => {
    await client.calls.listAll();
    sim.injectFault({ kind: 'reset-after', action: 'call' });
    await assert.rejects(client.calls.call('1001', '1002'), code('WEBTAPI_OUTCOME_UNKNOWN'));
    assert.equal(sim.stats.executed.call, 1);
    assert.equal(sim.stats.byAction.call, 1);
  });

  it('resends a read once after a lost connection', async () => {
    await client.calls.listAll();
    const expected = (await client.calls.listAll()).length;
    sim.injectFault({ kind: 'reset-before', action: 'call_list_all' });
    assert.equal((await client.calls.listAll()).length, expected);
    assert.equal(sim.stats.byAction.call_list_all, 4);
  });

  it('times out: a read with WEBTAPI_TIMEOUT, a side effect with WEBTAPI_OUTCOME_UNKNOWN', async () => {
    const quick = new WebTapiClient({ url: sim.url, username: '1004', password: PASSWORD, timeoutMs: 300 });
    try {
      await quick.calls.listAll();
      sim.injectFault({ kind: 'hang', action: 'call_list_all', times: 2 });
      await assert.rejects(quick.calls.listAll(), code('WEBTAPI_TIMEOUT'));
      sim.injectFault({ kind: 'hang', action: 'relay_status_set', execute: true });
      await assert.rejects(quick.relays.set('17', 1), code('WEBTAPI_OUTCOME_UNKNOWN'));
      assert.equal(sim.stats.executed.relay_status_set, 1);
      sim.injectFault({ kind: 'drip', action: 'call_status_get', dripMs: 50 });
      await assert.rejects(quick.calls.statusGet(), code('WEBTAPI_TIMEOUT'));
    } finally {
      await quick.close();
    }
  });

  it('refuses oversize answers at the cap', async () => {
    const capped = new WebTapiClient({ url: sim.url, username: '1004', password: PASSWORD, maxTextBytes: 64 * 1024 });
    try {
      sim.injectFault({ kind: 'oversize', action: 'call_list_all', bytes: 8 * 1024 * 1024 });
      await assert.rejects(capped.calls.listAll(), code('WEBTAPI_RESPONSE_TOO_LARGE'));
    } finally {
      await capped.close();
    }
  });

  it('reports HTTP errors and garbage answers', async () => {
    sim.injectFault({ kind: 'http500', action: 'call_list_all' });
    await assert.rejects(client.calls.listAll(), code('WEBTAPI_HTTP_STATUS'));
    sim.injectFault({
      kind: 'garbage',
      action: 'call',
      body: '<br />\n<b>Warning</b>: something in /var/www/webtapi.php on line 12<br />\n1',
    });
    await assert.rejects(client.calls.call('1001', '1002'), code('WEBTAPI_BAD_RESPONSE'));
  });

  it('reports an unreachable PBX, then recovers on the next request', async () => {
    await client.calls.listAll();
    await sim.pause();
    try {
      // A read finds out (its keep-alive socket is gone, it is retried on a new one, refused)...
      await assert.rejects(client.calls.listAll(), code('WEBTAPI_UNREACHABLE'));
      // ...and a side effect that cannot connect is known not to have run.
      await assert.rejects(client.calls.call('1001', '1002'), code('WEBTAPI_UNREACHABLE'));
      assert.equal(client.state.state, 'unreachable');
    } finally {
      await sim.resume();
    }
    assert.equal(await client.calls.call('1001', '1002'), true);
    assert.equal(client.state.state, 'connected');
    assert.equal(sim.stats.executed.call, 1);
  });

  it('aborts requests on close', async () => {
    await client.calls.listAll();
    sim.injectFault({ kind: 'hang', action: 'call_list_all', times: 2 });
    const pending = client.calls.listAll();
    setImmediate(() => {
      void client.close();
    });
    await assert.rejects(pending, code('WEBTAPI_CLOSED'));
    await assert.rejects(client.calls.listAll(), code('WEBTAPI_CLOSED'));
  });

  it('one caller signal stops every request in flight with it, the read as aborted, the side effect as of unknown outcome', async () => {
    await client.calls.listAll();
    const closing = new AbortController();
    // A request that ends before the abort no longer listens to the signal.
    assert.equal(await client.calls.call('1001', '1003', { signal: closing.signal }), true);
    sim.injectFault({ kind: 'hang', action: 'call_list_all', times: 1 });
    sim.injectFault({ kind: 'hang', action: 'call', times: 1 });
    const read = client.calls.listAll({ signal: closing.signal });
    const call = client.calls.call('1001', '1002', { signal: closing.signal });
    const seen = sim.requests.length;
    while (sim.requests.length < seen + 2) await new Promise((r) => setTimeout(r, 5));
    closing.abort();
    await assert.rejects(read, code('WEBTAPI_ABORTED'));
    await assert.rejects(call, code('WEBTAPI_OUTCOME_UNKNOWN'));
    await assert.rejects(client.calls.listAll({ signal: closing.signal }), code('WEBTAPI_ABORTED'));
    // Another caller's requests are not touched.
    assert.ok(Array.isArray(await client.calls.listAll({ signal: new AbortController().signal })));
  });

  it('keeps the password and session ids out of every error', async () => {
    const errors: WebTapiError[] = [];
    await client.calls.listAll();
    const sids = [...sim.sessions];
    for (const fault of ['http500', 'garbage', 'reset-after', 'zero'] as const) {
      sim.injectFault({ kind: fault, action: 'call' });
      await client.calls.call('1001', '1002').catch((e: WebTapiError) => errors.push(e));
    }
    await client.calls.call('1001', 'x&y').catch((e: WebTapiError) => errors.push(e));
    assert.ok(errors.length >= 5);
    for (const e of errors) {
      const all = `${e.message} ${e.stack} ${JSON.stringify(e)} ${require('node:util').inspect(e)}`;
      assert.ok(!all.includes(PASSWORD), all);
      for (const sid of sids) assert.ok(!all.includes(sid), all);
    }
    assert.ok(!require('node:util').inspect(client, { depth: 6 }).includes(PASSWORD));
  });
});
