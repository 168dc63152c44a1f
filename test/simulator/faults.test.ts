import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { Simulator } from '../../dist/simulator';
import { act, actionUrl, errorCode, loginRequest, request, useSimulator } from './helpers';

const CALL = { src: '1004', dst: '1001' };

/** Open a request and hand over the live response, to read a body that may never end. */
function open(url: string): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => resolve({ res, req }));
    req.on('error', reject);
  });
}

describe('simulator: fault injection', () => {
  let sim: Simulator;
  let sid: string;
  const logged: string[] = [];

  useSimulator(
    (s, id) => {
      sim = s;
      sid = id;
      logged.length = 0;
    },
    { log: (l) => logged.push(l) },
  );

  const calls = (): number => sim.state.channelsOf('1004').length;

  it('reset-before: the connection is reset and nothing runs', async () => {
    sim.injectFault({ kind: 'reset-before', action: 'call' });
    assert.equal(await errorCode(request(actionUrl(sim, sid, 'call', CALL))), 'ECONNRESET');
    assert.equal(sim.stats.executed.call, undefined);
    assert.equal(sim.stats.byAction.call, 1);
    assert.equal(calls(), 0);
    assert.equal(await act(sim, sid, 'call', CALL), '1', 'one request only');
  });

  it('reset-after: the action runs, then the connection is reset', async () => {
    sim.injectFault({ kind: 'reset-after', action: 'call' });
    assert.equal(await errorCode(request(actionUrl(sim, sid, 'call', CALL))), 'ECONNRESET');
    assert.equal(sim.stats.executed.call, 1);
    assert.equal(calls(), 1);
  });

  it('hang: no answer ever (execute: false by default, true runs the action)', async () => {
    sim.injectFault({ kind: 'hang', action: 'call' });
    assert.equal(await errorCode(request(actionUrl(sim, sid, 'call', CALL), { timeoutMs: 150 })), 'TIMEOUT');
    assert.equal(sim.stats.executed.call, undefined);
    sim.injectFault({ kind: 'hang', action: 'call', execute: true });
    assert.equal(await errorCode(request(actionUrl(sim, sid, 'call', CALL), { timeoutMs: 150 })), 'TIMEOUT');
    assert.equal(sim.stats.executed.call, 1);
  });

  it('http500: an HTML error page with status 500', async () => {
    sim.injectFault({ kind: 'http500' });
    const r = await request(actionUrl(sim, sid, 'call', CALL));
    assert.equal(r.status, 500);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.match(r.text, /Internal Server Error/);
    assert.equal(sim.stats.executed.call, undefined);
    sim.injectFault({ kind: 'http500', execute: true });
    assert.equal((await request(actionUrl(sim, sid, 'call', CALL))).status, 500);
    assert.equal(sim.stats.executed.call, 1);
  });

  it('garbage: a 200 with a PHP warning, or the given body', async () => {
    sim.injectFault({ kind: 'garbage' });
    const r = await request(actionUrl(sim, sid, 'call_list'));
    assert.equal(r.status, 200);
    assert.match(r.text, /<b>Warning<\/b>/);
    sim.injectFault({ kind: 'garbage', body: 'SIP/1!2', action: 'relay_status_set', execute: true });
    assert.equal(await act(sim, sid, 'relay_status_set', { relay_id: '17', status: '1' }), 'SIP/1!2');
    assert.equal(sim.state.relays.get('17')!.status, 1);
  });

  it('zero: answers 0 without running the action', async () => {
    sim.injectFault({ kind: 'zero', action: 'call', times: 2 });
    assert.equal(await act(sim, sid, 'call', CALL), '0');
    assert.equal(await act(sim, sid, 'call', CALL), '0');
    assert.equal(sim.stats.executed.call, undefined);
    assert.equal(await act(sim, sid, 'call', CALL), '1', 'times: 2 is used up');
  });

  it('forMs: every matching request fails for that long, then none (an outage)', async () => {
    const start = Date.now();
    sim.injectFault({ kind: 'zero', action: 'call', forMs: 1000 });
    for (let i = 0; i < 3; i++) assert.equal(await act(sim, sid, 'call', CALL), '0');
    assert.equal(await act(sim, sid, 'q_list'), 'VMX\nSUPPORT', 'other actions are not hit');
    assert.ok(Date.now() - start < 1000, 'the machine is too slow for this test');
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() - start) + 5));
    assert.equal(await act(sim, sid, 'call', CALL), '1', 'the outage is over');
    assert.equal(sim.stats.executed.call, 1);
    assert.throws(() => sim.injectFault({ kind: 'zero', forMs: -1 }), RangeError);
  });

  it('faults only hit their action; login is an action too', async () => {
    sim.injectFault({ kind: 'zero', action: 'login' });
    assert.equal(await act(sim, sid, 'q_list'), 'VMX\nSUPPORT');
    assert.equal((await loginRequest(sim.url, '1004', 'secret')).text, '0');
    assert.equal(sim.stats.byAction.login, 2);
    assert.match((await loginRequest(sim.url, '1004', 'secret')).text, /^[0-9a-f]{32}$/);
  });

  it('oversize: streams the given number of bytes', async () => {
    sim.injectFault({ kind: 'oversize', bytes: 3 * 1024 * 1024 + 5 });
    const r = await request(actionUrl(sim, sid, 'call_list'));
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 3 * 1024 * 1024 + 5);
  });

  it('oversize: 64 MiB by default, streamed; stops when the client leaves', async () => {
    sim.injectFault({ kind: 'oversize' });
    const { res, req } = await open(actionUrl(sim, sid, 'call_list'));
    let got = 0;
    await new Promise<void>((resolve) => {
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= 2 * 1024 * 1024) {
          req.destroy();
          resolve();
        }
      });
    });
    assert.equal(res.headers['content-length'], undefined);
    assert.equal(await act(sim, sid, 'q_list'), 'VMX\nSUPPORT', 'the server carries on');
  });

  it('drip: one byte at a time, never ending', async () => {
    sim.injectFault({ kind: 'drip', dripMs: 10, action: 'call_list' });
    const { res, req } = await open(actionUrl(sim, sid, 'call_list'));
    const chunks: Buffer[] = [];
    let ended = false;
    res.on('end', () => (ended = true));
    await new Promise<void>((resolve) => {
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        if (chunks.length === 3) resolve();
      });
    });
    req.destroy();
    assert.ok(chunks.every((c) => c.length === 1));
    assert.equal(ended, false);
  });

  it('clearFaults drops queued faults; unknown kinds are refused', async () => {
    sim.injectFault({ kind: 'http500', times: 5 });
    sim.clearFaults();
    assert.equal(await act(sim, sid, 'q_list'), 'VMX\nSUPPORT');
    assert.throws(() => sim.injectFault({ kind: 'nope' } as never), TypeError);
  });

  it('logs each faulted request', async () => {
    sim.injectFault({ kind: 'zero', action: 'q_list' });
    await act(sim, sid, 'q_list');
    assert.match(logged.at(-1)!, /q_list -> fault zero/);
  });
});
