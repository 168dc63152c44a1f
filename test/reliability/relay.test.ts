/*
 * A door never stays open: the switch-back of a pulse is repeated until the PBX confirms it,
 * pulses on one relay coalesce, one relay has one writer, and pending switch-backs are journalled
 * in the user directory (real Node-RED runtime through the test helper, real HTTP, the
 * simulator's faults). The kill test with a whole Node-RED process is in relay-restart.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSimulator, type Simulator } from '../../dist/simulator';
import {
  assertCalm,
  caughtCode,
  CREDS,
  helper,
  LEVEL,
  LOG,
  loadNode,
  Nodes,
  PASSWORD,
  pollClock,
  send,
  sendAll,
  statuses,
  until,
  USER,
  watchCalm,
  configNode,
  ALL,
} from './kit';

/** Real time, taken before any test installs a fake clock (sinon fakes timers/promises too). */
const realTimeout = globalThis.setTimeout;
const realSleep = (ms: number) => new Promise((resolve) => realTimeout(resolve, ms));

const JOURNAL = 'metasec-webtapi-relays.json';

function relaySets(sim: Simulator, status?: string) {
  return sim.requests.filter((r) => r.action === 'relay_status_set' && (status === undefined || r.params.status === status));
}

async function pulseNode(sim: Simulator, props: Record<string, unknown> = {}): Promise<Nodes> {
  return loadNode(sim, 'webtapi-relay-set', { relay: '17', relayStatus: 'on', ...props });
}

/** Runtime settings for the next load (the test helper merges them with Node-RED's defaults). */
function settings(s: Record<string, unknown>): void {
  (helper as unknown as { settings(s: object): void }).settings(s);
}

function trail(id = 'n1'): string[] {
  return LOG.at(LEVEL.INFO, id).filter((l) => l.startsWith('audit '));
}

describe('reliability: relay switch-back, pulses, one writer, journal', function () {
  this.timeout(60_000);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ port: 0, users: { [USER]: PASSWORD } });
    LOG.install();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    LOG.clear();
    watchCalm();
  });
  afterEach(async () => {
    await helper.unload();
    settings({ userDir: undefined, nodeCloseTimeout: undefined });
    sim.clearFaults();
    await sim.resume();
    for (const line of LOG.texts()) assert.ok(!line.includes(PASSWORD), line);
    assertCalm();
  });

  /** A 1 s pulse; the outage starts 700 ms after the relay went on and lasts 5 s (fake clock). */
  async function pulseThroughOutage(start: () => Promise<void> | void, end: () => Promise<void> | void): Promise<void> {
    const nodes = await pulseNode(sim, { pulse: 1000 });
    const seen = statuses(nodes.n1);
    const outputs: unknown[] = [];
    nodes.out.on('input', (m: unknown) => outputs.push(m));
    // A fake clock that goes at real pace (requests to a live PBX keep their real time against the
    // deadline) and jumps through the outage, where every attempt fails at once.
    const clock = pollClock();
    let outageStart = 0;
    let outageEnd = 0;
    let r: Awaited<ReturnType<typeof send>>;
    try {
      let settled = false;
      const result = send(nodes, {}, 20_000).finally(() => {
        settled = true;
      });
      await until(() => sim.state.relays.get('17')!.status === 1);
      setTimeout(() => {
        void Promise.resolve(start()).then(() => {
          outageStart = Date.now();
          setTimeout(() => {
            outageEnd = Date.now();
            void end();
          }, 5000);
        });
      }, 700);
      while (!settled) {
        if (outageStart > 0 && outageEnd === 0) await clock.tickAsync(50);
        else await realSleep(5);
      }
      r = await result;
    } finally {
      clock.restore();
    }
    assert.equal(r.out?.payload, 0);
    assert.equal(sim.state.relays.get('17')!.status, 0);
    const back = relaySets(sim, '0').filter((q) => q.at >= outageEnd);
    assert.ok(outageEnd > 0 && back.length === 1, 'switched back during the outage?');
    const delay = back[0].at - outageEnd;
    console.log(`      switched back ${delay} ms (fake clock) after the PBX answered again`);
    assert.ok(delay <= 2000, `switched back ${delay} ms after the PBX answered again`);
    const attempts = trail().filter((l) => / status=0/.test(l));
    assert.ok(attempts.length >= 5, attempts.join('\n'));
    assert.match(attempts[attempts.length - 1], /^audit node=n1 action=relay_status_set by=flow relay_id=17 status=0 attempt=\d+$/);
    assert.ok(
      attempts.slice(0, -1).every((l) => / result=WEBTAPI_/.test(l)),
      attempts.join('\n'),
    );
    assert.ok(
      seen.some((s) => /^switching back, attempt \d+$/.test(s.text ?? '')),
      JSON.stringify(seen),
    );
    assert.equal(outputs.length, 1);
  }

  it('PBX refusing connections for 5 s from just before the switch-back: back within 2 s after it answers again', async () => {
    await pulseThroughOutage(
      () => sim.pause(),
      () => sim.resume(),
    );
  });

  it('PBX resetting connections for 5 s from just before the switch-back: the same', async () => {
    await pulseThroughOutage(
      () => sim.injectFault({ kind: 'reset-before', forMs: 5000 }),
      () => undefined,
    );
  });

  it('the deadline (restoreTimeout) passes with the PBX down: WEBTAPI_RELAY_NOT_RESTORED reaches a Catch node', async () => {
    const nodes = await pulseNode(sim, { pulse: 100, restoreTimeout: 1500 });
    const result = send(nodes, {});
    await until(() => trail().length === 1);
    await sim.pause();
    const r = await result;
    assert.equal(r.out, undefined);
    assert.equal(caughtCode(r.error), 'WEBTAPI_RELAY_NOT_RESTORED');
    assert.match(
      r.error!.error.message,
      /^(RelayNotRestoredError: )?relay 17 was not confirmed switched back to 0 after \d+ attempts \(last: unreachable\)$/,
    );
    assert.equal(r.error!.webtapi.code, 'WEBTAPI_RELAY_NOT_RESTORED');
  });

  it('a node removed while its switch-back retries: the retries go on under the config node; a missed deadline is still logged', async () => {
    await helper.load(
      ALL,
      [
        configNode(sim),
        {
          id: 'n1',
          type: 'webtapi-relay-set',
          server: 'cfg',
          relay: '17',
          relayStatus: 'on',
          pulse: 60_000,
          restoreTimeout: 1500,
          wires: [[]],
        },
      ],
      CREDS,
    );
    helper.getNode('n1')!.receive({});
    await until(() => trail().length === 1);
    await sim.pause();
    await helper.setFlows([configNode(sim)], 'nodes', CREDS);
    await until(() => LOG.at(LEVEL.ERROR, 'n1').length === 1);
    assert.match(LOG.at(LEVEL.ERROR, 'n1')[0], /^relay 17 was not confirmed switched back to 0 after \d+ attempts \(last: unreachable\)$/);
    assert.ok(trail().filter((l) => / status=0 /.test(l)).length >= 3, trail().join('\n'));
  });

  it('two overlapping pulses (1 s, then 1 s 500 ms later): one switch-on, one switch-back 1.5 s after the first, two outputs (fake clock)', async () => {
    const nodes = await pulseNode(sim, { pulse: 1000 });
    const clock = pollClock();
    try {
      const all = sendAll(nodes, [{ tag: 'a' }]);
      await until(() => relaySets(sim, '1').length === 1);
      const first = relaySets(sim, '1')[0].at;
      await clock.tickAsync(500 - (Date.now() - first));
      // The node's own input listener runs first; a turn of the (real) event loop later it has joined the pulse.
      const taken = new Promise((resolve) => nodes.n1.once('input', () => setImmediate(resolve)));
      const second = send(nodes, { tag: 'b' });
      await taken;
      await clock.tickAsync(1000);
      const [a, b] = [(await all).get('a'), await second];
      assert.equal(a?.out?.payload, 0);
      assert.equal(b.out?.payload, 0);
      assert.equal(relaySets(sim, '1').length, 1);
      assert.equal(relaySets(sim, '0').length, 1);
      const after = relaySets(sim, '0')[0].at - first;
      // Two pulses one after the other would switch back at 1 s and switch on twice.
      assert.ok(after >= 1500 && after < 2000, `switched back ${after} ms after the first switch`);
    } finally {
      clock.restore();
    }
  });

  it('ten concurrent toggles end as ten serialised toggles would', async () => {
    const nodes = await pulseNode(sim, { relayStatus: 'toggle' });
    const outs = await sendAll(
      nodes,
      Array.from({ length: 10 }, (_, i) => ({ tag: String(i) })),
    );
    const payloads = [...Array(10).keys()].map((i) => outs.get(String(i))?.out?.payload);
    assert.deepEqual(payloads, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    assert.equal(sim.state.relays.get('17')!.status, 0);
    const ops = sim.requests
      .filter((r) => r.action.startsWith('relay_status'))
      .map((r) => (r.action === 'relay_status_get' ? 'get' : `set${r.params.status}`));
    assert.deepEqual(ops, Array.from({ length: 10 }, (_, i) => ['get', `set${i % 2 === 0 ? 1 : 0}`]).flat());
  });

  describe('the journal in the user directory', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'webtapi-journal-'));
      settings({ userDir: dir });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const fingerprint = () => createHash('sha256').update(sim.url).digest('hex').slice(0, 16);
    const entry = (extra: Record<string, unknown> = {}) => ({
      config: 'cfg',
      pbx: fingerprint(),
      relay: '17',
      target: 1,
      back: 0,
      due: Date.now() - 1000,
      restoreMs: 60_000,
      node: 'old1',
      ...extra,
    });
    const pending = () =>
      (JSON.parse(readFileSync(path.join(dir, JOURNAL), 'utf8')) as { pending: Array<Record<string, unknown>> }).pending;

    it('holds the pending switch-back while a pulse runs, and nothing once it is confirmed', async () => {
      const nodes = await pulseNode(sim, { pulse: 400 });
      const result = send(nodes, {});
      await until(() => sim.state.relays.get('17')!.status === 1);
      const during = pending();
      assert.equal(during.length, 1);
      assert.deepEqual(
        { ...during[0], due: 0 },
        { config: 'cfg', pbx: fingerprint(), relay: '17', target: 1, back: 0, due: 0, restoreMs: 600_000, node: 'n1' },
      );
      assert.ok(Math.abs((during[0].due as number) - (Date.now() + 400)) < 400);
      assert.equal((await result).out?.payload, 0);
      assert.deepEqual(pending(), []);
    });

    it('at start, a switch-back from before the restart is carried out (audit says so), damaged entries skipped', async () => {
      sim.state.relays.get('17')!.status = 1;
      writeFileSync(
        path.join(dir, JOURNAL),
        JSON.stringify({ version: 1, pending: [entry(), { relay: 'broken' }, entry({ relay: '18&action=call' })] }),
      );
      await helper.load(ALL, [configNode(sim)], CREDS);
      await until(() => sim.state.relays.get('17')!.status === 0);
      await until(() => pending().length === 0);
      assert.ok(
        LOG.at(LEVEL.INFO, 'cfg').includes(
          'audit node=old1 action=relay_status_set by=flow relay_id=17 status=0 completes=pulse-before-restart',
        ),
        LOG.at(LEVEL.INFO, 'cfg').join('\n'),
      );
      assert.equal(relaySets(sim).length, 1);
      assert.ok(
        LOG.at(LEVEL.WARN, 'cfg').includes('relay journal: an entry with an invalid relay id is dropped'),
        LOG.at(LEVEL.WARN).join('\n'),
      );
    });

    it('a damaged journal is set aside with a warning, stale temporary files removed; pulses work on', async () => {
      writeFileSync(path.join(dir, JOURNAL), '{"version":1,"pending":[{"con');
      writeFileSync(path.join(dir, `${JOURNAL}.999999999.tmp`), '{"version":1,"pen');
      const nodes = await pulseNode(sim, { pulse: 50 });
      assert.equal((await send(nodes, {})).out?.payload, 0);
      assert.ok(!existsSync(path.join(dir, `${JOURNAL}.999999999.tmp`)), 'a temporary file of a killed runtime was left');
      assert.deepEqual(pending(), []);
      assert.ok(existsSync(path.join(dir, `${JOURNAL}.damaged`)));
      assert.ok(
        LOG.at(LEVEL.WARN).some((l) => /relay journal .* is damaged/.test(l)),
        LOG.at(LEVEL.WARN).join('\n'),
      );
    });

    it('an entry whose server configuration is gone or points at another PBX is not run: warned, kept a day, then dropped', async () => {
      sim.state.relays.get('17')!.status = 1;
      const day = 24 * 3600 * 1000;
      writeFileSync(
        path.join(dir, JOURNAL),
        JSON.stringify({
          version: 1,
          pending: [
            entry({ config: 'gone' }),
            entry({ pbx: 'another-pbx-0000' }),
            entry({ config: 'old', relay: '18', orphanedAt: Date.now() - day - 1000 }),
          ],
        }),
      );
      await helper.load(ALL, [configNode(sim)], CREDS);
      await until(() => LOG.at(LEVEL.WARN).filter((l) => /^relay 1[78]: /.test(l)).length >= 3);
      await until(() => pending().length === 2 && pending().every((e) => typeof e.orphanedAt === 'number'));
      assert.equal(sim.state.relays.get('17')!.status, 1);
      assert.equal(relaySets(sim).length, 0);
      const warns = LOG.at(LEVEL.WARN).filter((l) => /^relay 1[78]: /.test(l));
      assert.ok(
        warns.some((l) =>
          /^relay 17: a switch-back to 0 from before the restart is not carried out: its server configuration gone is gone or now points at another PBX; kept until /.test(
            l,
          ),
        ),
        warns.join('\n'),
      );
      assert.ok(
        warns.some((l) => /^relay 18: dropped the switch-back/.test(l)),
        warns.join('\n'),
      );
    });
  });

  describe('shutdown during a pulse (close timeout 3 s)', () => {
    beforeEach(() => settings({ nodeCloseTimeout: 3000 }));

    it('the PBX does not answer the first switch-back: it is repeated and confirmed before the close ends', async () => {
      const nodes = await pulseNode(sim, { pulse: 60_000 });
      nodes.n1.receive({});
      await until(() => sim.state.relays.get('17')!.status === 1);
      sim.injectFault({ kind: 'hang', action: 'relay_status_set' });
      await helper.unload();
      assert.equal(sim.state.relays.get('17')!.status, 0);
      assert.deepEqual(trail(), [
        'audit node=n1 action=relay_status_set by=flow relay_id=17 status=1',
        'audit node=n1 action=relay_status_set by=flow relay_id=17 status=0 result=WEBTAPI_OUTCOME_UNKNOWN',
        'audit node=n1 action=relay_status_set by=flow relay_id=17 status=0 attempt=2',
      ]);
    });

    it('the PBX is gone: retried until the close timeout is near, then an error says the journal keeps it (fake clock)', async () => {
      const nodes = await pulseNode(sim, { pulse: 60_000 });
      nodes.n1.receive({});
      await until(() => trail().length === 1);
      await sim.pause();
      const clock = pollClock();
      try {
        const started = Date.now();
        let closed = false;
        const closing = helper.unload().then(() => {
          closed = true;
        });
        // The retries' back-off and Node-RED's close timeout on the fake clock, a quarter second at a time.
        while (!closed) await clock.tickAsync(250);
        await closing;
        const took = Date.now() - started;
        assert.ok(took >= 1000 && took < 3000, `the close took ${took} ms (fake clock)`);
      } finally {
        clock.restore();
      }
      assert.ok(trail().filter((l) => / status=0 /.test(l)).length >= 2, trail().join('\n'));
      const errors = LOG.at(LEVEL.ERROR, 'cfg');
      assert.deepEqual(errors, [
        'relay 17: switch-back not confirmed before shutdown; it is kept in the relay journal and carried out at the next start',
      ]);
      assert.deepEqual(
        LOG.at(LEVEL.ERROR).filter((l) => /Close timed out|stopping-error/i.test(l)),
        [],
      );
    });

    it('a full redeploy with the PBX gone: the restarted config node completes the switch-back once the PBX is back', async () => {
      const flow = () => [
        configNode(sim),
        { id: 'n1', type: 'webtapi-relay-set', server: 'cfg', relay: '17', relayStatus: 'on', pulse: 60_000, wires: [[]] },
      ];
      await helper.load(ALL, flow(), CREDS);
      helper.getNode('n1')!.receive({});
      await until(() => trail().length === 1);
      await sim.pause();
      await helper.setFlows(flow(), 'full', CREDS);
      assert.equal(LOG.at(LEVEL.ERROR, 'cfg').length, 1);
      await sim.resume();
      await until(() => sim.state.relays.get('17')!.status === 0);
      await until(() =>
        LOG.at(LEVEL.INFO, 'cfg').some((l) =>
          /^audit node=n1 action=relay_status_set by=flow relay_id=17 status=0 (attempt=\d+ )?completes=pulse-before-restart$/.test(l),
        ),
      );
      assert.equal(relaySets(sim, '0').length, 1, 'the PBX received more than one switch-back');
    });
  });
});
