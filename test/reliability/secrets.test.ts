/*
 * The password and every session id never appear in Node-RED's log (every level), node status,
 * error messages and msg.error, output messages, GET /flows, or the admin routes' answers; HTTPS
 * with a self-signed certificate works through Node-RED's tls-config node and is refused without it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { WebTapiClient } from '../../dist/client';
import { startSimulator, type Simulator } from '../../dist/simulator';
import {
  ALL,
  configNode,
  helper,
  LOG,
  Nodes,
  PASSWORD,
  send,
  Status,
  statuses,
  text,
  TestNode,
  until,
  USER,
  WITH_TLS,
  caughtCode,
  useSubjectSimulator,
} from './kit';
import { CATCH_HAS_CODE } from '../nodes/harness';
import { startChild, type ChildNodeRed } from '../../scripts/lib/nodered';
import { childConfig } from '../child-flow';

const WRONG = 'Wr0ng&Secret=Pa55%word';
/** A relay-set node's PIN (credential `code`) and a wrong one a caller tries. */
const DOOR_PIN = 'pin-Zq81x&7';
const WRONG_PIN = 'pin-Nope42';
/** The event token of the whole-Node-RED test: url-safe, as the dialog makes them. */
const EVENT_TOKEN = 'Ev3ntT0ken_of-the-secrets-test_x';
const secretsOf = (pw: string) => [
  pw,
  encodeURIComponent(pw),
  encodeURIComponent(pw).replace(/%20/g, '+'),
  JSON.stringify(pw).slice(1, -1),
];

/** Every place a secret could show, as text, with where it came from. */
class Exposure {
  readonly places: Array<[string, string]> = [];
  add(where: string, value: unknown): void {
    this.places.push([where, typeof value === 'string' ? value : text(value)]);
  }
  /** Fails naming the first place that holds any of the secrets. */
  assertFree(secrets: Iterable<string>, what: string): void {
    const list = [...new Set(secrets)].filter((s) => s.length >= 6);
    assert.ok(list.length > 0);
    for (const [where, body] of this.places) {
      for (const s of list) {
        assert.ok(
          !body.includes(s),
          `${what} found in ${where}: …${body.slice(Math.max(0, body.indexOf(s) - 60), body.indexOf(s) + s.length + 20)}…`,
        );
      }
    }
  }
}

function sidsOf(sim: Simulator, into: Set<string>): void {
  for (const s of sim.sessions) into.add(s);
}

describe('reliability: secrets', function () {
  this.timeout(60_000);
  const sids = new Set<string>();

  const sim = useSubjectSimulator(
    {},
    {
      fresh: () => {
        sidsOf(sim, sids);
        sim.expireSessions();
      },
    },
  );

  it('no password or session id in the log (every level), status, errors, msg.error, output messages or admin answers', async () => {
    const flow = [
      configNode(sim),
      { id: 'cfgBad', type: 'webtapi-config', name: 'wrong password', url: sim.url, timeout: 800 },
      { id: 'n-call', type: 'webtapi-call', server: 'cfg', mode: 'call', src: '1001', dst: '1002', wires: [['out']] },
      { id: 'n-hangup', type: 'webtapi-hangup', server: 'cfg', wires: [['out']] },
      { id: 'n-queue', type: 'webtapi-queue-agent', server: 'cfg', operation: 'agents', queue: 'VMX', wires: [['out']] },
      { id: 'n-relay', type: 'webtapi-relay-set', server: 'cfg', relay: '17', status: 'on', wires: [['out']] },
      { id: 'n-cam', type: 'webtapi-cam-snapshot', server: 'cfg', camera: '44', output: 'dataurl', wires: [['out']] },
      { id: 'n-req', type: 'webtapi-request', server: 'cfg', action: 'call_list_all', wires: [['out']] },
      {
        id: 'n-watch',
        type: 'webtapi-status-watch',
        server: 'cfg',
        extensions: '1001,1002',
        interval: 250,
        watchCalls: true,
        watchRelays: '17',
        wires: [['wout']],
      },
      { id: 'n-badRelay', type: 'webtapi-relay-set', server: 'cfgBad', relay: '18', wires: [['out']] },
      { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'wout', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
    await helper.load(ALL, flow, { cfg: { username: USER, password: PASSWORD }, cfgBad: { username: USER, password: WRONG } });
    const seen = new Exposure();
    const ids = flow.map((n) => (n as { id: string }).id).filter((id) => !['c', 'out', 'wout', 'caught', 'cfg', 'cfgBad'].includes(id));
    for (const id of ids) assert.ok(helper.getNode(id), `node ${id} was not created: ${LOG.texts(40).slice(-5).join('\n')}`);
    const shown = new Map<string, Status[]>(ids.map((id) => [id, statuses(helper.getNode(id)!)]));
    const out = helper.getNode('out')!;
    const caught = helper.getNode('caught')!;
    out.on('input', (m: unknown) => seen.add('an output message', m));
    helper.getNode('wout')!.on('input', (m: unknown) => seen.add('a status-watch message', m));
    caught.on('input', (m: unknown) => seen.add('msg.error at a Catch node', m));
    const on = (id: string): Nodes => ({ n1: helper.getNode(id)!, out, caught });

    const run = async (id: string, msg: Record<string, unknown> = {}) => {
      const r = await send(on(id), msg);
      sidsOf(sim, sids);
      return r;
    };
    for (const id of ['n-call', 'n-queue', 'n-relay', 'n-cam', 'n-req']) assert.ok((await run(id)).out, id);
    assert.ok((await run('n-hangup', { payload: sim.ring('1003') })).out);
    assert.ok((await run('n-req', { action: 'relay_status_get', payload: { relay_id: '17' } })).out);
    await until(() => (sim.stats.byAction.relay_status_get ?? 0) >= 2);
    assert.match([...sim.sessions][0], /^[0-9a-f]{32}$/);

    // A PBX whose PHP warnings echo the request (session id and all) and the credentials.
    const echoes = [
      (sid: string) => `<br />\n<b>Notice</b>: Array ( [SID] => ${sid} [action] => relay_status_set [relay_id] => 17 )<br />`,
      (sid: string) => `Warning: session ${sid} not found in /var/lib/php5/sess_${sid}`,
      (sid: string) => sid,
      (sid: string) => `1\n${sid}`,
      () => `Warning: AUTH[pass]=${PASSWORD} rejected`,
      () => `Notice: password "${PASSWORD}" / ${encodeURIComponent(PASSWORD)}`,
    ];
    // The newest session is the one the nodes use now.
    const current = () => [...sim.sessions].pop() ?? 'none';
    for (const echo of echoes) {
      sim.injectFault({ kind: 'garbage', action: 'relay_status_set', body: echo(current()) });
      const r = await run('n-relay');
      assert.ok(r.error, `${echo(current()).slice(0, 30)}: accepted`);
      sim.injectFault({ kind: 'garbage', action: 'vmx_cam_get_pic', body: echo(current()) });
      assert.ok((await run('n-cam')).error);
      sim.injectFault({ kind: 'garbage', action: 'call_list_all', body: echo(current()) });
      await run('n-req');
      sim.injectFault({ kind: 'garbage', action: 'vmx_cam_p_save', body: echo(current()) });
      await run('n-req', { action: 'vmx_cam_p_save', payload: { CAMID: '44' } });
      sim.injectFault({ kind: 'garbage', action: 'login', body: echo(current()) });
      sim.expireSessions();
      await run('n-relay');
    }
    // Every other kind of failure once, on a side effect and on a read.
    for (const kind of ['reset-before', 'reset-after', 'hang', 'drip', 'http500', 'oversize', 'zero'] as const) {
      sim.injectFault({ kind, action: 'relay_status_set', bytes: 8 * 1024 * 1024, dripMs: 20 });
      assert.ok((await run('n-relay')).error, kind);
      sim.injectFault({ kind, action: 'call_list_all', times: 2, bytes: 8 * 1024 * 1024, dripMs: 20 });
      await run('n-req');
    }
    // Sessions that expire (a new session id each time), a PBX that goes away.
    for (let i = 0; i < 3; i++) {
      sidsOf(sim, sids);
      sim.expireSessions();
      assert.ok((await run('n-relay')).out);
    }
    await sim.pause();
    assert.ok((await run('n-call')).error);
    await sim.resume();
    assert.ok((await run('n-call')).out);
    // Wrong credentials: a warning, a status and an error, none with the password.
    const bad = await run('n-badRelay');
    assert.equal(caughtCode(bad.error), 'WEBTAPI_LOGIN_FAILED');

    // The admin routes, answered and refused. Test-connection logs in with sessions of its own:
    // before an echo, the config node's session is made the newest one.
    const ownSession = async () => {
      sidsOf(sim, sids);
      sim.expireSessions();
      await helper.request().get('/metasec-webtapi/cfg/options/queues');
    };
    const admin: Array<[string, () => Promise<{ status: number; text: string; body: unknown }>]> = [
      [
        'test-connection (typed)',
        () => helper.request().post('/metasec-webtapi/test-connection').send({ url: sim.url, username: USER, password: PASSWORD }),
      ],
      [
        'test-connection (stored)',
        () =>
          helper.request().post('/metasec-webtapi/test-connection').send({ id: 'cfg', url: sim.url, username: USER, password: '__PWRD__' }),
      ],
      [
        'test-connection (wrong)',
        () => helper.request().post('/metasec-webtapi/test-connection').send({ url: sim.url, username: USER, password: WRONG }),
      ],
      [
        'test-connection (stored, other host)',
        () =>
          helper
            .request()
            .post('/metasec-webtapi/test-connection')
            .send({ id: 'cfg', url: 'http://127.0.0.1:9/x', username: USER, password: '__PWRD__' }),
      ],
      ['options relays', () => helper.request().get('/metasec-webtapi/cfg/options/relays')],
      ['options extensions', () => helper.request().get('/metasec-webtapi/cfg/options/extensions')],
      ['options of the wrong-password server', () => helper.request().get('/metasec-webtapi/cfgBad/options/relays')],
      ['snapshot', () => helper.request().get('/metasec-webtapi/cfg/cameras/44/snapshot')],
      [
        'snapshot with the PBX echoing the session id',
        async () => {
          await ownSession();
          sim.injectFault({ kind: 'garbage', action: 'vmx_cam_get_pic', body: echoes[0](current()) });
          return helper.request().get('/metasec-webtapi/cfg/cameras/44/snapshot');
        },
      ],
      [
        'options with the PBX echoing the session id',
        async () => {
          await ownSession();
          sim.injectFault({ kind: 'garbage', action: 'relay_list', body: echoes[1](current()) });
          return helper.request().get('/metasec-webtapi/cfg/options/relays');
        },
      ],
    ];
    for (const [name, call] of admin) {
      const res = await call();
      sidsOf(sim, sids);
      seen.add(`admin route ${name} (HTTP ${res.status})`, `${res.text ?? ''} ${text(res.body)}`);
    }

    // The watch node's messages and the poller's warnings are in by now.
    await until(() => (sim.stats.byAction.call_status_get ?? 0) >= 3);
    for (const [id, list] of shown) seen.add(`status of ${id}`, list);
    for (const e of LOG.entries) seen.add(`log level ${e.level} from ${e.type ?? ''}:${e.id ?? ''}`, e.msg);
    assert.ok(LOG.entries.length > 50, 'the log capture saw too little to be a test');
    assert.ok(sids.size >= 5, `only ${sids.size} session ids seen`);
    seen.assertFree(secretsOf(PASSWORD), 'the password');
    seen.assertFree(secretsOf(WRONG), 'the wrong password');
    seen.assertFree(sids, 'a session id');
  });

  describe('a PBX that echoes the password into an answer: scrubbed before parsing (client)', () => {
    // Separators of the answer formats in the password: a list line splits at `!` and `,`.
    const SPLIT = 'Tür!öffner,2026"/x';
    let pbx: Simulator;
    let client: WebTapiClient;
    before(async () => {
      pbx = await startSimulator({ port: 0, users: { 1004: SPLIT } });
      client = new WebTapiClient({ url: pbx.url, username: '1004', password: SPLIT, timeoutMs: 5000 });
    });
    after(async () => {
      await client.close();
      await pbx.close();
    });
    const pieces = ['Tür', 'öffner', '2026"/x', 'T%C3%BCr', '\\u00fc'];
    // eslint-disable-next-line no-control-regex -- the range starts at \x00 on purpose: everything beyond ASCII
    const nonAscii = /[^\x00-\x7f]/g;
    const php = JSON.stringify(SPLIT)
      .slice(1, -1)
      .replace(/\//g, '\\/')
      .replace(nonAscii, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

    it('no piece of a password split by the list separators survives in the result; the rest of the line is kept', async () => {
      pbx.injectFault({
        kind: 'garbage',
        action: 'call_list_all',
        body: `SIP/1001-0000000a!from-internal!1002!1!Ring!Dial!SIP/1002,30!${SPLIT}!!!3!0!(None)!1.1\n`,
      });
      const channels = (await client.request('call_list_all')) as Array<Record<string, unknown>>;
      assert.equal(channels.length, 1);
      assert.equal(channels[0].channel, 'SIP/1001-0000000a', 'the line is still read');
      const got = JSON.stringify(channels);
      for (const p of pieces) assert.ok(!got.includes(p), `"${p}" survives: ${got}`);
    });

    it("the password URL-encoded, form-encoded and JSON-escaped (PHP's json_encode) in a text answer: none survives", async () => {
      const echo = [
        `AUTH%5Bpass%5D=${encodeURIComponent(SPLIT).replace(/%20/g, '+')}`,
        `{"pass":"${php}"}`,
        encodeURIComponent(SPLIT),
        JSON.stringify(SPLIT),
      ].join('\n');
      pbx.injectFault({ kind: 'garbage', action: 'call_record_list', body: `${echo}\n` });
      const got = JSON.stringify(await client.request('call_record_list'));
      for (const p of [...pieces, php, 'pass\\":\\"T']) assert.ok(!got.includes(p), `"${p}" survives: ${got}`);
      assert.match(got, /\[redacted\]/);
    });
  });

  describe('a whole Node-RED (the node-red command in a child process, adminAuth off): GET /flows, admin routes, console log at trace level', () => {
    let nr: ChildNodeRed;
    let port = 0;
    /** Node-RED's console output so far (trace level). */
    const output = () => nr.output();

    before(async function () {
      this.timeout(60_000);
      nr = await startChild({ httpNodeRoot: '/api', logLevel: 'trace', timeoutMs: 45_000 });
      port = nr.port;
    });
    after(async function () {
      this.timeout(30_000);
      if (!nr) return;
      await nr.stop(20_000);
      fs.rmSync(nr.userDir, { recursive: true, force: true });
    });

    function call(
      method: string,
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; text: string }> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          req.destroy();
          reject(
            new Error(
              `${method} ${url}: no answer within 15 s; Node-RED said:\n${output()
                .split('\n')
                .filter((l) => !l.includes('[trace]'))
                .slice(-30)
                .join('\n')}`,
            ),
          );
        }, 15_000);
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path: url,
            headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              clearTimeout(timer);
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    }

    const reply =
      'const copy = {}; for (const k of Object.keys(msg)) if (k !== "req" && k !== "res") copy[k] = msg[k]; msg.payload = copy; msg.statusCode = msg.error ? 500 : 200; return msg;';
    const remember = (key: string, what: string) =>
      `const list = global.get("${key}") || []; list.push(${what}); global.set("${key}", list); return null;`;

    function route(id: string, url: string, node: Record<string, unknown>): object[] {
      return [
        { id: `in-${id}`, type: 'http in', z: 'tab', url, method: 'get', wires: [[id]] },
        { id, z: 'tab', server: 'cfg', ...node, wires: [['n-reply']] },
      ];
    }

    it('deploys with credentials, runs every node, and never shows a secret', async () => {
      const flows = [
        { id: 'tab', type: 'tab', label: 'secrets' },
        childConfig(sim.url, { username: USER, password: PASSWORD, eventToken: EVENT_TOKEN }, { timeout: 800 }),
        { id: 'n-events', type: 'webtapi-event-in', z: 'tab', server: 'cfg', events: '', wires: [['keep-events']] },
        { id: 'keep-events', type: 'function', z: 'tab', func: remember('events', 'msg'), outputs: 1, wires: [[]] },
        childConfig(sim.url, { username: USER, password: WRONG }, { id: 'cfgBad', name: 'wrong', timeout: 800 }),
        ...route('r-call', '/call', { type: 'webtapi-call', mode: 'call', src: '1001', dst: '1002' }),
        ...route('r-callTo', '/call-to', { type: 'webtapi-call', mode: 'call', src: '1001', dst: '' }),
        ...route('r-relay', '/relay', { type: 'webtapi-relay-set', relay: '17', status: 'on' }),
        ...route('r-cam', '/cam', { type: 'webtapi-cam-snapshot', camera: '44' }),
        ...route('r-req', '/request', { type: 'webtapi-request', action: 'call_list_all' }),
        ...route('r-hangup', '/hangup', { type: 'webtapi-hangup' }),
        ...route('r-queue', '/queue', { type: 'webtapi-queue-agent', operation: 'agents', queue: 'VMX' }),
        ...route('r-badRelay', '/bad', { type: 'webtapi-relay-set', relay: '18', server: 'cfgBad' }),
        // A door with a PIN: a POST's body.code becomes msg.code, as a keypad would hand it over.
        { id: 'in-r-door', type: 'http in', z: 'tab', url: '/door', method: 'post', wires: [['code-r-door']] },
        {
          id: 'code-r-door',
          type: 'function',
          z: 'tab',
          func: 'msg.code = msg.payload.code; msg.payload = {}; return msg;',
          outputs: 1,
          wires: [['r-door']],
        },
        {
          id: 'r-door',
          type: 'webtapi-relay-set',
          z: 'tab',
          server: 'cfg',
          relay: '19',
          relayStatus: 'on',
          credentials: { code: DOOR_PIN },
          wires: [['n-reply']],
        },
        {
          id: 'n-watch',
          type: 'webtapi-status-watch',
          z: 'tab',
          server: 'cfg',
          extensions: '1001',
          interval: 250,
          watchRelays: '17',
          wires: [['keep-watch']],
        },
        { id: 'keep-watch', type: 'function', z: 'tab', func: remember('watch', 'msg'), outputs: 1, wires: [[]] },
        { id: 'n-catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['n-reply']] },
        { id: 'n-status', type: 'status', z: 'tab', scope: null, wires: [['keep-status']] },
        { id: 'keep-status', type: 'function', z: 'tab', func: remember('statuses', 'msg.status'), outputs: 1, wires: [[]] },
        { id: 'n-reply', type: 'function', z: 'tab', func: reply, outputs: 1, wires: [['n-res']] },
        { id: 'n-res', type: 'http response', z: 'tab', statusCode: '', headers: {}, wires: [] },
        { id: 'in-seen', type: 'http in', z: 'tab', url: '/seen', method: 'get', wires: [['n-seen']] },
        {
          id: 'n-seen',
          type: 'function',
          z: 'tab',
          func: 'msg.payload = { watch: global.get("watch") || [], statuses: global.get("statuses") || [], events: global.get("events") || [] }; return msg;',
          outputs: 1,
          wires: [['n-res']],
        },
      ];
      const deployed = await call('POST', '/flows', flows, { 'Node-RED-Deployment-Type': 'full' });
      assert.ok(deployed.status === 200 || deployed.status === 204, `deploy: HTTP ${deployed.status} ${deployed.text}`);
      const answers: Array<[string, string]> = [];
      const get = async (url: string) => {
        const r = await call('GET', url);
        sidsOf(sim, sids);
        answers.push([url, r.text]);
        return r;
      };
      await until(() => (sim.stats.byAction.call_status_get ?? 0) >= 1, 10_000).catch(() =>
        assert.fail(
          `the watch node never polled; Node-RED said:\n${output()
            .split('\n')
            .filter((l) => !l.includes('[trace]'))
            .slice(-40)
            .join('\n')}`,
        ),
      );
      for (const url of [
        '/api/call',
        '/api/relay',
        '/api/cam',
        '/api/request',
        '/api/queue',
        `/api/hangup?target=${encodeURIComponent(sim.ring('1004'))}`,
      ]) {
        const r = await get(url);
        assert.equal(r.status, 200, `${url}: ${r.text.slice(0, 300)}`);
      }
      const sid = [...sim.sessions].pop();
      sim.injectFault({ kind: 'garbage', action: 'relay_status_set', body: `Notice: Array ( [SID] => ${sid} )` });
      assert.equal((await get('/api/relay')).status, 500);
      sim.injectFault({ kind: 'garbage', action: 'call_list_all', body: `${sid}\n${sid}` });
      await get('/api/request');
      sim.expireSessions();
      assert.equal((await get('/api/relay')).status, 200);
      const bad = await get('/api/bad');
      assert.equal(bad.status, 500);
      // Node-RED < 4.1 does not copy err.code into a Catch node's msg.error (see CATCH_HAS_CODE).
      assert.match(bad.text, CATCH_HAS_CODE ? /WEBTAPI_LOGIN_FAILED/ : /LoginFailedError/);
      assert.equal((await get('/api/call-to?dst=1002%26action%3Dcall_prio')).status, 500);
      const knock = async (code: string) => {
        const r = await call('POST', '/api/door', { code });
        answers.push(['POST /api/door', r.text]);
        return r;
      };
      const opened = await knock(DOOR_PIN);
      assert.equal(opened.status, 200, opened.text.slice(0, 300));
      const refused = await knock(WRONG_PIN);
      assert.equal(refused.status, 500);
      assert.match(refused.text, CATCH_HAS_CODE ? /WEBTAPI_ACCESS_DENIED/ : /AccessDeniedError/);
      assert.match(output(), /audit node=r-door action=relay_status_set by=http:127\.0\.0\.1 denied=wrong result=WEBTAPI_ACCESS_DENIED/);

      // The editor's side: the flows as the editor loads them, the package's routes.
      const flowsAnswer = await get('/flows');
      assert.equal(flowsAnswer.status, 200);
      assert.match(flowsAnswer.text, /webtapi-config/);
      // What the config dialog loads: whether a password is set, never the password.
      const creds = await get('/credentials/webtapi-config/cfg');
      assert.equal(creds.status, 200);
      assert.deepEqual(JSON.parse(creds.text), { username: USER, has_password: true, has_eventToken: true });
      // What the relay dialog loads: whether a PIN is set, never the PIN.
      const doorCreds = await get('/credentials/webtapi-relay-set/r-door');
      assert.equal(doorCreds.status, 200);
      assert.deepEqual(JSON.parse(doorCreds.text), { has_code: true });
      await get('/flows/state');
      await get('/settings');
      await get('/nodes');
      for (const [body, expect] of [
        [{ id: 'cfg', url: sim.url, username: USER, password: '__PWRD__' }, /"ok":true/],
        [{ url: sim.url, username: USER, password: PASSWORD }, /"ok":true/],
        [{ url: sim.url, username: USER, password: WRONG }, /WEBTAPI_LOGIN_FAILED/],
      ] as const) {
        const r = await call('POST', '/metasec-webtapi/test-connection', body);
        answers.push(['POST /metasec-webtapi/test-connection', r.text]);
        assert.match(r.text, expect);
      }
      for (const kind of ['queues', 'relays', 'cameras', 'extensions']) await get(`/metasec-webtapi/cfg/options/${kind}`);
      await get('/metasec-webtapi/cfgBad/options/relays');
      await get('/metasec-webtapi/cfg/cameras/44/snapshot');
      // Pushes: accepted, refused, and a wrong token answered as any unknown path.
      const pushed = await get(`/api/metasec-webtapi/events/${EVENT_TOKEN}?event=ring&src=1009&dst=1001`);
      assert.deepEqual([pushed.status, pushed.text], [200, '1']);
      assert.equal((await get(`/api/metasec-webtapi/events/${EVENT_TOKEN}?src=1009`)).status, 400);
      const unknownPath = await get('/api/no-such-path-at-all');
      const wrongToken = await get(`/api/metasec-webtapi/events/${EVENT_TOKEN.slice(0, -1)}y?event=ring`);
      assert.deepEqual([wrongToken.status, wrongToken.text.replace(/\/[^\s<]*/g, '')], [404, unknownPath.text.replace(/\/[^\s<]*/g, '')]);
      const observed = await get('/api/seen');
      const parsed = JSON.parse(observed.text) as { watch: unknown[]; statuses: unknown[]; events: Array<{ topic: string }> };
      assert.ok(parsed.watch.length > 0 && parsed.statuses.length > 0, observed.text.slice(0, 300));
      assert.deepEqual(
        parsed.events.map((m) => m.topic),
        ['ring'],
      );

      const seen = new Exposure();
      for (const [url, body] of answers) seen.add(`the answer to ${url}`, body);
      seen.add("Node-RED's console log (trace level)", output());
      seen.add('flows.json on disk', fs.readFileSync(path.join(nr.userDir, 'flows.json'), 'utf8'));
      seen.add('flows_cred.json on disk (encrypted)', fs.readFileSync(path.join(nr.userDir, 'flows_cred.json'), 'utf8'));
      assert.match(output(), /\[debug\]|\[trace\]/, 'the console log is not at debug level');
      assert.match(output(), /audit node=r-relay action=relay_status_set by=http:127\.0\.0\.1 relay_id=17 status=1/);
      assert.ok(sids.size >= 2);
      seen.assertFree(secretsOf(PASSWORD), 'the password');
      seen.assertFree(secretsOf(WRONG), 'the wrong password');
      seen.assertFree(sids, 'a session id');
      seen.assertFree(secretsOf(DOOR_PIN), 'the PIN');
      seen.assertFree(secretsOf(WRONG_PIN), 'a wrong PIN');
      seen.assertFree([EVENT_TOKEN], 'the event token');
    });
  });

  describe('HTTPS with a self-signed certificate', () => {
    let dir: string;
    let tlsSim: Simulator;
    let certPath: string;
    let otherCa: string;

    /** A key and a self-signed certificate for 127.0.0.1, made now with openssl. */
    function selfSigned(name: string): { key: string; cert: string } {
      const key = path.join(dir, `${name}.key`);
      const cert = path.join(dir, `${name}.pem`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-days',
          '2',
        ],
        { stdio: 'ignore' },
      );
      return { key, cert };
    }

    before(async function () {
      this.timeout(60_000);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-tls-'));
      let pbx: { key: string; cert: string };
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
        pbx = selfSigned('pbx');
        otherCa = selfSigned('other').cert;
      } catch {
        // No openssl on this machine: the committed test-only pair (see fixtures/README.md).
        const fixtures = path.resolve(__dirname, '..', '..', 'test', 'reliability', 'fixtures');
        pbx = { key: path.join(fixtures, 'pbx.key'), cert: path.join(fixtures, 'pbx.pem') };
        otherCa = path.join(fixtures, 'other.pem');
      }
      certPath = pbx.cert;
      tlsSim = await startSimulator({
        port: 0,
        users: { [USER]: PASSWORD },
        tls: { key: fs.readFileSync(pbx.key), cert: fs.readFileSync(pbx.cert) },
      });
    });
    after(async () => {
      await tlsSim?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function tlsFlow(tls: Record<string, unknown> | null): Promise<Nodes & { cfgErrors: () => string[] }> {
      const flow: object[] = [
        // The tls-config node after the config node that uses it: Node-RED must order their start.
        { ...configNode(tlsSim), tls: tls ? 'tls1' : '' },
        ...(tls ? [{ id: 'tls1', type: 'tls-config', name: 'pbx ca', cert: '', key: '', ca: '', verifyservercert: true, ...tls }] : []),
        { id: 'n1', type: 'webtapi-relay-set', server: 'cfg', relay: '17', wires: [['out']] },
        { id: 'out', type: 'helper' },
        { id: 'c1', type: 'catch', scope: ['n1'], uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ];
      await helper.load(WITH_TLS, flow, { cfg: { username: USER, password: PASSWORD } });
      return {
        n1: helper.getNode('n1') as TestNode,
        out: helper.getNode('out')!,
        caught: helper.getNode('caught')!,
        cfgErrors: () => LOG.at(20, 'cfg'),
      };
    }

    it("works through a tls-config node whose CA is the PBX's certificate", async () => {
      assert.match(tlsSim.url, /^https:/);
      const nodes = await tlsFlow({ ca: certPath });
      const r = await send(nodes, {});
      assert.ok(r.out, JSON.stringify(r.error?.error));
      assert.equal(tlsSim.stats.executed.relay_status_set, 1);
      const res = await helper
        .request()
        .post('/metasec-webtapi/test-connection')
        .send({ url: tlsSim.url, username: USER, password: PASSWORD, tls: 'tls1' });
      assert.deepEqual(res.body, { ok: true });
    });

    it('is refused without a tls-config node (WEBTAPI_TLS), and nothing reaches the PBX', async () => {
      const nodes = await tlsFlow(null);
      const seen = statuses(nodes.n1);
      const requests = tlsSim.stats.requests;
      const r = await send(nodes, {});
      assert.equal(caughtCode(r.error), 'WEBTAPI_TLS', JSON.stringify(r.error?.error));
      assert.equal(tlsSim.stats.requests, requests);
      await until(() => seen.some((s) => s.fill === 'red'));
      const res = await helper
        .request()
        .post('/metasec-webtapi/test-connection')
        .send({ url: tlsSim.url, username: USER, password: PASSWORD });
      assert.equal(res.body.code, 'WEBTAPI_TLS');
      assert.ok(!JSON.stringify(res.body).includes(PASSWORD));
    });

    it('is refused with a tls-config node that trusts another CA', async () => {
      const nodes = await tlsFlow({ ca: otherCa });
      const requests = tlsSim.stats.requests;
      const r = await send(nodes, {});
      assert.equal(caughtCode(r.error), 'WEBTAPI_TLS');
      assert.equal(tlsSim.stats.requests, requests);
    });

    it("accepts any certificate only when the tls-config node says not to verify (the user's explicit choice)", async () => {
      const nodes = await tlsFlow({ verifyservercert: false });
      const r = await send(nodes, {});
      assert.ok(r.out, JSON.stringify(r.error?.error));
    });
  });
});
