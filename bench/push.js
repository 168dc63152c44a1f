#!/usr/bin/env node
// Events pushed by the PBX (issue 19): ring at the simulator → `ring` out of a call-monitor node,
// with the simulator pushing (poll every 10 s) and without (poll every 1 s), side by side on the
// same rings; PBX requests per ring; CPU per push in Node-RED and memory over 10,000 pushes. In a
// process of its own: the endpoint needs Node-RED's HTTP node server, the benchmark's runtime has
// none (one embedded Node-RED per process). The simulator runs in a third process.
//
//   node bench/run.js --phases=push [--smoke]   this phase (one of bench/run.js's phases)
'use strict';

const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { SimProcess, percentile, settle, sleep, MiB } = require('./lib');
const { logTo, startEmbedded } = require('../scripts/lib/nodered');
const { until } = require('../scripts/lib/until');

const EXTS = ['1001', '1002', '1003', '1004', '1005', '1006'];
const EVENT_NODES = 10;
const RING_GAP_MS = 400;
const PUSH_P95_GOAL_MS = 50;
const token = () => crypto.randomBytes(24).toString('base64url');

function flows(tokens) {
  const monitor = (id, server, interval, sink) => ({
    id,
    z: 't',
    type: 'webtapi-call-monitor',
    server,
    extensions: EXTS.join(','),
    interval,
    events: 'ring',
    x: 100,
    y: 40,
    wires: [[sink]],
  });
  const cfg = (id) => ({
    id,
    type: 'webtapi-config',
    name: `pbx ${id.slice(3)}`,
    url: 'http://127.0.0.1:1/',
    timeout: 5000,
    concurrency: 4,
  });
  const out = [
    { id: 't', type: 'tab', label: 'push' },
    cfg('cfgPush'),
    monitor('monPush', 'cfgPush', 10_000, 'sinkPush'),
    { id: 'sinkPush', z: 't', type: 'bench-sink', x: 300, y: 40, wires: [] },
    cfg('cfgPoll'),
    monitor('monPoll', 'cfgPoll', 1000, 'sinkPoll'),
    { id: 'sinkPoll', z: 't', type: 'bench-sink', x: 300, y: 80, wires: [] },
    { id: 'sinkEv', z: 't', type: 'bench-sink', x: 300, y: 120, wires: [] },
  ];
  for (let i = 0; i < tokens.length - 1; i++) {
    out.push(cfg(`cfgEv${i}`), {
      id: `ev${i}`,
      z: 't',
      type: 'webtapi-event-in',
      server: `cfgEv${i}`,
      events: '',
      x: 100,
      y: 120,
      wires: [['sinkEv']],
    });
  }
  return out;
}

/** Node-RED with HTTP on a free port, the two monitors and the event-in nodes deployed against `url`. */
async function startRuntime(url, tokens) {
  const nr = await startEmbedded({
    install: true,
    nodesDir: [path.join(__dirname, 'nodes')],
    prefix: 'webtapi-bench-push-',
    logging: logTo((e) => {
      if (e.level <= 20) process.stderr.write(`[push] ${e.msg}\n`);
    }, 'error'),
  });
  const nodes = flows(tokens).map((n) => (n.type === 'webtapi-config' ? { ...n, url } : n));
  const creds = {
    cfgPush: { username: '1004', password: 'secret', eventToken: tokens[0] },
    cfgPoll: { username: '1004', password: 'secret' },
  };
  for (let i = 0; i < tokens.length - 1; i++) creds[`cfgEv${i}`] = { username: '1004', password: 'secret', eventToken: tokens[i + 1] };
  await nr.deploy(nodes, 'full', creds);
  return nr;
}

/** The messages of the sinks: ring arrival times by channel, per side; event-in messages counted. */
function sinks() {
  const seen = { sinkPush: new Map(), sinkPoll: new Map(), events: 0 };
  globalThis.__webtapiBench = {
    onSink(id, msg) {
      if (id === 'sinkEv') seen.events++;
      else if (msg.topic === 'ring') seen[id].set(msg.payload.channel, performance.timeOrigin + performance.now());
    },
  };
  return seen;
}

const stats = (values) => ({
  n: values.length,
  p50Ms: percentile(values, 50),
  p95Ms: percentile(values, 95),
  p99Ms: percentile(values, 99),
  maxMs: Math.max(...values),
});

/** `rings` rings, one per RING_GAP_MS over six extensions (each call lasts 6 gaps: longer than the 1 s poll). */
async function ringLatency(sim, nr, seen, rings) {
  const polls0 = { push: nr.node('cfgPush').poller.polls, poll: nr.node('cfgPoll').poller.polls };
  const rung = [];
  for (let k = 0; k < rings; k++) {
    rung.push(await sim.call('step', { ext: EXTS[k % EXTS.length], from: '1009' }));
    await sleep(RING_GAP_MS);
  }
  await until(() => seen.sinkPush.size >= rings && seen.sinkPoll.size >= rings, { timeoutMs: 5000, everyMs: 20 }).catch(() => undefined);
  const latency = (side) => rung.filter((r) => seen[side].has(r.channel)).map((r) => seen[side].get(r.channel) - r.at);
  return {
    rings,
    push: { ...stats(latency('sinkPush')), intervalMs: 10_000, polls: nr.node('cfgPush').poller.polls - polls0.push },
    poll: { ...stats(latency('sinkPoll')), intervalMs: 1000, polls: nr.node('cfgPoll').poller.polls - polls0.poll },
  };
}

/** `total` pushes spread over the event-in tokens at 40 per second each: CPU per push here, heap before and after. */
async function pushCost(sim, nr, seen, tokens, total) {
  const urls = tokens.slice(1).map((t) => new URL(`metasec-webtapi/events/${t}`, nr.url).href);
  const perUrl = Math.ceil(total / urls.length);
  await sim.call('pushes', { urls, perUrl: Math.min(50, perUrl), perSecond: 40 });
  const before = await settle();
  // What Node-RED costs meanwhile without pushes (the 1 s poll of the other side): subtracted.
  const idle0 = process.cpuUsage();
  const idleStart = performance.now();
  await sleep(1000);
  const idle = process.cpuUsage(idle0);
  const idlePerMs = (idle.user + idle.system) / (performance.now() - idleStart);
  const events0 = seen.events;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { statuses } = await sim.call('pushes', { urls, perUrl, perSecond: 40 });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  await until(() => seen.events - events0 >= (statuses[200] || 0), { timeoutMs: 5000, everyMs: 20 }).catch(() => undefined);
  const after = await settle();
  const pushes = perUrl * urls.length;
  return {
    pushes,
    accepted: statuses[200] || 0,
    statuses,
    events: seen.events - events0,
    cpuUsPerPush: (cpu.user + cpu.system - idlePerMs * wallMs) / pushes,
    cpuUsPerPushGross: (cpu.user + cpu.system) / pushes,
    heapGrowthMiB: (after.heapUsed - before.heapUsed) / MiB,
    rssGrowthMiB: (after.rss - before.rss) / MiB,
  };
}

async function child(smoke) {
  const sim = new SimProcess();
  let nr = null;
  try {
    const { url } = await sim.call('start', { options: { port: 0 } });
    const tokens = Array.from({ length: EVENT_NODES + 1 }, token);
    nr = await startRuntime(url, tokens);
    await sim.call('setPush', { url: new URL(`metasec-webtapi/events/${tokens[0]}`, nr.url).href });
    const seen = sinks();
    await sleep(1500);
    const latency = await ringLatency(sim, nr, seen, smoke ? 8 : 200);
    const cost = await pushCost(sim, nr, seen, tokens, smoke ? 200 : 10_000);
    const simStats = await sim.call('stats');
    return { latency, cost, simRequests: simStats.stats.requests };
  } finally {
    if (nr) await nr.stop().catch(() => undefined);
    await sim.close();
  }
}

function targets(r) {
  const { push, poll } = r.latency;
  return [
    {
      name: `push: ring → ring message p95 (${r.latency.rings} rings, poll 10 s)`,
      value: push.p95Ms,
      goal: `<= ${PUSH_P95_GOAL_MS} ms`,
      pass: push.p95Ms <= PUSH_P95_GOAL_MS,
      unit: 'ms',
    },
    {
      name: 'push p95 / poll at 1 s p95',
      value: push.p95Ms / poll.p95Ms,
      goal: '<= 0.05',
      pass: push.p95Ms / poll.p95Ms <= 0.05,
      unit: 'x',
    },
    {
      name: 'push: poll requests per ring',
      value: push.polls / r.latency.rings,
      goal: '<= 1.1',
      pass: push.polls / r.latency.rings <= 1.1,
      unit: '',
    },
    {
      name: `pushes: heap growth over ${r.cost.pushes}`,
      value: r.cost.heapGrowthMiB,
      goal: '< 5 MiB',
      pass: r.cost.heapGrowthMiB < 5,
      unit: 'MiB',
    },
  ];
}

/**
 * What a smoke run asserts (no timing): every ring seen on both sides, at most one poll per ring on the push side
 * (plus the 10 s interval), every accepted push emitted.
 */
function failures(r) {
  const f = [];
  const { rings, push, poll } = r.latency;
  if (push.n !== rings || poll.n !== rings) f.push(`rings seen: push ${push.n}, poll ${poll.n} of ${rings}`);
  if (push.polls > rings + 1 + Math.ceil((rings * RING_GAP_MS) / push.intervalMs))
    f.push(`push side: ${push.polls} polls for ${rings} rings`);
  if (r.cost.accepted !== r.cost.pushes)
    f.push(`pushes: ${r.cost.accepted} of ${r.cost.pushes} accepted (${JSON.stringify(r.cost.statuses)})`);
  if (r.cost.events !== r.cost.accepted) f.push(`pushes: ${r.cost.events} event-in messages for ${r.cost.accepted} accepted`);
  return f;
}

const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : String(v));

/** The phase (bench/run.js): runs the child and adds its targets, failures and one-line summary. */
function pushPhase(ctx) {
  const smoke = Boolean(ctx.results.smoke);
  ctx.progress(`push: ring → ring message, push vs poll at 1 s, ${smoke ? 8 : 200} rings; ${smoke ? 200 : 10_000} pushes (own process)`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', __filename, '--child', ...(smoke ? ['--smoke'] : [])],
      { maxBuffer: 1024 * 1024, timeout: 600_000 },
      (err, stdout) => {
        if (err) return reject(err);
        const r = JSON.parse(stdout.trim().split('\n').pop());
        const { push, poll } = r.latency;
        r.targets = targets(r);
        r.failures = failures(r);
        r.summary = `ring → ring message p50/p95/p99: push ${f1(push.p50Ms)}/${f1(push.p95Ms)}/${f1(push.p99Ms)} ms (${push.polls} polls for ${r.latency.rings} rings), poll 1 s ${f1(poll.p50Ms)}/${f1(poll.p95Ms)}/${f1(poll.p99Ms)} ms (${poll.polls} polls); ${r.cost.pushes} pushes: ${f1(r.cost.cpuUsPerPush)} µs CPU each in Node-RED (${f1(r.cost.cpuUsPerPushGross)} with the idle poll), heap ${r.cost.heapGrowthMiB.toFixed(2)} MiB, RSS ${r.cost.rssGrowthMiB.toFixed(2)} MiB`;
        return resolve(r);
      },
    );
  });
}

module.exports = pushPhase;

if (require.main === module && process.argv.includes('--child')) {
  child(process.argv.includes('--smoke')).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      setTimeout(() => process.exit(0), 100).unref();
    },
    (err) => {
      process.stderr.write(`push: ${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    },
  );
}
