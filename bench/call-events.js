#!/usr/bin/env node
// The call monitor's figures (issue 12): the cost of deriving call events from one channel list
// (1,000 channels within 2 ms per poll, linear in channels), and PBX requests per interval with 1
// and with 20 call-monitor nodes on one config node (one each: the poll is shared).
//
//   node bench/run.js --phases=callEvents [--smoke]   this phase alone (one of bench/run.js's phases)
'use strict';

const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { CallTracker } = require(path.join(__dirname, '..', 'dist', 'client'));
const { pollWatcher } = require('./lib');

const DIFF_GOAL_MS = 2;

// ---------------------------------------------------------------- the pure part: one poll's cost

/**
 * A PBX with `size` channels in size/2 calls, as the client's parser hands them over. Each poll 5%
 * of the calls move on: ringing → answered (bridged) → ended and replaced by a new ringing call.
 */
class SyntheticPbx {
  constructor(size) {
    this.calls = [];
    this.seq = 0;
    for (let i = 0; i < size / 2; i++) this.calls.push(this.newCall(i));
  }

  newCall(slot) {
    const n = ++this.seq;
    const hex = (k) => k.toString(16).padStart(8, '0');
    return { slot, a: `SIP/${10000 + slot}-${hex(2 * n)}`, b: `SIP/${50000 + slot}-${hex(2 * n + 1)}`, id: n, up: false };
  }

  step() {
    const moves = Math.max(1, Math.round(this.calls.length * 0.05));
    for (let k = 0; k < moves; k++) {
      const i = (this.seq * 7 + k * 13) % this.calls.length;
      const c = this.calls[i];
      this.calls[i] = c.up ? this.newCall(c.slot) : { ...c, up: true };
    }
  }

  list() {
    const out = [];
    for (const c of this.calls) {
      const ext = String(10000 + c.slot);
      const dst = String(50000 + c.slot);
      out.push({
        shape: 'concise',
        channel: c.a,
        context: 'from-internal',
        exten: dst,
        priority: 1,
        state: c.up ? 'Up' : 'Ring',
        application: 'Dial',
        data: `SIP/${dst},30,tT`,
        callerId: ext,
        callerIdName: '',
        accountCode: '',
        peerAccount: '',
        amaFlags: '3',
        duration: 1,
        bridgedTo: c.up ? c.b : null,
        bridgeId: null,
        uniqueId: `1700000000.${2 * c.id}`,
        extension: ext,
        fieldCount: 14,
        raw: '',
      });
      out.push({
        shape: 'concise',
        channel: c.b,
        context: 'from-internal',
        exten: dst,
        priority: 1,
        state: c.up ? 'Up' : 'Ringing',
        application: 'AppDial',
        data: '(Outgoing Line)',
        callerId: dst,
        callerIdName: '',
        accountCode: '',
        peerAccount: '',
        amaFlags: '3',
        duration: 1,
        bridgedTo: c.up ? c.a : null,
        bridgeId: null,
        uniqueId: `1700000000.${2 * c.id + 1}`,
        extension: dst,
        fieldCount: 14,
        raw: '',
      });
    }
    return out;
  }
}

/**
 * Per poll of `size` channels, CallTracker.update() (grouping and events): CPU time (this process's
 * user + system time, the figure a loaded machine disturbs least) and wall time, medians over `polls`.
 */
function diffCost(size, polls, warmup) {
  const pbx = new SyntheticPbx(size);
  const tracker = new CallTracker({ extensions: null });
  const cpu = [];
  const wall = [];
  let events = 0;
  let at = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < warmup + polls; i++) {
    pbx.step();
    const list = pbx.list();
    at += 1000;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    events += tracker.update(list, at).length;
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i < warmup) continue;
    wall.push(ms);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return {
    channels: size,
    polls,
    medianMs: median(cpu),
    wallMedianMs: median(wall),
    wallP95Ms: wall[Math.floor(wall.length * 0.95)],
    events,
  };
}

function diffCosts(smoke) {
  const sizes = [250, 500, 1000, 2000];
  const polls = smoke ? 20 : 300;
  diffCost(1000, polls, 5); // compiles the code paths first: the smallest size must not pay for it
  const rows = sizes.map((size) => diffCost(size, polls, smoke ? 5 : 50));
  const per = (r) => r.medianMs / r.channels;
  const at1000 = rows.find((r) => r.channels === 1000);
  return {
    rows,
    medianMsAt1000: at1000.medianMs,
    // Linear: the cost per channel at 2,000 channels against 250 (1 = exactly linear).
    perChannelRatio: per(rows[rows.length - 1]) / per(rows[0]),
  };
}

/**
 * diffCosts() in a fresh process: the figure is the derivation's own cost. In the benchmark's process
 * the heap left by the runtime and the earlier phases makes every collection during a poll dearer.
 */
function diffCostsApart(smoke) {
  const { execFile } = require('node:child_process');
  const args = [__filename, '--diff-costs', ...(smoke ? ['--smoke'] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout));
    });
  });
}

// ---------------------------------------------------------------- PBX requests per interval

function monitorTab(count, intervalMs) {
  const out = [{ id: 'tabCalls', type: 'tab', label: 'calls' }];
  let y = 0;
  for (let i = 0; i < count; i++) {
    out.push({
      id: `callmon${i}`,
      z: 'tabCalls',
      x: 200,
      y: (y += 40),
      type: 'webtapi-call-monitor',
      name: '',
      server: 'cfg',
      extensions: '',
      interval: intervalMs,
      events: 'ring,call,connect,disconnect',
      wires: [[]],
    });
  }
  return out;
}

/** With `count` call monitors deployed beside the bench flow: call_list_all per poll over `seconds`. */
async function requestsWith(ctx, count, intervalMs, seconds) {
  ctx.flows = ctx.flows.filter((n) => n.z !== 'tabCalls' && n.id !== 'tabCalls');
  await ctx.addFlows(monitorTab(count, intervalMs));
  const listed = async () => (await ctx.simStats()).stats.byAction.call_list_all ?? 0;
  const poller = ctx.cfg.poller;
  // The window starts and ends right after a poll's answer was handed out (the next poll is an
  // interval away), so the PBX's count and the poller's agree. The benchmark listens like one more
  // call monitor, at the same interval.
  const { afterPoll, unsubscribe } = pollWatcher(poller, 'callEvents', { calls: true, intervalMs });
  try {
    await afterPoll();
    const p0 = poller.polls;
    const t0 = performance.now();
    const r0 = await listed();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await afterPoll();
    const polls = poller.polls - p0;
    const elapsed = performance.now() - t0;
    const requests = (await listed()) - r0;
    return {
      monitors: count,
      intervalMs,
      seconds: elapsed / 1000,
      polls,
      requests,
      requestsPerPoll: polls ? requests / polls : NaN,
      requestsPerInterval: requests / (elapsed / intervalMs),
    };
  } finally {
    unsubscribe();
  }
}

/** The phase (bench/run.js): `ctx` as bench/context.js builds it. */
async function callEventsPhase(ctx) {
  const smoke = Boolean(ctx.results.smoke);
  ctx.progress('callEvents: deriving call events from channel lists of 250 to 2,000 channels (in a process of its own)');
  const diff = await diffCostsApart(smoke);
  const intervalMs = 250;
  const seconds = smoke ? 1 : 5;
  const polling = [];
  for (const count of [1, 20]) {
    ctx.progress(`callEvents: ${count} call-monitor node${count > 1 ? 's' : ''}, every ${intervalMs} ms, ${seconds} s`);
    polling.push(await requestsWith(ctx, count, intervalMs, seconds));
  }
  ctx.flows = ctx.flows.filter((n) => n.z !== 'tabCalls' && n.id !== 'tabCalls');
  await ctx.addFlows([]);
  const r = { diff, polling };
  const cpu = diff.rows.map((row) => `${row.channels} ch ${row.medianMs.toFixed(2)} ms`).join(', ');
  const requests = polling.map((p) => `${p.monitors} node${p.monitors > 1 ? 's' : ''} ${p.requestsPerPoll.toFixed(2)}`).join(', ');
  return {
    ...r,
    summary: `CPU per poll (median): ${cpu}; call_list_all per poll: ${requests}`,
    targets: targets(r),
    failures: failures(r),
  };
}

/** Figures with a goal, for the benchmark's target table. */
function targets(r) {
  if (!r) return [];
  const t = [];
  const add = (name, value, goal, pass, unit = '') => t.push({ name, value, goal, pass, unit });
  add(
    'call events: CPU ms per poll of 1,000 channels (median)',
    r.diff.medianMsAt1000,
    `<= ${DIFF_GOAL_MS} ms`,
    r.diff.medianMsAt1000 <= DIFF_GOAL_MS,
    'ms',
  );
  add('call events: cost per channel, 2,000 vs 250 channels', r.diff.perChannelRatio, '<= 2 (linear)', r.diff.perChannelRatio <= 2, 'x');
  for (const p of r.polling)
    add(
      `call monitors: PBX requests per poll (${p.monitors} node${p.monitors > 1 ? 's' : ''})`,
      p.requestsPerPoll,
      '= 1',
      p.requestsPerPoll === 1,
    );
  return t;
}

/** What a smoke run asserts (no timing): one call_list_all per poll, whatever the number of nodes. */
function failures(r) {
  if (!r) return [];
  const f = [];
  for (const p of r.polling) {
    if (!(p.polls > 0)) f.push(`call monitors (${p.monitors}): no poll`);
    else if (p.requests !== p.polls) f.push(`call monitors (${p.monitors}): ${p.requests} call_list_all for ${p.polls} polls`);
  }
  if (!r.diff.rows.every((row) => row.events > 0)) f.push('call events: a synthetic PBX gave no events');
  return f;
}

module.exports = callEventsPhase;
Object.assign(module.exports, { targets, failures, diffCosts, SyntheticPbx });

if (require.main === module && process.argv.includes('--diff-costs')) {
  process.stdout.write(JSON.stringify(diffCosts(process.argv.includes('--smoke'))));
}
