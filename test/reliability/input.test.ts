/*
 * Bad input: every field of every node fed with wrong types, empty values, huge strings, unicode
 * and injection attempts. Each message ends in WEBTAPI_INVALID_INPUT with nothing sent to the PBX,
 * or in a request whose every parameter is one the action takes, in a form its validator accepts
 * (so `&`, `=`, `%`, line breaks or `../` can never add or change a parameter). Never a crash.
 */
import assert from 'node:assert/strict';
import type { Simulator } from '../../dist/simulator';
import { ACTIONS } from '../../dist/client';
import {
  ALL,
  configNode,
  CREDS,
  helper,
  lastStatus,
  loadNode,
  Nodes,
  send,
  statuses,
  until,
  LOG,
  LEVEL,
  caughtCode,
  useSubjectSimulator,
} from './kit';

const MB = 1024 * 1024;

function circular(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

/**
 * Node-RED cannot clone a message holding this (its Catch path copies the message), so its error
 * reaches no Catch node; the node must still send nothing and survive.
 */
const UNCLONABLE = 'a Proxy whose every trap throws';

/** Values no field takes as they are. */
export const BAD_VALUES: Array<[string, () => unknown]> = [
  ['null', () => null],
  ['empty string', () => ''],
  ['spaces only', () => '   '],
  ['an object', () => ({ a: 1 })],
  ['an empty array', () => []],
  ['an array', () => ['1001', '1002']],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-1', () => -1],
  ['1.5', () => 1.5],
  ['1e300', () => 1e300],
  ['true', () => true],
  ['false', () => false],
  ['a Buffer', () => Buffer.from('1001')],
  ['a Date', () => new Date(0)],
  ['a symbol', () => Symbol('x')],
  ['a bigint', () => 10n],
  ['a function', () => () => 1],
  ['a circular object', circular],
  [
    'an object whose toString throws',
    () => ({
      toString() {
        throw new Error('toString trap');
      },
    }),
  ],
  [
    UNCLONABLE,
    () =>
      new Proxy(
        {},
        {
          get() {
            throw new Error('get trap');
          },
          ownKeys() {
            throw new Error('ownKeys trap');
          },
          getPrototypeOf() {
            throw new Error('proto trap');
          },
        },
      ),
  ],
  ['1 MB of text', () => 'x'.repeat(MB)],
  ['1 MB of digits', () => '1'.repeat(MB)],
  ['unicode', () => 'Tür 🚪 門'],
  ['a zero-width space', () => '1001\u200b'],
  ['a lone surrogate', () => '1001\ud800'],
  ['NUL', () => '10\u000001'],
  ['& with a second parameter', () => '1001&action=call&dst=1002'],
  ['=', () => 'dst=1002'],
  ['%-encoding', () => '1001%26action%3Dcall'],
  ['%00', () => '1001%00'],
  ['a newline with a header', () => '1001\r\nX-Injected: 1'],
  ['../', () => '../../etc/passwd'],
  ['SID=', () => 'SID=0123456789abcdef'],
  ['a prototype key', () => '__proto__'],
  ['HTML', () => '<script>alert(1)</script>'],
  [
    'a thenable that never settles',
    () => ({
      then() {
        /* never */
      },
    }),
  ],
];

/** A node type under test: the field a scalar payload fills and the actions it may send. */
interface NodeType {
  type: string;
  primary: string;
  /** Actions this node may send. */
  actions: string[];
  /** Parameters the action does not know are passed through (webtapi-request). */
  passThrough?: boolean;
}

/** One way to drive a node type. */
interface Drive {
  /** Which way, where a type is driven more than one (in the test name). */
  variant?: string;
  /** The dialog: the fields under test are left empty in it, so the message fills them. */
  props: Record<string, unknown>;
  /** A valid payload (fresh for each message). */
  base(sim: Simulator): Record<string, unknown>;
  fields: string[];
}

type Case = NodeType & Drive & { name: string };

function casesOf(t: NodeType, ...drives: Drive[]): Case[] {
  return drives.map((d) => ({ ...t, ...d, name: d.variant ? `${t.type} (${d.variant})` : t.type }));
}

const ring = (sim: Simulator, ext: string) => sim.ring(ext);

const CASES: Case[] = [
  ...casesOf(
    { type: 'webtapi-call', primary: 'dst', actions: ['call', 'call_prio', 'call_create_conf', 'call_pick'] },
    { variant: 'call', props: {}, base: () => ({ mode: 'call', src: '1001', dst: '1002' }), fields: ['mode', 'src', 'dst'] },
    {
      variant: 'conference',
      props: { mode: 'conference' },
      base: () => ({ mode: 'conference', stations: '1004,1005', break: true }),
      fields: ['stations', 'break'],
    },
    {
      variant: 'pickup',
      props: { mode: 'pickup', dst: '1006' },
      base: (sim) => ({ mode: 'pickup', chan: ring(sim, '1003'), dst: '1006' }),
      fields: ['chan'],
    },
  ),
  ...casesOf(
    { type: 'webtapi-hangup', primary: 'target', actions: ['call_hangup', 'call_list_all'] },
    { props: {}, base: (sim) => ({ target: ring(sim, '1003') }), fields: ['target'] },
  ),
  ...casesOf(
    {
      type: 'webtapi-queue-agent',
      primary: 'operation',
      actions: ['agent_login', 'agent_logout', 'agent_list', 'q_call_list', 'q_waiting_list', 'q_list', 'q_shift_caller', 'q_caller_del'],
    },
    {
      variant: 'login',
      props: {},
      base: (sim) => {
        const q = sim.state.queues.get('SUPPORT')!;
        q.agents = q.agents.filter((a) => a !== '1007');
        return { operation: 'login', queue: 'SUPPORT', agent: '1007' };
      },
      fields: ['operation', 'queue', 'agent'],
    },
    {
      variant: 'shift',
      props: { operation: 'shift', queue: 'VMX' },
      base: () => ({ operation: 'shift', queue: 'VMX', chan: 'SIP/1001-00000001', position: 1 }),
      fields: ['chan', 'position'],
    },
  ),
  ...casesOf(
    { type: 'webtapi-relay-set', primary: 'status', actions: ['relay_status_set', 'relay_status_get'] },
    { props: {}, base: () => ({ relay: '17', status: 'on' }), fields: ['relay', 'status', 'pulse'] },
  ),
  ...casesOf(
    { type: 'webtapi-cam-snapshot', primary: 'camera', actions: ['vmx_cam_get_pic', 'vmx_cam_p_save', 'vmx_cam_s_record', 'vmx_cam_list'] },
    { props: {}, base: () => ({ camera: '44', operation: 'picture', output: 'buffer' }), fields: ['camera', 'operation', 'output'] },
  ),
  // Any documented action may be named; what matters is that every parameter is valid.
  ...casesOf(
    { type: 'webtapi-request', primary: 'action', actions: [...ACTIONS.keys()], passThrough: true },
    { props: {}, base: () => ({ action: 'relay_status_get', relay_id: '18' }), fields: ['action', 'relay_id'] },
  ),
];

/** Every request the PBX got since `from`: the action is one the node sends, every parameter valid. */
function checkRequests(sim: Simulator, from: number, c: Case, what: string): number {
  const fresh = sim.requests.slice(from);
  for (const r of fresh) {
    if (r.action === 'login') continue;
    if (r.action === 'call_status_get' && Object.keys(r.params).length === 0) continue; // the session probe
    assert.ok(c.actions.includes(r.action), `${what}: unexpected action ${JSON.stringify(r.action)}`);
    const spec = ACTIONS.get(r.action)!;
    for (const [k, v] of Object.entries(r.params)) {
      const p = Object.hasOwn(spec.params, k) ? spec.params[k] : undefined;
      if (!p && c.passThrough) {
        assert.match(k, /^[A-Za-z_][A-Za-z0-9_]{0,31}$/, `${what}: parameter name`);
        // eslint-disable-next-line no-control-regex -- control characters are what this asserts absent
        assert.ok(v.length <= 1024 && !/[\u0000-\u001f\u007f]/.test(v), `${what}: ${k}=${JSON.stringify(v).slice(0, 60)}`);
        continue;
      }
      assert.ok(p, `${what}: ${r.action} got a parameter it does not take: ${JSON.stringify(k).slice(0, 60)}`);
      assert.equal(p.validate(r.action, k, v), v, `${what}: ${r.action} ${k}=${JSON.stringify(v).slice(0, 60)} is not a valid value`);
    }
  }
  return fresh.length;
}

function without(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const rest = { ...o };
  delete rest[key];
  return rest;
}

describe('reliability: bad input on every field of every node', function () {
  this.timeout(120_000);
  const sim = useSubjectSimulator();

  for (const c of CASES) {
    for (const field of c.fields) {
      it(`${c.name}: ${field}`, async () => {
        const nodes: Nodes = await loadNode(sim, c.type, c.props);
        const seen = statuses(nodes.n1);
        let outputs = 0;
        let errors = 0;
        nodes.out.on('input', () => {
          outputs++;
        });
        nodes.caught.on('input', () => {
          errors++;
        });
        let sent = 0;
        const tally: Record<string, number> = {};
        for (const [label, make] of BAD_VALUES) {
          const routes: Array<[string, () => Record<string, unknown>]> = [
            ['msg.payload.' + field, () => ({ payload: { ...c.base(sim), [field]: make() } })],
            ['msg.' + field, () => ({ payload: without(c.base(sim), field), [field]: make() })],
          ];
          if (field === c.primary) routes.push(['msg.payload (scalar)', () => ({ ...without(c.base(sim), field), payload: make() })]);
          for (const [route, build] of routes) {
            const what = `${c.name} ${route} = ${label}`;
            const from = sim.requests.length;
            if (label === UNCLONABLE) {
              const shown = seen.length;
              nodes.n1.receive(build());
              await until(() => seen.length > shown && lastStatus(seen).fill === 'red');
              assert.equal(checkRequests(sim, from, c, what), 0, `${what}: a request was sent`);
              continue;
            }
            const r = await send(nodes, build());
            sent++;
            const requests = checkRequests(sim, from, c, what);
            if (r.error) {
              const code = caughtCode(r.error) ?? 'none';
              tally[code] = (tally[code] ?? 0) + 1;
              assert.ok(
                code === 'WEBTAPI_INVALID_INPUT' || code === 'WEBTAPI_ACTION_FAILED',
                `${what}: error without a clear code: ${JSON.stringify(r.error.error).slice(0, 300)}`,
              );
              if (code === 'WEBTAPI_INVALID_INPUT') {
                assert.equal(requests, 0, `${what}: rejected, but a request was sent`);
                assert.ok(
                  String(r.error.error.message).length < 400,
                  `${what}: the error message is ${String(r.error.error.message).length} characters long`,
                );
              }
            } else {
              tally.ok = (tally.ok ?? 0) + 1;
            }
          }
        }
        await until(() => outputs + errors === sent);
        assert.equal(outputs + errors, sent, 'one outcome per message');
        assert.ok((tally.WEBTAPI_INVALID_INPUT ?? 0) > 0, `nothing was rejected: ${JSON.stringify(tally)}`);
        // The status line never repeats the bad value (1 MB of it, say).
        assert.ok(
          seen.every((s) => (s.text ?? '').length <= 64),
          JSON.stringify(seen.find((s) => (s.text ?? '').length > 64))?.slice(0, 200),
        );
        // Node-RED's log got no megabyte lines either.
        assert.ok(
          LOG.texts(LEVEL.TRACE).every((l) => l.length < 4096),
          'a log line longer than 4 KiB',
        );
      });
    }
  }

  it('webtapi-request: parameter names and values from the payload', async () => {
    const nodes = await loadNode(sim, 'webtapi-request', { action: 'call_list' });
    const badNames = ['SID', 'sid', 'AUTH[pass]', 'AUTH%5Bpass%5D', 'a b', 'a&b', 'a=b', '../x', 'x'.repeat(100), '', '1abc', 'ü'];
    for (const name of badNames) {
      const from = sim.stats.requests;
      const r = await send(nodes, { payload: { [name]: 'v' } });
      assert.equal(
        caughtCode(r.error),
        'WEBTAPI_INVALID_INPUT',
        `parameter name ${JSON.stringify(name)}: ${JSON.stringify(r.error?.error ?? r.out?.webtapi)}`,
      );
      assert.equal(sim.stats.requests, from, `parameter name ${JSON.stringify(name)}: a request was sent`);
    }
    // Values of a parameter the package does not know are passed through, encoded: the PBX gets them byte for byte.
    const values = [
      'a&b=c',
      '100%',
      '%26',
      '../../etc/passwd',
      'Tür 🚪 門',
      'a+b c',
      '"quoted" \'single\'',
      '<b>x</b>',
      '#hash?query',
      'x'.repeat(1024),
    ];
    for (const value of values) {
      const r = await send(nodes, { payload: { note: value } });
      assert.ok(r.out, `${value.slice(0, 30)}: ${JSON.stringify(r.error?.error)}`);
      const last = sim.requests[sim.requests.length - 1];
      assert.equal(last.action, 'call_list');
      assert.deepEqual(last.params, { note: value });
    }
    for (const value of ['x'.repeat(1025), 'a\nb', 'a\u0000b', 'a\ud800b', { a: 1 }, [1], () => 1]) {
      const from = sim.stats.requests;
      const r = await send(nodes, { payload: { note: value } });
      assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT', JSON.stringify(r.error?.error ?? r.out?.webtapi));
      assert.equal(sim.stats.requests, from);
    }
    // A payload that tries to reach the prototype of the parameters sends nothing it did not name.
    const polluted = JSON.parse('{"__proto__": {"relay_id": "17", "status": "1"}}') as Record<string, unknown>;
    const r = await send(nodes, { action: 'relay_status_set', payload: polluted });
    assert.equal(caughtCode(r.error), 'WEBTAPI_INVALID_INPUT', JSON.stringify(r.error?.error ?? r.out?.webtapi));
    assert.equal(sim.stats.executed.relay_status_set, undefined);
    assert.equal(({} as Record<string, unknown>).relay_id, undefined, 'Object.prototype was polluted');
  });

  it("webtapi-request: the node's own parameters and action names that are not actions", async () => {
    for (const params of ['{bad json', '[1,2]', '"text"', '{"SID":"x"}', '{"action":"call"}', `{"note":"${'x'.repeat(MB)}"}`]) {
      const nodes = await loadNode(sim, 'webtapi-request', { action: 'call_list', params });
      const from = sim.stats.requests;
      const r = await send(nodes, {});
      assert.equal(
        caughtCode(r.error),
        'WEBTAPI_INVALID_INPUT',
        `${params.slice(0, 30)}: ${JSON.stringify(r.error?.error ?? r.out?.webtapi)}`,
      );
      assert.equal(sim.stats.requests, from);
      await helper.unload();
    }
    const nodes = await loadNode(sim, 'webtapi-request', { action: '' });
    for (const action of ['', 'login', 'LOGIN', 'call list', 'call&x=1', '../call', 'call\n', 'a'.repeat(65), '__proto__']) {
      const from = sim.stats.requests;
      const r = await send(nodes, { action });
      assert.equal(
        caughtCode(r.error),
        'WEBTAPI_INVALID_INPUT',
        `${JSON.stringify(action)}: ${JSON.stringify(r.error?.error ?? r.out?.webtapi)}`,
      );
      assert.equal(sim.stats.requests, from, `${JSON.stringify(action)}: a request was sent`);
    }
  });

  it('node properties (as deployed): bad values give a clear error per message, never a crash', async () => {
    const deployed: Array<[string, Record<string, unknown>]> = [
      ['webtapi-call', { mode: 'dial', src: '1001', dst: '1002' }],
      ['webtapi-call', { mode: 'call', src: '1001&dst=1', dst: '1002' }],
      ['webtapi-call', { mode: 'call', src: '1001', dst: 'x'.repeat(MB) }],
      ['webtapi-call', { mode: 'call', src: '1001', dst: '{bad', dstType: 'json' }],
      ['webtapi-call', { mode: 'call', src: '1001', dst: 'abc', dstType: 'num' }],
      ['webtapi-call', { mode: 'call', src: '1001', dst: '$$$(', dstType: 'jsonata' }],
      ['webtapi-call', { mode: 'call', src: '1001', dst: 'NO_SUCH_VARIABLE', dstType: 'env' }],
      ['webtapi-call', { mode: 'call', src: '1001', dst: 'no.such.property', dstType: 'msg' }],
      ['webtapi-hangup', { target: '../../etc' }],
      ['webtapi-queue-agent', { operation: 'drop-table', queue: 'VMX' }],
      ['webtapi-queue-agent', { operation: 'login', queue: 'VMX;rm -rf' }],
      ['webtapi-relay-set', { relay: '17', status: 'open' }],
      ['webtapi-relay-set', { relay: '17', status: 'on', pulse: 'soon' }],
      ['webtapi-relay-set', { relay: '17', status: 'on', pulse: -5 }],
      ['webtapi-relay-set', { relay: '17', status: 'on', pulse: 1e12 }],
      ['webtapi-cam-snapshot', { camera: '44', operation: 'format-disk' }],
      ['webtapi-request', { action: 'CALL' }],
    ];
    for (const [type, props] of deployed) {
      const nodes = await loadNode(sim, type, props);
      const from = sim.stats.requests;
      const r = await send(nodes, {});
      const what = `${type} ${JSON.stringify(props).slice(0, 80)}`;
      assert.equal(
        caughtCode(r.error),
        'WEBTAPI_INVALID_INPUT',
        `${what}: ${JSON.stringify(r.error?.error ?? r.out?.webtapi).slice(0, 300)}`,
      );
      assert.equal(sim.stats.requests, from, `${what}: a request was sent`);
      await helper.unload();
    }
  });

  it('webtapi-status-watch: bad properties mark the node, never stop the other watch nodes on the same server', async () => {
    await helper.load(
      ALL,
      [
        configNode(sim),
        {
          id: 'bad',
          type: 'webtapi-status-watch',
          server: 'cfg',
          extensions: '1001,../x,1002&action=call,__proto__',
          watchRelays: '17,a b',
          interval: 'often',
          wires: [['out']],
        },
        { id: 'good', type: 'webtapi-status-watch', server: 'cfg', extensions: '1003', interval: 250, wires: [['out']] },
        { id: 'out', type: 'helper' },
        { id: 'c1', type: 'catch', scope: ['bad'], uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
      CREDS,
    );
    const got: Array<Record<string, any>> = [];
    helper.getNode('out')!.on('input', (m: Record<string, any>) => got.push(m));
    const caught: Array<Record<string, any>> = [];
    helper.getNode('caught')!.on('input', (m: Record<string, any>) => caught.push(m));
    const bad = helper.getNode('bad')!;
    await until(() => got.some((m) => m.topic === '1003'), 5000);
    sim.ring('1003');
    await until(() => got.some((m) => m.topic === '1003' && m.payload === 'ringing'), 5000);
    assert.ok(
      got.every((m) => m.topic === '1003'),
      'the bad node watches nothing',
    );
    for (const r of sim.requests) {
      for (const v of Object.values(r.params)) assert.ok(!/[&/ ]|__proto__/.test(v), `a bad value reached the PBX: ${v}`);
    }
    const errors = LOG.at(LEVEL.ERROR, 'bad');
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /extensions "\.\.\/x", "1002&action=call", "__proto__" and relays "a b" not valid/);
    // An input message to it says why it does nothing, whatever the message holds.
    const values = BAD_VALUES.filter(([label]) => label !== UNCLONABLE);
    for (const [, make] of values) bad.receive({ payload: make() });
    await until(() => caught.length === values.length);
    assert.ok(caught.every((m) => caughtCode(m) === 'WEBTAPI_INVALID_INPUT'));
  });

  it('webtapi-config: a bad URL, timeout or concurrency gives a clear error, never a crash', async () => {
    for (const url of [
      'ftp://127.0.0.1/x',
      'not a url',
      'http://',
      'http://127.0.0.1:99999/x',
      'javascript:alert(1)',
      `http://127.0.0.1/${'x'.repeat(MB)}`,
    ]) {
      await helper.load(
        ALL,
        [
          { ...configNode(sim), url, timeout: 'soon', concurrency: -3 },
          { id: 'n1', type: 'webtapi-relay-set', server: 'cfg', relay: '17', wires: [['out']] },
          { id: 'out', type: 'helper' },
          { id: 'c1', type: 'catch', scope: ['n1'], uncaught: false, wires: [['caught']] },
          { id: 'caught', type: 'helper' },
        ],
        CREDS,
      );
      const from = sim.stats.requests;
      const r = await send({ n1: helper.getNode('n1')!, out: helper.getNode('out')!, caught: helper.getNode('caught')! }, {});
      const code = caughtCode(r.error);
      assert.ok(
        code === 'WEBTAPI_INVALID_INPUT' || code === 'WEBTAPI_UNREACHABLE',
        `${url.slice(0, 40)}: ${JSON.stringify(r.error?.error ?? r.out)}`,
      );
      assert.equal(sim.stats.requests, from);
      assert.ok(
        LOG.texts(LEVEL.TRACE).every((l) => l.length < 4096),
        'a log line longer than 4 KiB',
      );
      await helper.unload();
    }
  });
});
