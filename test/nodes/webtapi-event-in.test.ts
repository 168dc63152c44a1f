/*
 * Events pushed by the PBX: the endpoint (<httpNodeRoot>metasec-webtapi/events/<eventToken>) served
 * by the real runtime over real HTTP, the poll a push makes immediate, the webtapi-event-in node,
 * and the status that tells push from poll.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { NodeAPI } from 'node-red';
import * as sinon from 'sinon';
import type { Simulator } from '../../dist/simulator';
import { PUSH_FRESH_MS } from '../../dist/nodes/services/poll/push-feed';
import { PUSH_GATHER_MS, PUSH_POLL_GAP_MS } from '../../dist/nodes/services/poll/poller';
import { startChild } from '../../scripts/lib/nodered';
import { childConfig } from '../child-flow';
import { ALL, LOG, PASSWORD, config, helper, next, statuses, settleStatus, until, withSimulator, type TestNode } from './harness';

const TOKEN = 'Tok3n_for-the-event-tests_abcdef';
const OTHER = 'another-token_of-32-characters_x';
/** Fresh each time: the runtime keeps (and merges into) the credential objects it is given. */
const creds = (eventToken: string | undefined = TOKEN) => ({ cfg: { username: '1004', password: PASSWORD, eventToken } });

/** Node-RED's httpNode app of the flow loaded last (the helper makes one per load). */
let httpNode: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
const PROBE = (RED: NodeAPI): void => {
  httpNode = RED.httpNode as unknown as typeof httpNode;
  // A bare express app builds its router (and so its x-powered-by header) with its first route;
  // Node-RED's httpNode has one from its middleware and http-in nodes. Here from the start too, so
  // answers before and after the event route was added compare byte for byte.
  RED.httpNode.use((_req: unknown, _res: unknown, next: () => void) => next());
};
const NODES = [...ALL, PROBE];

interface Answer {
  status: number;
  text: string;
  headers: Record<string, string>;
}

describe('events pushed by the PBX (webtapi-event-in, the event endpoint)', () => {
  let sim: Simulator;
  let server: http.Server;
  let base = '';
  before(async () => {
    sim = await withSimulator();
    // Node-RED's HTTP server for nodes, as the runtime mounts httpNode at httpNodeRoot '/'.
    server = http.createServer((req, res) => (httpNode ? httpNode(req, res) : res.writeHead(503).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    LOG.install();
  });
  after(async () => {
    await sim.close();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    sim.reset();
    LOG.clear();
  });
  afterEach(async () => {
    await helper.unload();
  });

  const listPolls = (): number => sim.stats.byAction.call_list_all ?? 0;
  const cfg = () => helper.getNode('cfg') as TestNode;

  async function request(path: string, init: { method?: string; body?: string; type?: string } = {}): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.type ? { 'content-type': init.type } : {},
      body: init.body,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (k !== 'date') headers[k] = v;
    });
    return { status: res.status, text: await res.text(), headers };
  }
  /**
   * GET requests written at once on one connection (pipelined): they arrive as a PBX's burst does,
   * within a few milliseconds, whatever the load of the machine running the test.
   */
  function burst(paths: string[]): Promise<Array<{ status: number; text: string }>> {
    return new Promise((resolve, reject) => {
      const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      let raw = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`burst: ${raw.length} bytes of answers`));
      }, 15_000);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        raw += chunk.toString('latin1');
        const answers = [...raw.matchAll(/HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n([^\r\n]*?)(?=HTTP\/1\.1 |$)/g)];
        if (answers.length < paths.length) return;
        clearTimeout(timer);
        socket.destroy();
        resolve(answers.map((m) => ({ status: Number(m[1]), text: m[2] })));
      });
      socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
    });
  }
  const push = (query: string, init?: { method?: string; body?: string; type?: string }, token = TOKEN) =>
    request(`/metasec-webtapi/events/${token}${query ? `?${query}` : ''}`, init);

  /** A call monitor (interval 10 s unless given) and an event-in node on one config node; started once the monitor's first poll is in. */
  async function start(
    opts: { interval?: number; events?: string; creds?: object; watch?: boolean } = {},
  ): Promise<{ rings: TestNode; events: TestNode; monitor: TestNode }> {
    await helper.load(
      NODES,
      [
        config(sim),
        {
          id: 'mon',
          type: 'webtapi-call-monitor',
          server: 'cfg',
          extensions: '1001',
          interval: opts.interval ?? 10_000,
          wires: [['rings']],
        },
        { id: 'ev', type: 'webtapi-event-in', server: 'cfg', events: opts.events ?? '', wires: [['events']] },
        { id: 'rings', type: 'helper' },
        { id: 'events', type: 'helper' },
      ],
      opts.creds ?? creds(),
    );
    const monitor = helper.getNode('mon')!;
    await until(() => listPolls() >= 1 && !cfg().poller.busy);
    return { rings: helper.getNode('rings')!, events: helper.getNode('events')!, monitor };
  }

  it('a ring pushed: the ring event follows within one call_list_all round trip while the interval is 10 s', async () => {
    const { rings } = await start();
    const before = listPolls();
    // As on the PBX: the channel rings, then the dialplan pushes.
    sim.ring('1001', '1009');
    const ring = next(rings, 3000);
    const started = Date.now();
    const answer = await push('event=ring&src=1009&dst=1001&chan=SIP%2F1001-1');
    assert.deepEqual([answer.status, answer.text], [200, '1']);
    const msg = await ring;
    assert.equal(msg.topic, 'ring');
    assert.equal(msg.payload.caller.number, '1009');
    assert.equal(listPolls(), before + 1, 'exactly one poll between the push and the event');
    assert.ok(Date.now() - started < 3000);
  });

  it('the pushes of one change (a hang-up, then the next ring) gather into one poll, PUSH_GATHER_MS after the first', async () => {
    const { rings } = await start();
    const before = listPolls();
    sim.ring('1001', '1009');
    const ring = next(rings, 5000);
    // Frozen: a poll can start only when the test moves the clock; the HTTP of both pushes is real.
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldClearNativeTimers: true });
    try {
      await clock.tickAsync(PUSH_POLL_GAP_MS); // the start poll is long enough ago
      assert.equal((await push('event=hangup&src=1009&dst=1002')).status, 200);
      assert.equal((await push('event=ring&src=1009&dst=1001')).status, 200);
      await clock.tickAsync(PUSH_GATHER_MS - 1);
      assert.equal(listPolls(), before, 'no poll before the gather time is over');
      await clock.tickAsync(1);
      assert.equal((await ring).topic, 'ring');
      assert.equal(listPolls(), before + 1, 'one poll for both pushes');
    } finally {
      clock.restore();
    }
  });

  it('a ring not pushed waits for the interval: no poll before it', async () => {
    const { rings } = await start();
    const before = listPolls();
    sim.ring('1001', '1009');
    let got = false;
    rings.on('input', () => {
      got = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([got, listPolls()], [false, before]);
  });

  it('100 pushes in a burst: at most 2 call_list_all requests, the rest refused above 50 per second', async () => {
    await start();
    const before = listPolls();
    const answers = await burst(Array.from({ length: 100 }, (_, i) => `/metasec-webtapi/events/${TOKEN}?event=ring&n=${i}`));
    const by = (s: number) => answers.filter((a) => a.status === s).length;
    assert.equal(by(200) + by(429), 100);
    assert.ok(by(200) >= 50 && by(429) >= 1, `200: ${by(200)}, 429: ${by(429)}`);
    assert.ok(answers.filter((a) => a.status === 429).every((a) => a.text === 'too many requests'));
    await until(() => !cfg().poller.busy);
    assert.ok(listPolls() - before <= 2, `${listPolls() - before} polls`);
    assert.equal(cfg().feed.accepted, by(200));
  });

  it('a wrong token: the same 404 as any unknown path, byte for byte, and no poll', async () => {
    await start();
    const polls = cfg().poller.polls;
    const wrong = await push('event=ring', undefined, OTHER);
    const wrongPost = await push('', { body: 'event=ring', type: 'application/x-www-form-urlencoded' }, OTHER);
    assert.equal(wrong.status, 404);
    assert.equal(wrongPost.status, 404);
    assert.deepEqual([cfg().poller.polls, cfg().poller.busy, cfg().feed.accepted], [polls, false, 0]);
    // The same path on the same runtime before any config node had a token (the route not added yet).
    await helper.unload();
    await helper.load(NODES, [config(sim)], creds(''));
    const noRoute = await push('event=ring', undefined, OTHER);
    const noRoutePost = await push('', { body: 'event=ring', type: 'application/x-www-form-urlencoded' }, OTHER);
    await helper.setFlows([config(sim)], 'full', creds());
    assert.equal((await push('event=ring')).status, 200, 'the route is there now');
    assert.deepEqual(await push('event=ring', undefined, OTHER), noRoute);
    assert.deepEqual(await push('', { body: 'event=ring', type: 'application/x-www-form-urlencoded' }, OTHER), noRoutePost);
    // Any unknown path: the same answer but for the path it names.
    const unknown = await request(`/metasec-webtapi/nothing/${OTHER}?event=ring`);
    const unnamed = (a: Answer) => ({ ...a, text: a.text.replace(/\/[^\s<]*/g, '/…'), headers: { ...a.headers, 'content-length': '' } });
    assert.deepEqual(unnamed(wrong), unnamed(unknown));
  });

  it('bad requests: 400 with a short reason, nothing emitted, no poll', async () => {
    const { events } = await start();
    const got: Array<Record<string, any>> = [];
    events.on('input', (m: Record<string, any>) => got.push(m));
    const polls = cfg().poller.polls;
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `f${i}=x`).join('&');
    const cases: Array<[string, Promise<Answer>, string]> = [
      [
        'too large (body)',
        push('', { body: JSON.stringify({ event: 'ring', pad: 'x'.repeat(9000) }), type: 'application/json' }),
        'request too large',
      ],
      ['too large (query)', push(`event=ring&${'a='.repeat(1)}${'x'.repeat(8200)}`), 'request too large'],
      ['too many fields', push(`event=ring&${fields(32)}`), 'too many fields'],
      ['a key with a space', push('event=ring&a%20b=1'), 'bad field name'],
      ['a key too long', push(`event=ring&${'k'.repeat(41)}=1`), 'bad field name'],
      [
        'a key reaching the prototype',
        push('', { body: '{"event":"ring","__proto__":{"x":1}}', type: 'application/json' }),
        'bad field name',
      ],
      ['a value too long', push(`event=ring&v=${'x'.repeat(257)}`), 'field value too long'],
      ['no event', push('src=1009'), 'event missing'],
      ['an event that is not a word', push('event=Ring!'), 'event must be a word of a-z, 0-9, _ and -'],
      ['broken JSON', push('', { body: '{"event":"ring"', type: 'application/json' }), 'broken JSON'],
      ['a JSON array', push('', { body: '["ring"]', type: 'application/json' }), 'JSON body must be an object'],
      [
        'a nested JSON value',
        push('', { body: '{"event":"ring","x":{"y":1}}', type: 'application/json' }),
        'field values must be text, numbers or booleans',
      ],
      ['a field given twice', push('event=ring&src=1&src=2'), 'field given twice'],
      ['an unknown body type', push('', { body: 'event=ring', type: 'text/csv' }), 'unsupported body type'],
    ];
    for (const [what, answer, reason] of cases) {
      const a = await answer;
      assert.deepEqual([a.status, a.text], [400, reason], what);
    }
    // The limits themselves pass.
    const edge = await push(`event=${'e'.repeat(32)}&${fields(30)}&${'k'.repeat(40)}=${'v'.repeat(256)}`);
    assert.equal(edge.status, 200, edge.text);
    await until(() => got.length > 0);
    assert.deepEqual(
      got.map((m) => m.topic),
      ['e'.repeat(32)],
      'only the good push was emitted',
    );
    assert.equal(cfg().feed.accepted, 1);
    await until(() => !cfg().poller.busy);
    assert.equal(cfg().poller.polls, polls + 1);
  });

  it('webtapi-event-in: query, form and JSON bodies; only the events it is set to', async () => {
    const { events } = await start({ events: 'door, alarm' });
    const got: Array<Record<string, any>> = [];
    events.on('input', (m: Record<string, any>) => got.push(m));
    assert.equal((await push('event=ring&src=1009')).status, 200);
    assert.equal((await push('event=door&contact=open&door.id=front')).status, 200);
    assert.equal((await push('', { body: 'event=alarm&zone=3', type: 'application/x-www-form-urlencoded' })).status, 200);
    assert.equal(
      (await push('via=json', { body: JSON.stringify({ event: 'door', level: 2, open: true }), type: 'application/json; charset=utf-8' }))
        .status,
      200,
    );
    await until(() => got.length === 3);
    assert.deepEqual(
      got.map((m) => m.topic),
      ['door', 'alarm', 'door'],
    );
    const [door, alarm, json] = got;
    assert.equal(Object.keys(door.payload).join(), 'event,contact,door.id,receivedAt');
    assert.deepEqual(
      { ...door.payload, receivedAt: undefined },
      { event: 'door', contact: 'open', 'door.id': 'front', receivedAt: undefined },
    );
    assert.ok(Math.abs(Date.parse(door.payload.receivedAt) - Date.now()) < 5000);
    assert.match(door.webtapi.remote, /127\.0\.0\.1$/);
    assert.deepEqual([alarm.payload.event, alarm.payload.zone], ['alarm', '3']);
    assert.deepEqual([json.payload.via, json.payload.level, json.payload.open], ['json', 2, true]);
  });

  it('the endpoint disappears on a redeploy without a token, and when the config node closes', async () => {
    await start();
    assert.equal((await push('event=ring')).status, 200);
    const flow = [config(sim), { id: 'ev-again', type: 'webtapi-event-in', server: 'cfg', wires: [[]] }];
    await helper.setFlows(flow, 'full', creds(''));
    assert.equal((await push('event=ring')).status, 404);
    await helper.setFlows(flow, 'full', creds());
    assert.equal((await push('event=ring')).status, 200);
    await helper.unload();
    assert.equal((await push('event=ring')).status, 404);
  });

  it('two config nodes with one token: the second is refused at deploy with an error naming the first, not the token', async () => {
    await helper.load(
      NODES,
      [
        config(sim),
        { ...config(sim), id: 'cfg2', name: 'second' },
        { id: 'ev2', type: 'webtapi-event-in', server: 'cfg2', wires: [['events']] },
        { id: 'events', type: 'helper' },
      ],
      { ...creds(), cfg2: creds().cfg },
    );
    const errors = LOG.at(20, 'cfg2');
    assert.equal(errors.length, 1, JSON.stringify(LOG.texts(30)));
    assert.match(errors[0], /already used by webtapi-config node "pbx" \(cfg\)/);
    assert.equal((await push('event=ring')).status, 200);
    assert.equal(helper.getNode('cfg')!.feed.accepted, 1);
    assert.equal(helper.getNode('cfg2')!.feed.accepted, 0);
    assert.ok(LOG.at(30, 'ev2').some((w) => /no event endpoint/.test(w)));
  });

  it('a token that is too short or not url-safe is refused at deploy', async () => {
    for (const bad of ['short', 'has spaces in it, more than 16', 'ümlaut-ümlaut-ümlaut-ümlaut']) {
      LOG.clear();
      await helper.load(NODES, [config(sim)], creds(bad));
      assert.ok(
        LOG.at(20, 'cfg').some((e) => /the event token must be 16 to 128 characters/.test(e)),
        bad,
      );
      assert.ok(!LOG.texts().some((t) => t.includes(bad)), 'the refused token is not in the log');
      assert.equal((await push('event=ring', undefined, encodeURIComponent(bad))).status, 404);
      await helper.unload();
    }
  });

  it('status: push while pushes arrive, poll with the interval after 10 minutes without one (fake timers)', async () => {
    // An hour's interval: no regular poll runs while the clock jumps.
    await helper.load(
      NODES,
      [
        config(sim),
        { id: 'mon', type: 'webtapi-call-monitor', server: 'cfg', extensions: '1001', interval: 3_600_000, wires: [[]] },
        { id: 'watch', type: 'webtapi-status-watch', server: 'cfg', extensions: '1001', interval: 3_600_000, wires: [[]] },
      ],
      creds(),
    );
    const mon = statuses(helper.getNode('mon')!);
    const watch = statuses(helper.getNode('watch')!);
    await settleStatus(mon, (s) => s.text === '0 calls · poll 3600 s', 'poll');
    await settleStatus(watch, (s) => s.text === 'watching 1 · poll 3600 s', 'poll');
    const clock = sinon.useFakeTimers({
      now: Date.now(),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
      shouldAdvanceTime: true,
      shouldClearNativeTimers: true,
    });
    try {
      assert.equal((await push('event=ring')).status, 200);
      await settleStatus(mon, (s) => s.text === '0 calls · push', 'push');
      await settleStatus(watch, (s) => s.text === 'watching 1 · push', 'push');
      await until(() => !cfg().poller.busy);
      clock.tick(PUSH_FRESH_MS - 60_000);
      assert.equal(cfg().feed.arriving, true);
      clock.tick(60_000);
      await settleStatus(mon, (s) => s.text === '0 calls · poll 3600 s', 'poll again');
      await settleStatus(watch, (s) => s.text === 'watching 1 · poll 3600 s', 'poll again');
      assert.ok(cfg().feed.lastPushAt > 0);
    } finally {
      clock.restore();
    }
  });

  it('never shows the token: log at every level, statuses, messages', async () => {
    const { events, monitor } = await start();
    const shown = statuses(monitor);
    const evShown = statuses(helper.getNode('ev')!);
    const got: unknown[] = [];
    events.on('input', (m: unknown) => got.push(m));
    await push('event=ring&src=1009');
    await push('event=bad word');
    await push('', { body: '{', type: 'application/json' });
    await Promise.all(Array.from({ length: 60 }, () => push('event=flood')));
    await until(() => got.length >= 2 && !cfg().poller.busy);
    await helper.unload();
    const places = [...LOG.texts(), JSON.stringify(shown), JSON.stringify(evShown), JSON.stringify(got)];
    assert.ok(LOG.entries.length > 0);
    for (const p of places) assert.ok(!p.includes(TOKEN), `the token in: ${p.slice(0, 200)}`);
  });

  it('a whole Node-RED (child process): the endpoint is behind httpNodeAuth like any http-in node', async function () {
    this.timeout(60_000);
    const bcrypt = require('bcryptjs') as { hashSync(s: string, rounds: number): string };
    const nr = await startChild({ extra: { httpNodeAuth: { user: 'pbx', pass: bcrypt.hashSync('door-pass', 4) } }, timeoutMs: 45_000 });
    try {
      const flows = [
        { id: 'tab', type: 'tab', label: 'events' },
        childConfig(sim.url, { username: '1004', password: PASSWORD, eventToken: TOKEN }),
        { id: 'ev', type: 'webtapi-event-in', z: 'tab', server: 'cfg', events: '', wires: [[]] },
      ];
      const deployed = await fetch(`${nr.url}flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flows),
      });
      assert.ok(deployed.status === 200 || deployed.status === 204, `deploy: HTTP ${deployed.status}`);
      const url = `${nr.url}metasec-webtapi/events/${TOKEN}?event=ring`;
      await until(
        async () =>
          (await fetch(url, { headers: { authorization: `Basic ${Buffer.from('pbx:door-pass').toString('base64')}` } })).status === 200,
        15_000,
      );
      assert.equal((await fetch(url)).status, 401);
      assert.equal((await fetch(url, { headers: { authorization: `Basic ${Buffer.from('pbx:wrong').toString('base64')}` } })).status, 401);
      const ok = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('pbx:door-pass').toString('base64')}` } });
      assert.deepEqual([ok.status, await ok.text()], [200, '1']);
      assert.ok(!nr.output().includes(TOKEN), 'the token is not in the console log');
    } finally {
      await nr.stop(20_000);
      fs.rmSync(nr.userDir, { recursive: true, force: true });
    }
  });
});
