/*
 * webtapi-relay-set in the real runtime against the simulator over HTTP: first what it does (status,
 * toggle, pulse, the dialog's fields fixed, the audit line), then its guards: the pulse's ceiling
 * (maxPulse), "off" wins over a running pulse (across nodes), the PIN with its lock-out, and the
 * audit line's `by=`. Each success beside its refusal. Where time is the subject (a 10 s pulse,
 * a 5 minute lock-out) it runs on sinon's fake clock.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Simulator } from '../../dist/simulator';
import {
  ALL,
  CREDS,
  LEVEL,
  LOG,
  Nodes,
  Outcome,
  TestNode,
  caughtCode,
  config,
  helper,
  loadFlow,
  next,
  outcome,
  pollClock,
  statuses,
  until,
  useNodeSimulator,
} from './harness';

/** The relay_status_set requests the simulator saw, as "relay=status". */
function writes(sim: Simulator): string[] {
  return sim.requests.filter((r) => r.action === 'relay_status_set').map((r) => `${r.params.relay_id}=${r.params.status}`);
}

/** The audit lines of node `id` (info level). */
function trail(id = 'n1'): string[] {
  return LOG.at(LEVEL.INFO, id).filter((l) => l.startsWith('audit '));
}

describe('webtapi-relay-set', () => {
  const env = useNodeSimulator();

  const relay = (id: string) => env.sim.state.relays.get(id)!.status;

  it('maps on/off/true/false/1/0/numbers to a status and answers it as a number (status left empty in the dialog)', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: '' });
    const cases: Array<[unknown, number]> = [
      ['on', 1],
      ['off', 0],
      [true, 1],
      [false, 0],
      [1, 1],
      [0, 0],
      ['5', 5],
      ['ON', 1],
    ];
    for (const [status, expected] of cases) {
      const r = await outcome(nodes, { payload: status });
      assert.ok(r.out, JSON.stringify(r.error));
      assert.equal(r.out.payload, expected, String(status));
      assert.equal(relay('17'), expected);
    }
    const r = await outcome(nodes, { payload: 'ajar' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT');
    assert.equal(env.sim.stats.executed.relay_status_set, cases.length);
  });

  it('reads the node property relayStatus (a TypedInput), and a hand-written status property', async () => {
    let nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '18', relayStatus: 'gate', relayStatusType: 'global' });
    nodes.n1.context().global.set('gate', 'on');
    let r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 1);
    nodes.n1.context().global.set('gate', 0);
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 0);
    await helper.unload();
    nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '18', status: 'on' });
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 1);
    // What the editor would deploy if the property were called status: ignored, the default applies.
    await helper.unload();
    nodes = await loadFlow(env.sim, 'webtapi-relay-set', {
      relay: '18',
      relayStatus: 'off',
      status: { fill: 'green', shape: 'dot', text: 'ok' },
    });
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 0);
  });

  it('toggles by reading the status first', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '18', status: 'toggle' });
    let r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 1);
    r = await outcome(nodes, {});
    assert.equal(r.out?.payload, 0);
    assert.equal(env.sim.stats.byAction.relay_status_get, 2);
  });

  it('pulses: on, wait, off, and the message leaves once it is done', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', status: 'on', pulse: 150 });
    // The pulse's timer and the time measured on one fake clock: the wait is the node's, not the machine's.
    const clock = pollClock();
    let r: Outcome;
    try {
      const started = Date.now();
      const pending = outcome(nodes, {});
      await until(() => relay('17') === 1);
      r = await pending;
      assert.ok(Date.now() - started >= 140);
    } finally {
      clock.restore();
    }
    assert.equal(r.out?.payload, 0);
    assert.equal(relay('17'), 0);
    assert.equal(env.sim.stats.executed.relay_status_set, 2);
  });

  it('a message cannot change a relay, status or pulse set in the dialog', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on', pulse: 20 });
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
    const sets = env.sim.requests.filter((q) => q.action === 'relay_status_set').map((q) => `${q.params.relay_id}=${q.params.status}`);
    assert.deepEqual(
      sets,
      tries.flatMap(() => ['17=1', '17=0']),
    );
    assert.equal(relay('18'), 0);
    assert.equal(relay('19'), 0);
  });

  it('a pulse of 0 in the dialog is fixed: a message cannot make a pulse of it', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: '', pulse: 0 });
    const r = await outcome(nodes, { payload: 'on', pulse: 20 });
    assert.equal(r.out?.payload, 1);
    assert.equal(relay('17'), 1, 'switched on, not pulsed');
    assert.equal(env.sim.stats.executed.relay_status_set, 1);
  });

  it('fills a relay, status and pulse left empty in the dialog from the message', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '', relayStatus: '', pulse: '' });
    let r = await outcome(nodes, { payload: { relay: '18', status: 'on', pulse: 20 } });
    assert.equal(r.out?.payload, 0, 'a pulse');
    assert.deepEqual(
      env.sim.requests.filter((q) => q.action === 'relay_status_set').map((q) => `${q.params.relay_id}=${q.params.status}`),
      ['18=1', '18=0'],
    );
    r = await outcome(nodes, { relay: '19', payload: true });
    assert.equal(r.out?.payload, 1);
    assert.equal(relay('19'), 1);
    r = await outcome(nodes, { relay: '19' });
    assert.equal(r.out?.payload, 1, 'no status anywhere: on');
    const before = env.sim.stats.requests;
    r = await outcome(nodes, { payload: 'on' });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT', 'no relay anywhere');
    assert.equal(env.sim.stats.requests, before);
  });

  it('switches back at once when Node-RED stops during a pulse, and says so in the log', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', status: 'on', pulse: 60_000 });
    // The helper restores its log spies before it stops the flows: watch this node's warnings directly.
    const warnings: string[] = [];
    nodes.n1.warn = (m: unknown) => {
      warnings.push(String(m));
    };
    nodes.n1.receive({});
    await until(() => relay('17') === 1);
    await helper.unload();
    assert.equal(relay('17'), 0);
    assert.ok(
      warnings.some((w) => /pulse cut short by shutdown, switching back to 0/.test(w)),
      'no log line about the interrupted pulse',
    );
    assert.equal(env.sim.stats.executed.relay_status_set, 2);
  });

  it('logs every switch for the audit trail (node id, action, target)', async () => {
    const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '19', status: 'on' });
    await outcome(nodes, {});
    const lines = helper.log().args.map((a: any[]) => JSON.stringify(a[0]));
    assert.ok(
      lines.some((l: string) => l.includes('audit node=n1 action=relay_status_set by=flow relay_id=19 status=1')),
      lines.join('\n'),
    );
  });
});

describe('webtapi-relay-set guards', function () {
  this.timeout(30_000);
  const env = useNodeSimulator();
  before(() => LOG.install());
  beforeEach(() => LOG.clear());

  describe('maxPulse', () => {
    it('a pulse within maxPulse runs (from the dialog and from a message)', async () => {
      const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on', pulse: '', maxPulse: 1000 });
      const r = await outcome(nodes, { pulse: 40 });
      assert.equal(r.out?.payload, 0, JSON.stringify(r.error));
      assert.deepEqual(writes(env.sim), ['17=1', '17=0']);
    });

    it('a pulse above maxPulse is refused, nothing sent: from a message, the dialog, or context', async () => {
      let nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on', pulse: '' });
      for (const msg of [{ pulse: 60_001 }, { payload: { pulse: '86400000' } }]) {
        const r = await outcome(nodes, msg);
        assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT', JSON.stringify(msg));
        assert.match(r.error?.error.message, /longer than the node's maxPulse of 60000 ms/);
      }
      await helper.unload();
      nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on', pulse: 5000, maxPulse: 4999 });
      assert.equal(caughtCode((await outcome(nodes, {})).error), 'WEBTAPI_INVALID_INPUT');
      await helper.unload();
      // A pulse read from global context (a TypedInput type a hand-written flow can give it).
      nodes = await loadFlow(env.sim, 'webtapi-relay-set', {
        relay: '17',
        relayStatus: 'on',
        pulse: 'doorPulse',
        pulseType: 'global',
        maxPulse: 2000,
      });
      nodes.n1.context().global.set('doorPulse', 2001);
      assert.equal(caughtCode((await outcome(nodes, {})).error), 'WEBTAPI_INVALID_INPUT');
      assert.equal(env.sim.stats.byAction.relay_status_set, undefined, 'something reached the PBX');
      assert.deepEqual(writes(env.sim), []);
    });

    it('an invalid maxPulse in the flow falls back to 60000 with a warning (not to "no ceiling")', async () => {
      const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on', pulse: '', maxPulse: 'forever' });
      assert.ok(
        LOG.at(LEVEL.WARN, 'n1').some((l) => /maxPulse must be a whole number .* using 60000/.test(l)),
        LOG.texts(30).join('\n'),
      );
      assert.equal(caughtCode((await outcome(nodes, { pulse: 60_001 })).error), 'WEBTAPI_INVALID_INPUT');
      assert.deepEqual(writes(env.sim), []);
    });
  });

  describe('"off" wins', () => {
    /** Node `door` pulses relay 17 for 10 s, node `other` switches it as the message says; one server. */
    async function twoNodes(): Promise<{ door: TestNode; other: TestNode; doorOut: TestNode; otherOut: TestNode; caught: TestNode }> {
      await helper.load(
        ALL,
        [
          config(env.sim),
          { id: 'door', type: 'webtapi-relay-set', server: 'cfg', relay: '17', relayStatus: 'on', pulse: 10_000, wires: [['doorOut']] },
          { id: 'other', type: 'webtapi-relay-set', server: 'cfg', relay: '17', relayStatus: '', pulse: '', wires: [['otherOut']] },
          { id: 'doorOut', type: 'helper' },
          { id: 'otherOut', type: 'helper' },
          { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
          { id: 'caught', type: 'helper' },
        ],
        CREDS,
      );
      const [door, other, doorOut, otherOut, caught] = ['door', 'other', 'doorOut', 'otherOut', 'caught'].map((id) => helper.getNode(id)!);
      // Log in before the clock stops: the first request of the test is then the switch itself.
      await outcome({ n1: other, out: otherOut, caught }, { payload: 0 });
      env.sim.requests.length = 0;
      LOG.clear();
      return { door, other, doorOut, otherOut, caught };
    }

    let clock: sinon.SinonFakeTimers | undefined;
    afterEach(() => {
      clock?.restore();
      clock = undefined;
    });

    for (const [what, status] of [
      ['"off"', 'off'],
      ['a toggle', 'toggle'],
      ['status 0', 0],
    ] as const) {
      it(`${what} from another node during a 10 s pulse: relay back to 0 at once, the pulse's message completes, no later write sets 1`, async () => {
        const n = await twoNodes();
        clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldClearNativeTimers: true });
        const doorDone = next(n.doorOut);
        const pulsing = new Promise<void>((resolve) =>
          n.door.on('call:status', (c: { args: Array<{ text?: string }> }) => {
            if (/^pulse 10000 ms$/.test(c.args[0]?.text ?? '')) resolve();
          }),
        );
        n.door.receive({ topic: 'door/17/open', qos: 0, retain: false, payload: 'on' });
        await pulsing;
        assert.equal(env.sim.state.relays.get('17')!.status, 1);
        const t0 = Date.now();
        const otherDone = next(n.otherOut);
        n.other.receive({ payload: status, _client: { socketId: 'sock-1', socketIp: '127.0.0.1' } });
        const [door, other] = await Promise.all([doorDone, otherDone]);
        assert.ok(Date.now() - t0 <= 500, `back after ${Date.now() - t0} ms of the fake clock`);
        assert.equal(env.sim.state.relays.get('17')!.status, 0);
        assert.equal(door.payload, 0, 'the pulse message completes with the final status');
        assert.equal(other.payload, 0);
        assert.deepEqual(writes(env.sim), ['17=1', '17=0'], 'one switch-back, not the pulse\'s and the "off"');
        // The pulse's own time comes and goes: nothing sets the relay again.
        await clock.tickAsync(15_000);
        assert.deepEqual(writes(env.sim), ['17=1', '17=0']);
        assert.equal(env.sim.state.relays.get('17')!.status, 0);
        assert.deepEqual(
          [...trail('door'), ...trail('other')],
          [
            'audit node=door action=relay_status_set by=mqtt:door/17/open relay_id=17 status=1',
            'audit node=other action=relay_status_set by=dashboard:sock-1 relay_id=17 status=0',
          ],
        );
      });
    }

    it('a switch to another status during the pulse does not end it: it waits for the switch-back', async () => {
      const n = await twoNodes();
      clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldClearNativeTimers: true });
      const doorDone = next(n.doorOut);
      const pulsing = new Promise<void>((resolve) =>
        n.door.on('call:status', (c: { args: Array<{ text?: string }> }) => {
          if (/^pulse/.test(c.args[0]?.text ?? '')) resolve();
        }),
      );
      n.door.receive({});
      await pulsing;
      let answered = false;
      const otherDone = next(n.otherOut).then((m) => {
        answered = true;
        return m;
      });
      n.other.receive({ payload: 'on' });
      await clock.tickAsync(5000);
      assert.equal(answered, false);
      assert.deepEqual(writes(env.sim), ['17=1']);
      await clock.tickAsync(5100);
      const [door, other] = await Promise.all([doorDone, otherDone]);
      assert.equal(door.payload, 0);
      assert.equal(other.payload, 1);
      assert.deepEqual(writes(env.sim), ['17=1', '17=0', '17=1']);
    });
  });

  describe('PIN (credential code)', () => {
    const PIN = 'pin-K7Q93';
    const WRONG = 'pin-W0NG5';
    const door = { relay: '17', relayStatus: 'on' };
    /*
     * Each test its own node id: the count of wrong codes is kept per node id for the runtime's
     * lifetime (that is the point), so a node id reused by the next test would start locked.
     */
    async function load(id: string, pin: string | null = PIN): Promise<Nodes> {
      await helper.load(
        ALL,
        [
          config(env.sim),
          { id, type: 'webtapi-relay-set', name: 'door', server: 'cfg', ...door, wires: [['out']] },
          { id: 'out', type: 'helper' },
          { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
          { id: 'caught', type: 'helper' },
        ],
        pin === null ? CREDS : { ...CREDS, [id]: { code: pin } },
      );
      return { n1: helper.getNode(id)!, out: helper.getNode('out')!, caught: helper.getNode('caught')! };
    }

    it('opens with the right code, as text or number; msg.code is not on the output', async () => {
      let nodes = await load('pin-ok');
      let r = await outcome(nodes, { code: PIN });
      assert.equal(r.out?.payload, 1, JSON.stringify(r.error));
      assert.ok(!('code' in r.out!), 'msg.code travelled on');
      await helper.unload();
      nodes = await load('pin-number', '4711');
      // The dialog's status "on" is fixed: the message's "off" does not change it.
      r = await outcome(nodes, { code: 4711, payload: 'off' });
      assert.equal(r.out?.payload, 1, JSON.stringify(r.error));
      assert.deepEqual(writes(env.sim), ['17=1', '17=1']);
    });

    it('does not open without the code, or with a wrong one: WEBTAPI_ACCESS_DENIED, nothing sent, the code not on the message', async () => {
      const nodes = await load('pin-refused');
      for (const msg of [
        {},
        { code: '' },
        { code: WRONG },
        { code: 4712 },
        { code: ` ${PIN}` },
        { code: [PIN] },
        { payload: { code: PIN } },
      ]) {
        const r = await outcome(nodes, { ...msg });
        assert.equal(caughtCode(r.error), 'WEBTAPI_ACCESS_DENIED', JSON.stringify(msg));
        assert.ok(!('code' in r.error!), 'msg.code reached the Catch node');
      }
      assert.equal(env.sim.stats.byAction.relay_status_set, undefined);
      assert.deepEqual(writes(env.sim), []);
    });

    it('a node without a PIN opens without a code, and still takes msg.code off the message', async () => {
      const nodes = await load('pin-none', null);
      const r = await outcome(nodes, { code: '1234' });
      assert.equal(r.out?.payload, 1);
      assert.ok(!('code' in r.out!));
    });

    it('locks out after 5 wrong codes within 5 minutes: the right code is refused for 5 minutes, status "locked, n s"; then it opens', async () => {
      const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      try {
        const nodes = await load('pin-lock');
        const seen = statuses(nodes.n1);
        for (let i = 1; i <= 4; i++) {
          clock.tick(50_000);
          const r = await outcome(nodes, { code: WRONG });
          assert.equal(caughtCode(r.error), 'WEBTAPI_ACCESS_DENIED');
          assert.doesNotMatch(r.error?.error.message, /locked/);
        }
        clock.tick(50_000);
        const fifth = await outcome(nodes, { code: WRONG });
        assert.match(fifth.error?.error.message, /locked for 300 s/);
        assert.ok(LOG.at(LEVEL.WARN, 'pin-lock').some((l) => /locked for 300 s after 5 wrong codes/.test(l)));
        for (const wait of [1000, 200_000, 98_000]) {
          clock.tick(wait);
          const r = await outcome(nodes, { code: PIN });
          assert.equal(caughtCode(r.error), 'WEBTAPI_ACCESS_DENIED', `right code opened ${wait} ms into the lock-out`);
        }
        await until(() => seen.some((st) => st.text === 'locked, 1 s'));
        assert.ok(
          seen.some((st) => st.text === 'locked, 300 s' && st.fill === 'red'),
          JSON.stringify(seen),
        );
        assert.deepEqual(writes(env.sim), []);
        clock.tick(2000);
        const r = await outcome(nodes, { code: PIN });
        assert.equal(r.out?.payload, 1, JSON.stringify(r.error));
        assert.deepEqual(writes(env.sim), ['17=1']);
      } finally {
        clock.restore();
      }
    });

    it('wrong codes spread over more than 5 minutes do not lock', async () => {
      const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      try {
        const nodes = await load('pin-spread');
        for (let i = 0; i < 8; i++) {
          clock.tick(76_000); // never 5 within 300 s: at most 4
          assert.equal(caughtCode((await outcome(nodes, { code: WRONG })).error), 'WEBTAPI_ACCESS_DENIED');
        }
        const r = await outcome(nodes, { code: PIN });
        assert.equal(r.out?.payload, 1, JSON.stringify(r.error));
      } finally {
        clock.restore();
      }
    });

    it('the lock-out survives a redeploy of the node itself (and does not spill over to another node)', async () => {
      let nodes = await load('pin-redeploy');
      for (let i = 0; i < 5; i++) await outcome(nodes, { code: WRONG });
      await helper.unload();
      nodes = await load('pin-redeploy');
      const seen = statuses(nodes.n1);
      const r = await outcome(nodes, { code: PIN });
      assert.match(r.error?.error.message ?? '', /locked/, 'a redeploy gave a fresh set of tries');
      assert.ok(seen.some((st) => /^locked, \d+ s$/.test(st.text ?? '')));
      await helper.unload();
      nodes = await load('pin-other');
      const other = await outcome(nodes, { code: PIN });
      assert.equal(other.out?.payload, 1, JSON.stringify(other.error));
      assert.deepEqual(writes(env.sim), ['17=1']);
    });

    it('the code is in no log line (trace level included), audit line, status or message', async () => {
      const nodes = await load('pin-secret');
      const seen = statuses(nodes.n1);
      const results = [await outcome(nodes, { code: WRONG }), await outcome(nodes, {}), await outcome(nodes, { code: PIN })];
      for (let i = 0; i < 5; i++) results.push(await outcome(nodes, { code: WRONG }));
      results.push(await outcome(nodes, { code: PIN }));
      assert.ok(
        LOG.texts(LEVEL.TRACE).some((t) => t.startsWith(`${LEVEL.TRACE} `)),
        'the capture holds no trace lines',
      );
      const texts = [...LOG.texts(LEVEL.TRACE), ...seen.map((st) => JSON.stringify(st)), ...results.map((r) => JSON.stringify(r))];
      for (const secret of [PIN, WRONG])
        assert.deepEqual(
          texts.filter((t) => t.includes(secret)),
          [],
          `${secret} shown`,
        );
      const denied = (why: string) => `audit node=pin-secret action=relay_status_set by=flow denied=${why} result=WEBTAPI_ACCESS_DENIED`;
      assert.deepEqual(trail('pin-secret'), [
        denied('wrong'),
        denied('missing'),
        'audit node=pin-secret action=relay_status_set by=flow relay_id=17 status=1',
        ...Array.from({ length: 5 }, () => denied('wrong')),
        denied('locked'),
      ]);
    });
  });

  describe('by= in the audit line', () => {
    const shapes: Array<[string, Record<string, unknown>, string]> = [
      ['a plain flow message', {}, 'by=flow'],
      ['a Dashboard 2.0 message (socket)', { _client: { socketId: 'AbC_123', socketIp: '10.0.0.9' } }, 'by=dashboard:AbC_123'],
      [
        'a Dashboard 2.0 message with a login',
        { _client: { user: { userId: 'u1', username: 'Jane Doe' }, socketId: 'AbC_123' } },
        'by="dashboard:Jane Doe"',
      ],
      ['an http in message', { req: { ip: '192.0.2.7', socket: { remoteAddress: '192.0.2.7' } }, res: {} }, 'by=http:192.0.2.7'],
      ['an mqtt in message', { topic: 'home/door/17/set', qos: 1, retain: false }, 'by=mqtt:home/door/17/set'],
      ['an inject message with a topic (no qos/retain): not MQTT', { topic: 'home/door' }, 'by=flow'],
    ];
    for (const [what, msg, by] of shapes) {
      it(`${what}: ${by}`, async () => {
        const nodes = await loadFlow(env.sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on' });
        assert.ok((await outcome(nodes, { ...msg })).out);
        assert.deepEqual(trail(), [`audit node=n1 action=relay_status_set ${by} relay_id=17 status=1`]);
      });
    }

    it('a passed-through parameter cannot make the line read like another action: values are quoted', async () => {
      const nodes = await loadFlow(env.sim, 'webtapi-request', { action: 'door_note' });
      const forged = 'x action=relay_status_set relay_id=18 status=1';
      const r = await outcome(nodes, { payload: { text: forged, q: 'say "hi" \\ bye' }, _client: { user: { username: 'a=b "c"' } } });
      assert.equal(caughtCode(r.error), 'WEBTAPI_ACTION_FAILED');
      const lines = trail();
      assert.deepEqual(lines, [
        'audit node=n1 action=door_note by="dashboard:a=b \\"c\\"" text="x action=relay_status_set relay_id=18 status=1" q="say \\"hi\\" \\\\ bye" result=WEBTAPI_ACTION_FAILED',
      ]);
      // Read back as key=value pairs (quoted values as one): one action, the one sent.
      const pairs = [...lines[0].matchAll(/ ([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ ]*)/g)].map((m) => m[1]);
      assert.deepEqual(pairs, ['node', 'action', 'by', 'text', 'q', 'result']);
    });
  });
});
