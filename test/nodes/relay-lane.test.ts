/*
 * The relay lane on its own (no Node-RED, no HTTP): serialisation, retriggerable pulses, the
 * switch-back repeated until confirmed, its deadline and shutdown. The PBX is a small model
 * whose failures the test switches on and off.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { OutcomeUnknownError, UnreachableError, ActionFailedError } from '../../dist/client';
import { RelayLane, type LaneJournal, type Reporter } from '../../dist/nodes/services/relays/lane';

class FakeRelay {
  status = 0;
  /** Every request, in the order the relay saw them. */
  log: Array<{ op: 'set' | 'get'; status?: number; at: number; ok: boolean }> = [];
  down = false;
  /** relay_status_set answers 1 but does nothing (a stuck contact). */
  stuck = false;
  delayMs = 0;
  io = {
    set: async (status: number, signal?: AbortSignal): Promise<Record<string, string>> => {
      await this.wait(signal);
      const ok = !this.down;
      this.log.push({ op: 'set', status, at: Date.now(), ok });
      if (!ok) throw new UnreachableError('relay_status_set', 'ECONNREFUSED', false, 'refused');
      if (!this.stuck) this.status = status;
      return { relay_id: '17', status: String(status) };
    },
    read: async (signal?: AbortSignal): Promise<number> => {
      await this.wait(signal);
      this.log.push({ op: 'get', at: Date.now(), ok: !this.down });
      if (this.down) throw new UnreachableError('relay_status_get', 'ECONNREFUSED', false, 'refused');
      return this.status;
    },
  };
  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(resolve, this.delayMs);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          reject(new OutcomeUnknownError('relay_status_set', 'aborted', 'aborted'));
        },
        { once: true },
      );
    });
  }
  sets(status?: number) {
    return this.log.filter((e) => e.op === 'set' && (status === undefined || e.status === status));
  }
}

class FakeJournal implements LaneJournal {
  entry: { back: number; due: number } | null = null;
  writes = 0;
  async record(e: { target: number; back: number; due: number; restoreMs: number; node: string }) {
    this.entry = e;
    this.writes++;
  }
  async clear() {
    this.entry = null;
  }
}

function reporter(id = 'n1', signal?: AbortSignal) {
  const lines: string[] = [];
  const attempts: number[] = [];
  const warnings: string[] = [];
  const r: Reporter = {
    id,
    signal,
    audit: (f, result) =>
      lines.push(
        Object.entries(f)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') + (result ? ` result=${result}` : ''),
      ),
    pulsing: () => undefined,
    switchingBack: (n) => attempts.push(n),
    warn: (t) => warnings.push(t),
    error: (t) => warnings.push(`error: ${t}`),
  };
  return { r, lines, attempts, warnings };
}

const FAST = { minDelayMs: 20, maxDelayMs: 60 };

/*
 * Where time is the subject (back-off pauses, a moved switch-back, a shutdown deadline) a test runs
 * on sinon's fake clock: `fakeClock()` installs it for that test, the afterEach below removes it,
 * and `settle` moves the clock on until a promise is settled, so the times measured are exact.
 */
let clock: sinon.SinonFakeTimers | undefined;
const fakeClock = () => (clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] }));

/** Ticks the fake clock `step` ms at a time until `cond` holds (at most `ms`); the timers within a step fire at their own times. */
async function tickUntil(cond: () => boolean, ms = 1000, step = 1): Promise<void> {
  for (let t = 0; !cond(); t += step) {
    if (t >= ms) throw new Error(`not true within ${ms} ms of the fake clock`);
    await clock!.tickAsync(step);
  }
}

/** Ticks the fake clock until `p` is settled (at most `ms`), then gives its outcome. */
async function settle<T>(p: Promise<T>, ms = 60_000): Promise<T> {
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  await tickUntil(() => settled, ms, 10);
  return watched;
}

/**
 * A 10 ms pulse on the fake clock whose switch-back meets `fault` of the relay: switched on once the
 * pulse has switched the relay, off `ms` later. Gives the pulse's outcome once settled.
 */
async function pulseThroughFault(relay: FakeRelay, lane: RelayLane, r: Reporter, fault: 'down' | 'stuck', ms: number) {
  const done = lane.pulse(1, 10, 5000, r);
  await tickUntil(() => relay.sets(1).length > 0);
  relay[fault] = true;
  setTimeout(() => {
    relay[fault] = false;
  }, ms);
  return settle(done);
}

describe('relay lane (plain module)', () => {
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  it('a pulse: journal entry before the first switch, one switch-back, the entry removed', async () => {
    const relay = new FakeRelay();
    const journal = new FakeJournal();
    const lane = new RelayLane('17', relay.io, journal, undefined, FAST);
    const { r, lines } = reporter();
    const done = lane.pulse(1, 50, 5000, r);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(journal.writes, 1, 'recorded before the switch');
    assert.equal(journal.entry?.back, 0);
    assert.deepEqual(await done, { final: 0, params: { relay_id: '17', status: '0' } });
    assert.equal(journal.entry, null);
    assert.deepEqual(
      relay.sets().map((s) => s.status),
      [1, 0],
    );
    assert.deepEqual(lines, ['relay_id=17 status=1', 'relay_id=17 status=0']);
  });

  it('switch-back repeated with capped back-off until the PBX answers, each attempt audited', async () => {
    fakeClock();
    const relay = new FakeRelay();
    // Uncapped, the pauses would be 50, 100, 200, 400, 800 ms: the cap shows within the 1.5 s outage.
    const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, { minDelayMs: 50, maxDelayMs: 200 });
    const { r, lines, attempts } = reporter();
    assert.equal((await pulseThroughFault(relay, lane, r, 'down', 1500)).final, 0);
    assert.equal(relay.status, 0);
    const backs = relay.sets(0);
    assert.ok(backs.length >= 5, `only ${backs.length} attempts`);
    const gaps = backs.slice(1).map((b, i) => b.at - backs[i].at);
    assert.ok(
      gaps.every((g) => g < 400),
      `gaps ${gaps.join(',')} exceed the cap`,
    );
    assert.ok(gaps[0] < gaps[gaps.length - 2], `no back-off: ${gaps.join(',')}`);
    assert.deepEqual(attempts, backs.map((_b, i) => i + 1).slice(1));
    assert.equal(lines[1], 'relay_id=17 status=0 result=WEBTAPI_UNREACHABLE');
    assert.equal(lines[2], 'relay_id=17 status=0 attempt=2 result=WEBTAPI_UNREACHABLE');
    assert.match(lines[lines.length - 1], /^relay_id=17 status=0 attempt=\d+$/);
  });

  it('a read that shows the relay still on is not a confirmation', async () => {
    fakeClock();
    const relay = new FakeRelay();
    const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, FAST);
    const { r, lines } = reporter();
    assert.equal((await pulseThroughFault(relay, lane, r, 'stuck', 150)).final, 0);
    assert.equal(relay.status, 0);
    assert.ok(lines.includes('relay_id=17 status=0 result=not-confirmed-read-1'), lines.join('\n'));
  });

  it('the deadline passes: WEBTAPI_RELAY_NOT_RESTORED naming relay and status; the journal keeps the entry', async () => {
    fakeClock();
    const relay = new FakeRelay();
    const journal = new FakeJournal();
    const lane = new RelayLane('17', relay.io, journal, undefined, FAST);
    const done = lane.pulse(1, 10, 300, reporter().r);
    await tickUntil(() => relay.sets(1).length > 0);
    relay.down = true;
    const err = await settle(done).then(
      () => assert.fail('resolved'),
      (e: { code: string; message: string }) => e,
    );
    assert.equal(err.code, 'WEBTAPI_RELAY_NOT_RESTORED');
    assert.match(err.message, /^relay 17 was not confirmed switched back to 0 after \d+ attempts \(last: unreachable\)$/);
    assert.notEqual(journal.entry, null);
  });

  it('retriggerable: a second pulse moves the switch-back; one switch-on, one switch-back, both answered', async () => {
    fakeClock();
    const relay = new FakeRelay();
    const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, FAST);
    const t0 = Date.now();
    const a = lane.pulse(1, 200, 5000, reporter('a').r);
    await clock!.tickAsync(100);
    const b = lane.pulse(1, 200, 5000, reporter('b').r);
    const [ra, rb] = await settle(Promise.all([a, b]));
    assert.equal(ra.final, 0);
    assert.equal(rb.final, 0);
    assert.deepEqual(
      relay.sets().map((s) => s.status),
      [1, 0],
    );
    const back = relay.sets(0)[0].at - t0;
    assert.ok(back >= 295 && back < 700, `switched back after ${back} ms`);
  });

  it('one writer: operations run in arrival order; toggles read after the previous one', async () => {
    const relay = new FakeRelay();
    relay.delayMs = 3;
    const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, FAST);
    const { r } = reporter();
    const results = await Promise.all(Array.from({ length: 10 }, () => lane.switchTo(null, r)));
    assert.deepEqual(
      results.map((x) => x.final),
      [1, 0, 1, 0, 1, 0, 1, 0, 1, 0],
    );
    assert.deepEqual(
      relay.log.map((e) => e.op),
      Array.from({ length: 10 }, () => ['get', 'set']).flat(),
    );
    assert.equal(relay.status, 0);
    // A switch queued behind a pulse waits for its switch-back; a pulse behind it does not join the first.
    const p = lane.pulse(1, 30, 5000, r);
    const off = lane.switchTo(0, r);
    const p2 = lane.pulse(1, 30, 5000, r);
    await Promise.all([p, off, p2]);
    assert.deepEqual(
      relay
        .sets()
        .slice(10)
        .map((s) => s.status),
      [1, 0, 0, 1, 0],
    );
  });

  it('a first switch the PBX refused is not switched back; one with an unknown outcome is', async () => {
    const relay = new FakeRelay();
    const journal = new FakeJournal();
    const io = {
      ...relay.io,
      set: async (s: number, sig?: AbortSignal) => {
        if (s === 1) throw new ActionFailedError('relay_status_set');
        return relay.io.set(s, sig);
      },
    };
    const lane = new RelayLane('17', io, journal, undefined, FAST);
    await assert.rejects(lane.pulse(1, 10, 1000, reporter().r), { code: 'WEBTAPI_ACTION_FAILED' });
    assert.equal(relay.sets().length, 0);
    assert.equal(journal.entry, null);
    const io2 = {
      ...relay.io,
      set: async (s: number, sig?: AbortSignal) => {
        if (s === 1) {
          relay.status = 1;
          throw new OutcomeUnknownError('relay_status_set', 'connection-lost', 'reset');
        }
        return relay.io.set(s, sig);
      },
    };
    const { r, warnings } = reporter();
    await assert.rejects(new RelayLane('17', io2, journal, undefined, FAST).pulse(1, 10, 1000, r), { code: 'WEBTAPI_OUTCOME_UNKNOWN' });
    assert.equal(relay.status, 0);
    assert.deepEqual(warnings, [
      'relay 17: switching to 1 may have happened (outcome unknown); switching back to 0 after the pulse all the same',
    ]);
  });

  it('shutdown: the pulse switches back now, retries stop at the deadline, queued switches are dropped', async () => {
    fakeClock();
    const relay = new FakeRelay();
    const journal = new FakeJournal();
    const lane = new RelayLane('17', relay.io, journal, undefined, FAST);
    const { r, warnings } = reporter();
    const pulse = lane.pulse(1, 60_000, 600_000, r);
    const queued = lane.switchTo(1, r);
    await tickUntil(() => relay.sets(1).length > 0);
    relay.down = true;
    const started = Date.now();
    lane.close(Date.now() + 200);
    await assert.rejects(
      settle(pulse),
      (e: { code: string; message: string }) => e.code === 'WEBTAPI_RELAY_NOT_RESTORED' && /shutdown/.test(e.message),
    );
    await assert.rejects(settle(queued), { code: 'WEBTAPI_ABORTED' });
    await settle(lane.idle());
    assert.ok(Date.now() - started < 400, `took ${Date.now() - started} ms`);
    assert.deepEqual(warnings, ['relay 17: pulse cut short by shutdown, switching back to 0 now']);
    assert.equal(relay.sets(1).length, 1, 'the queued switch-on ran after shutdown');
    assert.notEqual(journal.entry, null, 'an unconfirmed switch-back stays in the journal');
  });

  it('says when it is idle (the hub forgets idle lanes)', async () => {
    const relay = new FakeRelay();
    let idle = 0;
    const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, { ...FAST, onIdle: () => idle++ });
    const { r } = reporter();
    await Promise.all([lane.switchTo(1, r), lane.pulse(1, 20, 1000, r)]);
    await lane.idle();
    assert.equal(idle, 1);
    await lane.switchTo(0, r);
    await lane.idle();
    assert.equal(idle, 2);
  });

  it('resume: a switch-back from the journal runs at its due time (or now), and a pulse may join it', async () => {
    fakeClock();
    const relay = new FakeRelay();
    relay.status = 1;
    const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, FAST);
    const { r, lines } = reporter('old');
    const t0 = Date.now();
    const resumed = lane.resume({ target: 1, back: 0, due: t0 + 100, restoreMs: 1000 }, r, { completes: 'pulse-before-restart' });
    const joined = lane.pulse(1, 200, 1000, reporter('new').r);
    await settle(Promise.all([resumed, joined]));
    assert.ok(relay.sets(0)[0].at - t0 >= 195, 'the joining pulse did not move the switch-back');
    assert.deepEqual(
      relay.sets().map((s) => s.status),
      [0],
    );
    assert.deepEqual(lines, []);
    const overdue = new FakeRelay();
    overdue.status = 1;
    const { r: r2, lines: l2 } = reporter('old');
    await settle(
      new RelayLane('17', overdue.io, new FakeJournal(), undefined, FAST).resume(
        { target: 1, back: 0, due: t0 - 5000, restoreMs: 1000 },
        r2,
        { completes: 'pulse-before-restart' },
      ),
    );
    assert.equal(overdue.status, 0);
    assert.deepEqual(l2, ['relay_id=17 status=0 completes=pulse-before-restart']);
  });

  describe('"off" wins (fake timers: the pulse would hold for 10 s)', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    });
    afterEach(() => clock.restore());

    /** A relay held on by a 10 s pulse of reporter `a`. */
    async function held() {
      const relay = new FakeRelay();
      const journal = new FakeJournal();
      const lane = new RelayLane('17', relay.io, journal, undefined, FAST);
      const a = reporter('a');
      const pulse = lane.pulse(1, 10_000, 5000, a.r);
      await clock.tickAsync(10);
      assert.deepEqual(
        relay.sets().map((x) => x.status),
        [1],
      );
      return { relay, journal, lane, a, pulse };
    }

    it('a switch to the rest state ends the pulse now: one switch-back, confirmed, answers both', async () => {
      const { relay, journal, lane, a, pulse } = await held();
      const b = reporter('b');
      const t0 = Date.now();
      const off = lane.switchTo(0, b.r);
      await clock.tickAsync(10);
      assert.deepEqual(await off, { final: 0, params: { relay_id: '17', status: '0' } });
      assert.deepEqual(await pulse, { final: 0, params: { relay_id: '17', status: '0' } });
      assert.ok(Date.now() - t0 <= 500, `back after ${Date.now() - t0} ms`);
      assert.equal(relay.status, 0);
      assert.deepEqual(
        relay.log.map((e) => `${e.op}${e.status ?? ''}`),
        ['set1', 'set0', 'get'],
        'the switch-back and its confirming read, nothing more',
      );
      assert.equal(journal.entry, null);
      // The pulse's own switch-back is not sent again when its time comes.
      await clock.tickAsync(20_000);
      assert.deepEqual(
        relay.sets().map((x) => x.status),
        [1, 0],
      );
      // Switched on by a, back by b: the trail says who ended it.
      assert.deepEqual(a.lines, ['relay_id=17 status=1']);
      assert.deepEqual(b.lines, ['relay_id=17 status=0']);
      assert.deepEqual(a.warnings, [], 'an "off" is no shutdown');
    });

    it('a toggle while the pulse holds the relay is the same "off", without reading the relay first', async () => {
      const { relay, lane, pulse } = await held();
      const toggled = lane.switchTo(null, reporter('b').r);
      await clock.tickAsync(10);
      assert.equal((await toggled).final, 0);
      assert.equal((await pulse).final, 0);
      assert.deepEqual(
        relay.log.map((e) => `${e.op}${e.status ?? ''}`),
        ['set1', 'set0', 'get'],
      );
    });

    it('any other status still waits for the switch-back (arrival order)', async () => {
      const { relay, lane, pulse } = await held();
      let answered = false;
      const five = lane.switchTo(5, reporter('b').r).then((o) => {
        answered = true;
        return o;
      });
      await clock.tickAsync(5000);
      assert.equal(answered, false);
      assert.deepEqual(
        relay.sets().map((x) => x.status),
        [1],
        'the pulse was cut short by a switch that is not its rest state',
      );
      await clock.tickAsync(5100);
      assert.equal((await pulse).final, 0);
      assert.equal((await five).final, 5);
      assert.deepEqual(
        relay.sets().map((x) => x.status),
        [1, 0, 5],
      );
    });

    it('with a switch queued after the pulse: the pulse ends now, the queued switch runs, then the "off"', async () => {
      const { relay, lane, pulse } = await held();
      const five = lane.switchTo(5, reporter('b').r);
      const off = lane.switchTo(0, reporter('c').r);
      await clock.tickAsync(50);
      assert.deepEqual(await Promise.all([pulse, five, off]).then((r) => r.map((o) => o.final)), [0, 5, 0]);
      assert.deepEqual(
        relay.sets().map((x) => x.status),
        [1, 0, 5, 0],
      );
    });

    it('an "off" during the switch-back joins it: no extra request, answered when it is confirmed', async () => {
      const relay = new FakeRelay();
      const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, FAST);
      const pulse = lane.pulse(1, 100, 5000, reporter('a').r);
      await clock.tickAsync(10);
      relay.down = true;
      await clock.tickAsync(100); // due: the first switch-back attempt fails
      const tries = relay.sets(0).length;
      assert.ok(tries >= 1);
      const off = lane.switchTo(0, reporter('b').r);
      relay.down = false;
      await clock.tickAsync(100);
      assert.equal((await off).final, 0);
      assert.equal((await pulse).final, 0);
      assert.deepEqual(relay.sets(0).filter((x) => x.ok).length, 1, 'one confirmed switch-back');
      assert.equal(relay.sets(1).length, 1);
    });

    it('a pulse retriggered by many messages of one node reports to that node once (a reporter per message, one per node)', async () => {
      const relay = new FakeRelay();
      const lane = new RelayLane('17', relay.io, new FakeJournal(), undefined, FAST);
      const node = {};
      const attempts: number[] = [];
      const perMessage = () => ({
        ...reporter('n1').r,
        owner: node,
        switchingBack: (n: number) => {
          attempts.push(n);
        },
      });
      const first = lane.pulse(1, 1000, 5000, perMessage());
      await clock.tickAsync(10);
      const more = Array.from({ length: 50 }, () => lane.pulse(1, 1000, 5000, perMessage()));
      assert.ok(lane.involves(node));
      relay.down = true; // the first switch-back fails: attempt 2 is reported
      lane.cutShort(node);
      await clock.tickAsync(10);
      relay.down = false;
      await clock.tickAsync(100);
      await Promise.all([first, ...more]);
      assert.deepEqual(attempts, [2], 'the node was told of attempt 2 once per message');
      assert.equal(relay.sets(1).length, 1);
      assert.ok(!lane.involves(node));
    });

    it('a pulse after the "off" does not join the ended pulse: it is a pulse of its own', async () => {
      const { relay, lane } = await held();
      const off = lane.switchTo(0, reporter('b').r);
      const again = lane.pulse(1, 1000, 5000, reporter('c').r);
      await clock.tickAsync(10);
      assert.equal((await off).final, 0);
      assert.deepEqual(
        relay.sets().map((x) => x.status),
        [1, 0, 1],
      );
      await clock.tickAsync(1100);
      assert.equal((await again).final, 0);
      assert.deepEqual(
        relay.sets().map((x) => x.status),
        [1, 0, 1, 0],
      );
    });
  });
});
