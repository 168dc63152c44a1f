import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as sinon from 'sinon';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { act, actionUrl, login, loginRequest, request } from './helpers';
import { TEST_CERT, TEST_KEY } from './tls-fixture';

describe('simulator: login and sessions', () => {
  let sim: Simulator;
  const logged: string[] = [];

  beforeEach(async () => {
    logged.length = 0;
    sim = await startSimulator({ log: (l) => logged.push(l) });
  });
  afterEach(async () => {
    sinon.restore();
    await sim.close();
  });

  it('listens on an ephemeral port at the default path', () => {
    assert.ok(sim.port > 0);
    assert.equal(sim.url, `http://127.0.0.1:${sim.port}/webtapi/webtapi.php`);
  });

  it('POST login answers a 32-hex session id as text/plain', async () => {
    const r = await loginRequest(sim.url, '1004', 'secret');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; charset=utf-8/);
    assert.match(r.text, /^[0-9a-f]{32}$/);
    assert.ok(sim.sessions.has(r.text));
    assert.equal(sim.stats.logins, 1);
    assert.equal(sim.stats.loginFailures, 0);
    assert.equal(sim.stats.byAction.login, 1);
  });

  it('accepts the AUTH keys unencoded as well', async () => {
    const r = await request(`${sim.url}?action=login`, { method: 'POST', body: 'action=login&AUTH[user]=1004&AUTH[pass]=secret' });
    assert.match(r.text, /^[0-9a-f]{32}$/);
  });

  it('a wrong password, an unknown user or missing credentials answer 0', async () => {
    assert.equal((await loginRequest(sim.url, '1004', 'wrong')).text, '0');
    assert.equal((await loginRequest(sim.url, '1009', 'secret')).text, '0');
    assert.equal((await request(`${sim.url}?action=login`, { method: 'POST', body: 'action=login' })).text, '0');
    assert.equal(sim.stats.logins, 3);
    assert.equal(sim.stats.loginFailures, 3);
    assert.equal(sim.sessions.size, 0);
  });

  it('a GET login is refused, even with the credentials in the URL', async () => {
    const r = await request(`${sim.url}?action=login&AUTH%5Buser%5D=1004&AUTH%5Bpass%5D=secret`);
    assert.equal(r.text, '0');
    assert.equal(sim.stats.loginFailures, 1);
    assert.equal(sim.sessions.size, 0);
  });

  it('never records or logs the session id or the password', async () => {
    const sid = await login(sim);
    await act(sim, sid, 'call_list');
    await loginRequest(sim.url, '1004', 'wrong-pass');
    const everything = JSON.stringify(sim.requests) + logged.join('\n');
    assert.ok(!everything.includes(sid));
    assert.ok(!everything.includes('secret'));
    assert.ok(!everything.includes('wrong-pass'));
    assert.deepEqual(
      sim.requests.map((r) => r.action),
      ['login', 'call_list', 'login'],
    );
    assert.deepEqual(sim.requests[1].params, {});
    assert.equal(logged.length, 3);
  });

  it('an unknown, missing or expired SID and an unknown action answer 0', async () => {
    const sid = await login(sim);
    assert.equal(await act(sim, 'f'.repeat(32), 'call_list'), '0');
    assert.equal((await request(`${sim.url}?action=call_list`)).text, '0');
    assert.equal(await act(sim, sid, 'no_such_action'), '0');
    assert.equal(await act(sim, sid, 'toString'), '0');
    assert.equal(await act(sim, sid, '__proto__'), '0');
    assert.equal((await request(`${sim.url}?SID=${sid}`)).text, '0');
    sim.expireSessions();
    assert.equal(sim.sessions.size, 0);
    assert.equal(await act(sim, sid, 'call_list'), '0');
  });

  it('a session expires after sessionIdleMs without use; each request refreshes it', async () => {
    await sim.close();
    sim = await startSimulator({ sessionIdleMs: 60_000 });
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    const sid = await login(sim);
    clock.tick(40_000);
    assert.notEqual(await act(sim, sid, 'call_list_all'), '0');
    clock.tick(40_000); // 80 s after login, 40 s after the last use
    assert.notEqual(await act(sim, sid, 'call_list_all'), '0');
    clock.tick(60_001);
    assert.equal(await act(sim, sid, 'call_list_all'), '0');
    assert.equal(sim.sessions.size, 0);
  });

  it('survives bad input: %zz, huge queries, unknown methods, garbage request lines, huge bodies, other paths', async () => {
    const sid = await login(sim);
    assert.equal((await request(`${sim.url}?SID=%zz&action=call_list%zz`)).text, '0');
    assert.equal((await request(actionUrl(sim, sid, 'call', { src: '%zz', dst: '%%' }))).text, '0');
    const huge = await request(`${sim.url}?SID=${sid}&action=call_list&x=${'a'.repeat(100_000)}`);
    assert.equal(huge.status, 400);
    assert.equal((await request(sim.url, { method: 'PROPFIND' })).status, 400);
    assert.equal((await request(sim.url, { method: 'DELETE' })).status, 400);
    const big = await request(`${sim.url}?action=login`, { method: 'POST', body: `action=login&x=${'b'.repeat(200_000)}` });
    assert.equal(big.status, 400);
    assert.equal((await request(`${sim.url.replace('webtapi.php', 'other.php')}?action=call_list`)).status, 404);
    const raw = await new Promise<string>((resolve, reject) => {
      const s = net.connect(sim.port, '127.0.0.1', () => s.write('GARBAGE\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400/);
    // still alive and the session still works
    assert.equal(await act(sim, sid, 'q_list'), 'VMX\nSUPPORT');
  });

  it('serves HTTPS when given a key and certificate', async () => {
    const tlsSim = await startSimulator({ tls: { key: TEST_KEY, cert: TEST_CERT } });
    try {
      assert.match(tlsSim.url, /^https:\/\/127\.0\.0\.1:\d+\/webtapi\/webtapi\.php$/);
      const sid = await login(tlsSim);
      assert.equal(await act(tlsSim, sid, 'relay_status_get', { relay_id: '17' }), '0');
      assert.equal(await act(tlsSim, sid, 'vmx_cam_list'), '44;Entrance\n45;Garage');
    } finally {
      await tlsSim.close();
    }
  });

  it('honours users, path, lineEnding and statusSeparator options', async () => {
    const s2 = await startSimulator({ users: { '1002': 'pw' }, path: '/api/wt.php', lineEnding: '\r\n', statusSeparator: '=' });
    try {
      assert.ok(s2.url.endsWith('/api/wt.php'));
      const sid = await login(s2, '1002', 'pw');
      assert.equal(await act(s2, sid, 'call_status_get', { filter: '1001,1002' }), '1001=0\r\n1002=0');
      assert.equal(await act(s2, sid, 'q_list'), 'VMX\r\nSUPPORT');
    } finally {
      await s2.close();
    }
  });
});
