/*
 * Faults of the PBX, over real sockets through the simulator, for every node type and for the
 * status-watch poller. For each: a catchable error with a stable code on the message that caused
 * it, the node's status, recovery once the fault clears (no redeploy), no side effect run twice,
 * nothing reaching process-level handlers.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Fault, Simulator } from '../../dist/simulator';
import {
  ALL,
  CREDS,
  configNode,
  subjectFlow,
  EXTENSIONS,
  executed,
  helper,
  LEVEL,
  LOG,
  lastStatus,
  loadSubject,
  Nodes,
  PASSWORD,
  reasonText,
  send,
  sendAll,
  settleStatus,
  Status,
  statuses,
  Subject,
  SUBJECTS,
  TestNode,
  until,
  USER,
  caughtCode,
  useSubjectSimulator,
} from './kit';

const MiB = 1024 * 1024;
const HUGE = 512 * MiB;

interface Expectation {
  /** null: the message succeeds all the same (a read resent once). */
  code: string | null;
  /** PBX-side executions the faulted message may cause (side effects only). */
  executes: number;
}

interface FaultCase {
  name: string;
  /** Breaks the PBX for the action `action` ('login' for the login stage). */
  inject(sim: Simulator, action: string): Promise<void> | void;
  expect(s: { sideEffect: boolean }): Expectation;
  /** Measure memory while the faulted message runs. */
  memory?: boolean;
}

/** Reading up to the 32 MiB picture cap must not race the deadline on a busy machine. */
const ROOMY = { timeout: 10_000 };

const fault = (f: Omit<Fault, 'action'>) => (sim: Simulator, action: string) => sim.injectFault({ ...f, action });
const side =
  (code: string | null, executes: number, read: string | null): FaultCase['expect'] =>
  (s) =>
    s.sideEffect ? { code, executes } : { code: read, executes: 0 };

const PHP_NOTICE_THEN_ONE =
  '<br />\n<b>Notice</b>:  Undefined index: src in <b>/var/www/webtapi/webtapi.php</b> on line <b>88</b><br />\n1';

/** Faults aimed at the node's own action, after a first message has logged in. */
const ACTION_FAULTS: FaultCase[] = [
  { name: 'connection refused (PBX down)', inject: (sim) => sim.pause(), expect: () => ({ code: 'WEBTAPI_UNREACHABLE', executes: 0 }) },
  {
    name: 'connection reset before the request is processed, once',
    inject: fault({ kind: 'reset-before', times: 1 }),
    expect: side('WEBTAPI_OUTCOME_UNKNOWN', 0, null),
  },
  {
    name: 'connection reset before the request is processed, twice',
    inject: fault({ kind: 'reset-before', times: 2 }),
    expect: side('WEBTAPI_OUTCOME_UNKNOWN', 0, 'WEBTAPI_UNREACHABLE'),
  },
  {
    name: 'connection reset after the request was carried out',
    inject: fault({ kind: 'reset-after', times: 2 }),
    expect: side('WEBTAPI_OUTCOME_UNKNOWN', 1, 'WEBTAPI_UNREACHABLE'),
  },
  { name: 'a server that never answers', inject: fault({ kind: 'hang' }), expect: side('WEBTAPI_OUTCOME_UNKNOWN', 0, 'WEBTAPI_TIMEOUT') },
  {
    name: 'a server that carries out the action and never answers',
    inject: fault({ kind: 'hang', execute: true }),
    expect: side('WEBTAPI_OUTCOME_UNKNOWN', 1, 'WEBTAPI_TIMEOUT'),
  },
  // One byte every 20 ms: never idle long enough for undici's body timeout, never done before the deadline.
  {
    name: 'a slow-drip body (under the idle timeout, over the deadline)',
    inject: fault({ kind: 'drip', dripMs: 20, execute: true }),
    expect: side('WEBTAPI_OUTCOME_UNKNOWN', 1, 'WEBTAPI_TIMEOUT'),
  },
  {
    name: 'HTTP 500 with an HTML page',
    inject: fault({ kind: 'http500', execute: true }),
    expect: side('WEBTAPI_HTTP_STATUS', 1, 'WEBTAPI_HTTP_STATUS'),
  },
  {
    name: 'PHP warnings instead of 1/0',
    inject: fault({ kind: 'garbage', execute: true }),
    expect: side('WEBTAPI_BAD_RESPONSE', 1, 'WEBTAPI_BAD_RESPONSE'),
  },
  {
    name: 'a PHP notice followed by 1',
    inject: fault({ kind: 'garbage', execute: true, body: PHP_NOTICE_THEN_ONE }),
    expect: side('WEBTAPI_BAD_RESPONSE', 1, 'WEBTAPI_BAD_RESPONSE'),
  },
  {
    name: 'the PBX refuses the action (0)',
    inject: fault({ kind: 'zero' }),
    expect: side('WEBTAPI_ACTION_FAILED', 0, 'WEBTAPI_ACTION_FAILED'),
  },
  {
    name: 'an oversize answer (512 MiB streamed)',
    inject: fault({ kind: 'oversize', bytes: HUGE, execute: true }),
    expect: side('WEBTAPI_RESPONSE_TOO_LARGE', 1, 'WEBTAPI_RESPONSE_TOO_LARGE'),
    memory: true,
  },
  {
    name: 'an oversize answer announced by Content-Length',
    inject: fault({ kind: 'oversize', bytes: HUGE, declare: true, execute: true }),
    expect: side('WEBTAPI_RESPONSE_TOO_LARGE', 1, 'WEBTAPI_RESPONSE_TOO_LARGE'),
    memory: true,
  },
];

/** Faults of the login a node's first message needs. */
const LOGIN_FAULTS: FaultCase[] = [
  { name: 'connection refused', inject: (sim) => sim.pause(), expect: () => ({ code: 'WEBTAPI_UNREACHABLE', executes: 0 }) },
  {
    name: 'connection reset, twice',
    inject: fault({ kind: 'reset-before', times: 2 }),
    expect: () => ({ code: 'WEBTAPI_UNREACHABLE', executes: 0 }),
  },
  { name: 'no answer', inject: fault({ kind: 'hang' }), expect: () => ({ code: 'WEBTAPI_TIMEOUT', executes: 0 }) },
  { name: 'a slow drip', inject: fault({ kind: 'drip', dripMs: 20 }), expect: () => ({ code: 'WEBTAPI_TIMEOUT', executes: 0 }) },
  { name: 'HTTP 500', inject: fault({ kind: 'http500' }), expect: () => ({ code: 'WEBTAPI_HTTP_STATUS', executes: 0 }) },
  {
    name: 'PHP warnings instead of a session id',
    inject: fault({ kind: 'garbage' }),
    expect: () => ({ code: 'WEBTAPI_NOT_WEBTAPI', executes: 0 }),
  },
  {
    name: 'an oversize answer',
    inject: fault({ kind: 'oversize', bytes: HUGE }),
    expect: () => ({ code: 'WEBTAPI_RESPONSE_TOO_LARGE', executes: 0 }),
    memory: true,
  },
];

/** The highest RSS seen while `work` runs, minus the RSS before. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - rssBefore };
  } finally {
    clearInterval(sample);
  }
}

export const measured: Record<string, number> = {};

async function expectRecovery(sim: Simulator, s: Subject, nodes: Nodes, seen: Status[], i: number): Promise<void> {
  const r = await send(nodes, s.message(sim, i));
  assert.ok(r.out, `no recovery: ${JSON.stringify(r.error?.error)}`);
  await settleStatus(seen, (st) => st.fill === 'green', 'green once the PBX works again');
}

async function expectFailure(nodes: Nodes, seen: Status[], msg: Record<string, unknown>, code: string): Promise<void> {
  const tag = `faulted-${Math.random()}`;
  const r = await send(nodes, { ...msg, tag });
  assert.ok(r.error, `expected ${code}, got an output: ${JSON.stringify(r.out?.payload)?.slice(0, 80)}`);
  assert.equal(caughtCode(r.error), code, JSON.stringify(r.error.error));
  assert.equal(r.error.tag, tag, 'the error must arrive on the message that caused it');
  assert.equal(r.error.error.source?.id, 'n1');
  await settleStatus(seen, (st) => st.fill === 'red' && st.text === reasonText(code), `red "${reasonText(code)}"`);
}

describe('reliability: PBX faults on every node type', function () {
  this.timeout(20_000);
  const sim = useSubjectSimulator({ extensions: EXTENSIONS });
  after(() => {
    const worst = Math.max(...Object.values(measured));
    console.log(
      `      peak RSS growth while refusing ${HUGE / MiB} MiB answers: ${Math.round(worst / MiB)} MiB (worst of ${Object.keys(measured).length})`,
    );
  });

  for (const s of SUBJECTS) {
    describe(s.type, () => {
      for (const f of ACTION_FAULTS) {
        const want = f.expect(s);
        it(`${f.name}: ${want.code ?? 'succeeds after one resend'}${s.sideEffect ? `, executed ${want.executes}x` : ''}`, async () => {
          const nodes = await loadSubject(sim, s, f.memory ? ROOMY : {});
          const seen = statuses(nodes.n1);
          const warm = await send(nodes, s.message(sim, 0));
          assert.ok(warm.out, JSON.stringify(warm.error?.error));
          const base = executed(sim, s);
          await f.inject(sim, s.action);
          const run = async () => {
            if (want.code === null) {
              const r = await send(nodes, s.message(sim, 1));
              assert.ok(r.out, JSON.stringify(r.error?.error));
            } else {
              await expectFailure(nodes, seen, s.message(sim, 1), want.code);
            }
          };
          if (f.memory) {
            const { growth } = await rssGrowth(run);
            measured[`${s.type} ${f.name}`] = growth;
            assert.ok(growth < HUGE / 4, `RSS grew ${Math.round(growth / MiB)} MiB while refusing a ${HUGE / MiB} MiB answer`);
          } else {
            await run();
          }
          assert.equal(executed(sim, s), base + want.executes, 'PBX-side executions of the faulted message');
          sim.clearFaults();
          await sim.resume();
          await expectRecovery(sim, s, nodes, seen, 2);
          assert.equal(executed(sim, s), base + want.executes + (s.sideEffect ? 1 : 0), 'a side effect ran twice');
          assert.equal(sim.stats.logins, 1, 'one session throughout');
        });
      }

      for (const f of LOGIN_FAULTS) {
        const want = f.expect(s);
        it(`login: ${f.name}: ${want.code}`, async () => {
          const nodes = await loadSubject(sim, s, f.memory ? ROOMY : {});
          const seen = statuses(nodes.n1);
          await f.inject(sim, 'login');
          const run = () => expectFailure(nodes, seen, s.message(sim, 1), want.code!);
          if (f.memory) {
            const { growth } = await rssGrowth(run);
            measured[`${s.type} login ${f.name}`] = growth;
            assert.ok(growth < HUGE / 4, `RSS grew ${Math.round(growth / MiB)} MiB`);
          } else {
            await run();
          }
          assert.equal(executed(sim, s), 0);
          sim.clearFaults();
          await sim.resume();
          await expectRecovery(sim, s, nodes, seen, 2);
          assert.equal(executed(sim, s), s.sideEffect ? 1 : 0);
        });
      }

      it('a session that expires while many requests are in flight: one new login, every message done once', async () => {
        const nodes = await loadSubject(sim, s);
        const warm = await send(nodes, s.message(sim, 0));
        assert.ok(warm.out, JSON.stringify(warm.error?.error));
        const base = executed(sim, s);
        const sent = sim.stats.byAction[s.action] ?? 0;
        const N = 16;
        const msgs = Array.from({ length: N }, (_, i) => ({ ...s.message(sim, i + 1), tag: `m${i}` }));
        // The PBX forgets every session the moment the first of these requests reaches it.
        const expire = until(() => (sim.stats.byAction[s.action] ?? 0) > sent, 5000).then(() => sim.expireSessions());
        const results = await sendAll(nodes, msgs);
        await expire;
        const failed = [...results.values()].filter((r) => r.error).map((r) => r.error!.error);
        assert.deepEqual(failed, [], 'every message must succeed with the new session');
        assert.equal(sim.stats.logins, 2, 'one shared login after the expiry');
        if (s.sideEffect) assert.equal(executed(sim, s), base + N, 'each message carried out exactly once');
        assert.ok((sim.stats.byAction[s.action] ?? 0) > sent + N, 'the expiry was not exercised: no request was resent');
      });

      it('the PBX goes away and comes back (restarted, sessions lost): recovers by itself, status shows it', async () => {
        const nodes = await loadSubject(sim, s);
        const seen = statuses(nodes.n1);
        assert.ok((await send(nodes, s.message(sim, 0))).out);
        const base = executed(sim, s);
        await sim.pause();
        sim.expireSessions();
        await expectFailure(nodes, seen, s.message(sim, 1), 'WEBTAPI_UNREACHABLE');
        await expectFailure(nodes, seen, s.message(sim, 2), 'WEBTAPI_UNREACHABLE');
        await sim.resume();
        await expectRecovery(sim, s, nodes, seen, 3);
        assert.equal(executed(sim, s), base + (s.sideEffect ? 1 : 0));
        assert.equal(sim.stats.logins, 2, 'logged in again by itself, once');
      });

      it('wrong credentials: distinct status, back-off, bounded logins per minute, recovery once the account is fixed', async () => {
        sim.setUser(USER, 'something else');
        const clock = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now() });
        try {
          const nodes = await loadSubject(sim, s);
          const seen = statuses(nodes.n1);
          await expectFailure(nodes, seen, s.message(sim, 0), 'WEBTAPI_LOGIN_FAILED');
          assert.ok(
            seen.some((st) => st.fill === 'red' && /^login failed, retry in 2 s$/.test(st.text ?? '')),
            JSON.stringify(seen),
          );
          assert.notEqual(lastStatus(seen).text, reasonText('WEBTAPI_UNREACHABLE'));
          assert.ok(
            LOG.at(LEVEL.WARN, 'cfg').some((l) => /login to the PBX failed; next attempt in 2 s/.test(l)),
            'no warning in the log',
          );
          // A flow that keeps sending, once a second, for a minute.
          for (let t = 1; t <= 60; t++) {
            clock.tick(1000);
            const r = await send(nodes, s.message(sim, t));
            assert.equal(caughtCode(r.error), 'WEBTAPI_LOGIN_FAILED');
          }
          // Back-off 2, 4, 8, 16, 32 s: attempts at 0, 2, 6, 14 and 30 s.
          assert.equal(sim.stats.logins, 5, 'login attempts in the first minute');
          assert.equal(sim.stats.loginFailures, 5);
          // Later on, at most one attempt a minute.
          for (let t = 61; t <= 300; t += 5) {
            clock.tick(5000);
            await send(nodes, s.message(sim, t));
          }
          assert.ok(sim.stats.logins <= 5 + 5, `${sim.stats.logins} login attempts in 5 minutes`);
          assert.equal(executed(sim, s), 0);
          sim.setUser(USER, PASSWORD);
          clock.tick(61_000);
          await expectRecovery(sim, s, nodes, seen, 400);
          assert.equal(executed(sim, s), s.sideEffect ? 1 : 0);
        } finally {
          clock.restore();
        }
      });
    });
  }

  describe('the other nodes of a server whose login fails', () => {
    for (const f of LOGIN_FAULTS) {
      const code = f.expect({ sideEffect: true }).code!;
      it(`${f.name}: they show the failure, not "logging in" for ever`, async () => {
        const flow = subjectFlow(sim, 'webtapi-relay-set', { relay: '17' }, f.memory ? ROOMY : {});
        flow.push({ id: 'n2', type: 'webtapi-call', server: 'cfg', src: '1001', dst: '1002', wires: [[]] });
        await helper.load(ALL, flow, CREDS);
        const nodes = { n1: helper.getNode('n1')!, out: helper.getNode('out')!, caught: helper.getNode('caught')! };
        const other = statuses(helper.getNode('n2')!);
        await f.inject(sim, 'login');
        const r = await send(nodes, {});
        assert.equal(caughtCode(r.error), code);
        await settleStatus(other, (st) => st.fill === 'red', 'red on the other node too');
        sim.clearFaults();
        await sim.resume();
        assert.ok((await send(nodes, {})).out);
        await settleStatus(other, (st) => st.fill === 'green', 'green again on the other node');
      });
    }
  });

  describe('webtapi-status-watch (the shared poller)', () => {
    const WATCH = {
      id: 'w',
      type: 'webtapi-status-watch',
      server: 'cfg',
      extensions: '1001,1002',
      interval: 250,
      emitInitial: true,
      wires: [['out']],
    };

    async function loadWatch(cfg: Record<string, unknown> = {}): Promise<{ w: TestNode; got: Array<Record<string, any>>; seen: Status[] }> {
      await helper.load(ALL, [configNode(sim, cfg), WATCH, { id: 'out', type: 'helper' }], CREDS);
      const w = helper.getNode('w')!;
      const got: Array<Record<string, any>> = [];
      helper.getNode('out')!.on('input', (m: Record<string, any>) => got.push(m));
      return { w, got, seen: statuses(w) };
    }

    const POLL_FAULTS = [...ACTION_FAULTS.filter((f) => f.expect({ sideEffect: false }).code !== null)];

    for (const f of POLL_FAULTS) {
      const code = f.expect({ sideEffect: false }).code!;
      it(`${f.name}: status "${reasonText(code)}", one warning, recovers by itself`, async () => {
        const { got, seen } = await loadWatch(f.memory ? ROOMY : {});
        await until(() => got.length === 2);
        await settleStatus(seen, (st) => st.fill === 'green', 'watching');
        const polls = sim.stats.byAction.call_status_get;
        const run = async () => {
          await f.inject(sim, 'call_status_get');
          await settleStatus(seen, (st) => st.fill === 'red' && st.text === reasonText(code), `red "${reasonText(code)}"`);
        };
        if (f.memory) {
          const { growth } = await rssGrowth(run);
          measured[`status-watch ${f.name}`] = growth;
          assert.ok(growth < HUGE / 4, `RSS grew ${Math.round(growth / MiB)} MiB`);
        } else {
          await run();
        }
        const warnings = LOG.at(LEVEL.WARN, 'w').filter((l) => l.startsWith('polling failed'));
        assert.equal(warnings.length, 1, warnings.join('\n'));
        sim.clearFaults();
        await sim.resume();
        sim.ring('1001');
        await until(() => got.some((m) => m.topic === '1001' && m.payload === 'ringing'), 5000);
        await settleStatus(seen, (st) => st.fill === 'green', 'watching again');
        assert.ok(LOG.at(LEVEL.INFO, 'w').some((l) => l.startsWith('polling works again')));
        assert.ok(sim.stats.byAction.call_status_get > polls);
        assert.equal(sim.stats.logins, 1);
      });
    }

    for (const f of LOGIN_FAULTS) {
      const code = f.expect({ sideEffect: false }).code!;
      it(`login: ${f.name}: status "${reasonText(code)}", recovers by itself`, async () => {
        await f.inject(sim, 'login');
        const { got, seen } = await loadWatch(f.memory ? ROOMY : {});
        await settleStatus(seen, (st) => st.fill === 'red' && st.text === reasonText(code), `red "${reasonText(code)}"`);
        sim.clearFaults();
        await sim.resume();
        await until(() => got.length === 2, 5000);
        await settleStatus(seen, (st) => st.fill === 'green', 'watching');
      });
    }

    it('a session that expires between polls: one new login, no gap in the messages', async () => {
      const { got, seen } = await loadWatch();
      await until(() => got.length === 2);
      await settleStatus(seen, (st) => st.fill === 'green', 'watching');
      sim.expireSessions();
      sim.ring('1002');
      await until(() => got.some((m) => m.topic === '1002' && m.payload === 'ringing'), 5000);
      assert.equal(sim.stats.logins, 2);
      assert.equal(LOG.at(LEVEL.WARN, 'w').length, 0, 'an expired session is not a failure worth a warning');
    });

    it('wrong credentials: "login failed" status, no login storm while polling, recovers once the account is fixed', async () => {
      sim.setUser(USER, 'something else');
      const clock = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      try {
        const { got, seen, w } = await loadWatch();
        await settleStatus(seen, (st) => st.fill === 'red' && /^login failed/.test(st.text ?? ''), 'red "login failed"');
        // The poller keeps trying (an input message forces a poll), the back-off holds the logins.
        const poller = (helper.getNode('cfg') as unknown as { poller: { polls: number } }).poller;
        for (let i = 0; i < 2; i++) {
          const requests = sim.stats.requests;
          const polls = poller.polls;
          w.receive({});
          await until(() => poller.polls > polls);
          await settleStatus(seen, (st) => st.fill === 'red' && /^login failed/.test(st.text ?? ''), 'still "login failed"');
          assert.equal(sim.stats.requests, requests, 'a login was sent during the back-off');
        }
        assert.equal(sim.stats.logins, 1);
        sim.setUser(USER, PASSWORD);
        clock.tick(61_000);
        await until(() => got.length === 2, 10_000);
        await settleStatus(seen, (st) => st.fill === 'green', 'watching');
        assert.equal(sim.stats.logins, 2);
      } finally {
        clock.restore();
      }
    });

    it('the PBX goes away and comes back: red while away, green and messages again without a redeploy', async () => {
      const { got, seen } = await loadWatch();
      await until(() => got.length === 2);
      await sim.pause();
      sim.expireSessions();
      await settleStatus(seen, (st) => st.fill === 'red' && st.text === 'unreachable', 'red "unreachable"');
      sim.ring('1001');
      await sim.resume();
      await until(() => got.some((m) => m.topic === '1001' && m.payload === 'ringing'), 10_000);
      await settleStatus(seen, (st) => st.fill === 'green', 'watching');
    });
  });
});
