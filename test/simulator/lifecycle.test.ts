import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { startSimulator, type Simulator } from '../../dist/simulator';
import { exposureWarning, isLoopback } from '../../dist/simulator/options';
import { act, actionUrl, errorCode, login, loginRequest, request, until } from './helpers';

const DIST = path.resolve(__dirname, '../../dist/simulator');

function exitOf(child: ReturnType<typeof spawn>, ms: number): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child still running after ${ms} ms`));
    }, ms);
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal });
    });
  });
}

describe('simulator: lifecycle', () => {
  let sim: Simulator;

  afterEach(async () => {
    await sim?.close();
  });

  it('pause() refuses connections (ECONNREFUSED); resume() listens on the same port, sessions intact', async () => {
    sim = await startSimulator();
    const sid = await login(sim);
    const { port, url } = sim;
    await sim.pause();
    assert.equal(await errorCode(request(actionUrl(sim, sid, 'call_list'))), 'ECONNREFUSED');
    sim.ring('1004'); // the PBX keeps running while unreachable
    await sim.resume();
    assert.equal(sim.port, port);
    assert.equal(sim.url, url);
    assert.match(await act(sim, sid, 'call_list'), /^SIP\/1004-/);
  });

  it('pause() ends open streams and hung requests', async () => {
    sim = await startSimulator();
    const sid = await login(sim);
    sim.injectFault({ kind: 'hang' });
    const hung = errorCode(request(actionUrl(sim, sid, 'call_list')));
    await waitForRequests(sim, 2);
    await sim.pause();
    assert.equal(await hung, 'ECONNRESET');
    await sim.resume();
  });

  it('ring(), answer(), hangupAll() and reset()', async () => {
    sim = await startSimulator();
    const chan = sim.ring('1003', 'doorstation');
    assert.match(chan, /^SIP\/1003-[0-9a-f]{8}$/);
    const ch = sim.state.channels.get(chan)!;
    assert.equal(ch.state, 'Ringing');
    assert.match(ch.bridgedTo!, /^SIP\/doorstation-/);
    assert.equal(ch.callerId, '1003', 'a called channel shows its own number, as Asterisk does');
    assert.equal(sim.state.channels.get(ch.bridgedTo!)!.callerId, 'doorstation');
    assert.equal(sim.state.extensions.get('1003')!.code, 8);
    sim.answer(chan);
    assert.equal(sim.state.extensions.get('1003')!.code, 1);
    assert.throws(() => sim.answer('SIP/1003-ffffffff'));
    assert.throws(() => sim.ring('4711'));
    sim.hangupAll();
    assert.equal(sim.state.channels.size, 0);
    const sid = await login(sim);
    await act(sim, sid, 'relay_status_set', { relay_id: '17', status: '1' });
    sim.injectFault({ kind: 'http500' });
    sim.reset();
    assert.deepEqual(sim.stats, { logins: 0, loginFailures: 0, requests: 0, byAction: {}, executed: {} });
    assert.equal(sim.requests.length, 0);
    assert.equal(sim.state.relays.get('17')!.status, 0);
    assert.equal(sim.state.queues.get('VMX')!.waiting.length, 2);
    assert.equal(await act(sim, sid, 'relay_status_get', { relay_id: '17' }), '0', 'faults cleared, session kept');
  });

  it('keeps the last 1000 requests, without SID', async () => {
    sim = await startSimulator();
    const sid = await login(sim);
    // 1005 pipelined requests on one connection: cheap for both sides
    const path = new URL(sim.url).pathname;
    const wire = Array.from(
      { length: 1005 },
      (_, i) =>
        `GET ${path}?SID=${sid}&action=call_status_get&filter=${i} HTTP/1.1\r\nHost: x\r\n${i === 1004 ? 'Connection: close\r\n' : ''}\r\n`,
    ).join('');
    const answers = await new Promise<string>((resolve, reject) => {
      const s = net.connect(sim.port, '127.0.0.1', () => s.end(wire));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    assert.equal(answers.split('HTTP/1.1 200 OK').length - 1, 1005);
    assert.equal(sim.requests.length, 1000);
    assert.equal(sim.stats.requests, 1006);
    assert.ok(sim.requests.every((r) => r.method === 'GET' && r.action === 'call_status_get' && !('SID' in r.params)));
  });

  it('close() ends a hung request and an open MJPEG stream and stops listening', async () => {
    sim = await startSimulator();
    const sid = await login(sim);
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get(actionUrl(sim, sid, 'vmx_cam_get_stream', { CAMID: '44' }), { agent: false }, (res) => res.once('data', () => resolve(res)))
        .on('error', reject);
    });
    const streamClosed = new Promise<void>((resolve) => stream.on('close', () => resolve()));
    stream.on('error', () => undefined);
    sim.injectFault({ kind: 'hang' });
    const hung = errorCode(request(actionUrl(sim, sid, 'call_list')));
    await waitForRequests(sim, 3);
    await sim.close();
    await streamClosed;
    assert.equal(await hung, 'ECONNRESET');
    assert.equal(await errorCode(request(sim.url)), 'ECONNREFUSED');
    await sim.close(); // idempotent
  });

  it('close() leaves no handle behind: a process with a stream, a drip, a hang and ringing timers exits by itself', async () => {
    const script = `
      const http = require('node:http');
      const { startSimulator } = require(${JSON.stringify(DIST)});
      (async () => {
        const sim = await startSimulator({ ringMs: 60000 });
        const body = 'action=login&AUTH%5Buser%5D=1004&AUTH%5Bpass%5D=secret';
        const sid = await new Promise((res, rej) => {
          const r = http.request(sim.url + '?action=login', { method: 'POST', agent: false }, (m) => { let t = ''; m.on('data', (c) => t += c); m.on('end', () => res(t)); });
          r.on('error', rej); r.end(body);
        });
        const open = (q) => new Promise((res) => {
          const r = http.get(sim.url + '?SID=' + sid + '&' + q, (m) => { m.on('error', () => {}); m.once('data', () => res()); });
          r.on('error', () => res());
        });
        await open('action=vmx_cam_get_stream&CAMID=44');
        sim.injectFault({ kind: 'drip', dripMs: 5 });
        await open('action=call_list');
        sim.injectFault({ kind: 'hang' });
        http.get(sim.url + '?SID=' + sid + '&action=call_list').on('error', () => {});
        while (sim.stats.requests < 4) await new Promise((r) => setImmediate(r));
        sim.ring('1001');
        await sim.close();
        console.log('closed');
      })().catch((e) => { console.error(e); process.exit(3); });
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const { code } = await exitOf(child, 5000);
    assert.equal(code, 0);
    assert.equal(out.trim(), 'closed');
  });

  it('webtapi-sim CLI: prints the URL, logs requests without secrets, exits cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(process.execPath, [path.join(DIST, 'bin.js'), '--port', '0', '--ring-ms', '50'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = exitOf(child, 5000);
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (\S+)/.exec(out);
          if (m && out.includes('password')) resolve(m[1]);
        });
        child.on('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/webtapi\/webtapi\.php$/);
      assert.match(out, /user 1004 \/ password secret/);
      const sid = (await loginRequest(url, '1004', 'secret')).text;
      assert.match(sid, /^[0-9a-f]{32}$/);
      assert.equal((await request(`${url}?SID=${sid}&action=relay_status_get&relay_id=17`)).text, '0');
      await new Promise<void>((resolve) => {
        const check = (): void => (/relay_status_get relay_id=17/.test(out) ? resolve() : void child.stdout!.once('data', check));
        check();
      });
      child.kill(signal);
      const { code } = await exited;
      assert.equal(code, 0, out);
      assert.ok(!out.includes(sid), 'no session id in the log');
      assert.equal(out.split('secret').length - 1, 1, 'the password only in the banner');
    }
  });

  it('webtapi-sim CLI: door station, channel layout and bridge ids as options; the control API is announced and answers', async () => {
    const child = spawn(
      process.execPath,
      [path.join(DIST, 'bin.js'), '--port', '0', '--quiet', '--door-station', '1005', '--channel-fields', '13', '--bridge-ids'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = exitOf(child, 5000);
    try {
      let out = '';
      const control = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /control API: (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      const url = /listening on (\S+)/.exec(out)![1];
      const rang = JSON.parse((await request(`${control}doorbell?flat=1002`, { method: 'POST' })).text);
      assert.match(rang.channel, /^SIP\/1002-/);
      JSON.parse((await request(`${control}answer?chan=1002`, { method: 'POST' })).text);
      const sid = (await loginRequest(url, '1004', 'secret')).text;
      const listed = (await request(`${url}?SID=${sid}&action=call_list_all`)).text
        .split('\n')
        .filter((l) => /^SIP\/100[25]-/.test(l))
        .map((l) => l.split('!'));
      assert.deepEqual(
        listed.map((f) => f.length),
        [13, 13],
      );
      assert.match(listed[0][0], /^SIP\/1005-/, 'the door station is 1005');
      assert.match(listed[0][11], /^[0-9a-f]{8}-/, 'a bridge id');
      assert.equal(listed[0][11], listed[1][11]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('webtapi-sim warns when bound to a host other than loopback; not on 127.0.0.1, ::1 or localhost', async () => {
    for (const h of ['127.0.0.1', '127.9.8.7', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) assert.equal(exposureWarning(h), null, h);
    for (const h of ['0.0.0.0', '::', '192.168.1.20', 'pbx.example', '128.0.0.1', '::ffff:10.0.0.1']) {
      assert.equal(isLoopback(h), false, h);
      assert.match(String(exposureWarning(h)), /not a loopback address/, h);
    }
    // The CLI says so on stderr before it listens: a TEST-NET address that is no interface here
    // fails to bind, so nothing is exposed by the test.
    const child = spawn(process.execPath, [path.join(DIST, 'bin.js'), '--port', '0', '--quiet', '--host', '192.0.2.1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const { code } = await exitOf(child, 5000);
    assert.equal(code, 1);
    assert.match(err, /webtapi-sim: warning: listening on 192\.0\.2\.1, not a loopback address/);
    const local = spawn(process.execPath, [path.join(DIST, 'bin.js'), '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let localErr = '';
    local.stderr!.on('data', (d) => (localErr += d));
    await new Promise<void>((resolve) =>
      local.stdout!.on('data', (d: Buffer) => {
        if (/listening on/.test(String(d))) resolve();
      }),
    );
    local.kill('SIGTERM');
    await exitOf(local, 5000);
    assert.doesNotMatch(localErr, /warning/);
  });

  it('the CLI refuses unknown options', async () => {
    const child = spawn(process.execPath, [path.join(DIST, 'bin.js'), '--nope'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const { code } = await exitOf(child, 5000);
    assert.equal(code, 2);
    assert.match(err, /unknown option --nope/);
  });
});

function waitForRequests(sim: Simulator, n: number): Promise<void> {
  return until(() => sim.stats.requests >= n, { what: `${n} requests`, everyMs: 1 });
}
