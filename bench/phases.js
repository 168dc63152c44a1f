// The benchmark's built-in phases. Each is `async (ctx) => result` (ctx: see startBench in
// context.js); bench/run.js lists them in the order they run and stores each result under its name.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { percentile, median, pollWatcher, settle, sleep, MiB } = require('./lib');
const { progress } = require('./context');
const { camera } = require('./camera');
const { until } = require('../scripts/lib/until');

const COLD_MESSAGES = 200;
const WATCH_NODES = 10;
const WATCH_EACH = 50;

/** A phase that never ends is a failure, not a hang (a lost message, a poll that never comes). */
function within(ms, label, promise) {
  let timer;
  const limit = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: not done within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** Load time, in fresh processes (run first: nothing else loaded yet). Needs no context. */
function loadTime({ P }) {
  const runs = [];
  const script = path.join(__dirname, 'load-time.js');
  for (let i = 0; i < P.loadRuns; i++) {
    const variants = P.loadWithout ? (i % 2 ? ['without', 'with'] : ['with', 'without']) : ['with'];
    for (const v of variants) {
      progress(`load time: fresh Node-RED ${v} the package (${i + 1}/${P.loadRuns})`);
      const out = execFileSync(process.execPath, [script, v], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      runs.push(JSON.parse(out.trim().split('\n').pop()));
    }
  }
  const withPkg = runs.filter((r) => r.withPackage);
  const without = runs.filter((r) => !r.withPackage);
  const packageMs = withPkg.map((r) => r.requireMs + r.initMs);
  return {
    runs: withPkg.length,
    nodeTypes: withPkg[0]?.types.length ?? 0,
    packageMs: median(packageMs),
    packageMsAll: packageMs,
    requireMs: median(withPkg.map((r) => r.requireMs)),
    initMs: median(withPkg.map((r) => r.initMs)),
    startWithMs: median(withPkg.map((r) => r.startMs)),
    startWithoutMs: without.length ? median(without.map((r) => r.startMs)) : null,
  };
}

/** 200 messages at once on a config node that has never logged in. */
async function cold(ctx) {
  progress(`cold start: ${COLD_MESSAGES} messages at once`);
  const loginsBefore = ctx.cfg.client.loginCount;
  const s0 = await ctx.simStats();
  const started = performance.now();
  const outcomes = await within(
    60_000,
    'cold start',
    Promise.all(Array.from({ length: COLD_MESSAGES }, () => new Promise((resolve) => ctx.all.node(0, (ok) => resolve(ok))))),
  );
  const ms = performance.now() - started;
  const s1 = await ctx.simStats();
  return {
    messages: COLD_MESSAGES,
    ok: outcomes.filter(Boolean).length,
    ms,
    clientLogins: ctx.cfg.client.loginCount - loginsBefore,
    simLogins: s1.stats.logins - s0.stats.logins,
    simRequests: s1.stats.requests - s0.stats.requests,
  };
}

/** JIT and connections of every competitor; answers the memory after it (the memory phase's base). */
async function warmup(ctx) {
  progress('warm-up');
  // Without the cold phase before it, the package's first login falls in the warm-up.
  const loginsBefore = ctx.cfg.client.loginCount;
  let simRequests = 0;
  let messages = 0;
  for (const name of Object.keys(ctx.competitors)) {
    const r = await ctx.block(name, ctx.P.warmup, ctx.C);
    simRequests += r.simRequests;
    messages += r.n;
  }
  return { messages, logins: ctx.cfg.client.loginCount - loginsBefore, simRequests, memory: await settle() };
}

/** Latency at 1 in flight, interleaved rounds. */
async function latency(ctx) {
  progress('latency at 1 in flight');
  const lat = {};
  for (let r = 0; r < ctx.P.latencyRounds; r++) {
    for (const name of rotate(Object.keys(ctx.competitors), r)) {
      const res = await ctx.block(name, ctx.P.latencyPerRound, 1);
      const v = (lat[name] ??= { lat: [], errors: 0, simRequests: 0, cpuUs: 0, simCpuUs: 0, sleeps: 0 });
      v.cpuUs += res.cpuUs;
      v.sleeps += res.sleeps;
      v.simCpuUs += res.simCpuUs;
      v.lat.push(...res.lat);
      v.errors += res.errors;
      v.simRequests += res.simRequests;
    }
  }
  const out = {};
  for (const [name, v] of Object.entries(lat)) {
    const n = v.lat.length;
    out[name] = {
      n,
      errors: v.errors,
      simRequests: v.simRequests,
      p50Ms: percentile(v.lat, 50),
      p90Ms: percentile(v.lat, 90),
      p99Ms: percentile(v.lat, 99),
      requestsPerMessage: v.simRequests / n,
      cpuUsPerMessage: v.cpuUs / n,
      simCpuUsPerMessage: v.simCpuUs / n,
      sleepsPerMessage: v.sleeps / n,
    };
  }
  for (const [name, v] of Object.entries(out)) {
    if (name !== 'raw' && out.raw) {
      v.addedP50Ms = v.p50Ms - out.raw.p50Ms;
      v.addedP99Ms = v.p99Ms - out.raw.p99Ms;
    }
    if (name !== 'raw' && name !== 'nodeRedFloor' && out.nodeRedFloor) {
      v.addedP50OverFloorMs = v.p50Ms - out.nodeRedFloor.p50Ms;
      v.addedP99OverFloorMs = v.p99Ms - out.nodeRedFloor.p99Ms;
    }
  }
  return out;
}

/** Throughput at `concurrency` in flight, interleaved rounds (order rotated each round). */
async function throughput(ctx) {
  const { P, C } = ctx;
  progress(`throughput: ${P.rounds} rounds x ${P.perRound} messages per competitor, ${C} in flight`);
  const sum = {};
  for (let r = 0; r < P.rounds; r++) {
    for (const name of rotate(Object.keys(ctx.competitors), r)) {
      const res = await ctx.block(name, P.perRound, C);
      const s = (sum[name] ??= {
        n: 0,
        ms: 0,
        cpuUser: 0,
        cpuSys: 0,
        sleeps: 0,
        simCpuUs: 0,
        simRequests: 0,
        errors: 0,
        rate: [],
        cpu: [],
      });
      for (const k of ['n', 'ms', 'cpuUser', 'cpuSys', 'sleeps', 'simCpuUs', 'simRequests', 'errors']) s[k] += res[k];
      s.rate.push(res.n / (res.ms / 1000));
      s.cpu.push(res.cpuUs / res.n);
    }
  }
  const out = {};
  for (const [name, s] of Object.entries(sum)) {
    out[name] = {
      messages: s.n,
      errors: s.errors,
      simRequests: s.simRequests,
      perSecond: s.n / (s.ms / 1000),
      perSecondRounds: s.rate,
      cpuUsPerMessage: (s.cpuUser + s.cpuSys) / s.n,
      cpuUserUsPerMessage: s.cpuUser / s.n,
      cpuSysUsPerMessage: s.cpuSys / s.n,
      cpuUsPerMessageRounds: s.cpu,
      sleepsPerMessage: s.sleeps / s.n,
      simCpuUsPerMessage: s.simCpuUs / s.n,
      requestsPerMessage: s.simRequests / s.n,
    };
  }
  ctx.results.ratios = ratios(out);
  return out;
}

/**
 * The node against the Node-RED floor (the primary figures: what the package adds inside
 * Node-RED), against the core http-request flows, and against the raw loop (a reference outside
 * Node-RED). Per round both ran within seconds of each other: the median of those ratios holds
 * up against load that comes and goes on a shared machine better than the totals do.
 */
function ratios(tp) {
  const roundRatio = (a, b, key) => median(a[key].map((v, i) => v / b[key][i]));
  const perRound = (a, b, key) => a[key].map((v, i) => v / b[key][i]);
  const r = {};
  if (!tp.node) return r;
  for (const [label, base] of [
    ['Floor', tp.nodeRedFloor],
    ['Raw', tp.raw],
  ]) {
    if (!base) continue;
    r[`nodeVs${label}`] = roundRatio(tp.node, base, 'perSecondRounds');
    r[`cpuNodeVs${label}`] = roundRatio(tp.node, base, 'cpuUsPerMessageRounds');
    r[`nodeVs${label}Total`] = tp.node.perSecond / base.perSecond;
    r[`cpuNodeVs${label}Total`] = tp.node.cpuUsPerMessage / base.cpuUsPerMessage;
    r[`nodeVs${label}Rounds`] = perRound(tp.node, base, 'perSecondRounds');
    r[`cpuNodeVs${label}Rounds`] = perRound(tp.node, base, 'cpuUsPerMessageRounds');
  }
  if (tp.nodeRedFloor) {
    r.cpuUsNodeOverFloor = tp.node.cpuUsPerMessage - tp.nodeRedFloor.cpuUsPerMessage;
    if (tp.raw) {
      r.floorVsRaw = roundRatio(tp.nodeRedFloor, tp.raw, 'perSecondRounds');
      r.cpuFloorVsRaw = roundRatio(tp.nodeRedFloor, tp.raw, 'cpuUsPerMessageRounds');
    }
  }
  for (const [label, base] of [
    ['CoreKeepAlive', tp.coreKeepAlive],
    ['CoreDefault', tp.coreDefault],
  ]) {
    if (!base) continue;
    r[`nodeVs${label}`] = roundRatio(tp.node, base, 'perSecondRounds');
    r[`nodeVs${label}Total`] = tp.node.perSecond / base.perSecond;
  }
  return r;
}

/** Memory after many messages through the node (against the memory after the warm-up). */
async function memoryPhase(ctx) {
  progress(`memory: ${ctx.P.memoryMessages} messages through the node`);
  const before = await settle();
  const res = await ctx.block('node', ctx.P.memoryMessages, ctx.C);
  const after = await settle();
  return {
    messages: ctx.P.memoryMessages,
    errors: res.errors,
    simRequests: res.simRequests,
    afterWarmup: before,
    afterMessages: after,
    heapGrowthMiB: (after.heapUsed - before.heapUsed) / MiB,
    rssGrowthMiB: (after.rss - before.rss) / MiB,
    externalGrowthMiB: (after.external - before.external) / MiB,
    warmupRssMiB: ctx.results.warmup ? ctx.results.warmup.memory.rss / MiB : NaN,
  };
}

/** The polling tab: 10 status-watch nodes, 50 extensions each, on the same config node. */
function watchTab(ctx) {
  const out = [
    { id: 'tabWatch', type: 'tab', label: 'watch' },
    { id: 'sinkWatch', z: 'tabWatch', type: 'bench-sink', wires: [] },
  ];
  for (let i = 0; i < WATCH_NODES; i++) {
    const exts = ctx.EXTENSIONS.slice(i * WATCH_EACH, (i + 1) * WATCH_EACH).join(',');
    out.push({
      id: `watch${i}`,
      z: 'tabWatch',
      type: 'webtapi-status-watch',
      name: '',
      server: 'cfg',
      extensions: exts,
      interval: ctx.P.pollInterval,
      emitInitial: true,
      watchCalls: false,
      watchRelays: '',
      wires: [['sinkWatch']],
    });
  }
  return out;
}

/** 10 status-watch nodes x 50 extensions on the same config node: PBX requests and CPU per poll. */
async function polling(ctx) {
  const { P } = ctx;
  progress(`polling: ${WATCH_NODES} status-watch nodes x ${WATCH_EACH} extensions, every ${P.pollInterval} ms`);
  await ctx.addFlows(watchTab(ctx));
  const initial = WATCH_NODES * WATCH_EACH;
  const watchMessages = () => ctx.route.unrouted.sinkWatch || 0;
  // Fewer than expected within 15 s is reported by the functional checks, with the count.
  await until(() => watchMessages() >= initial, { timeoutMs: 15_000, everyMs: 20 }).catch(() => undefined);
  const initialMessages = watchMessages();
  const poller = ctx.cfg.poller;
  // The window starts and ends right after a poll's answer was handed out: the next poll is an
  // interval away, so the PBX's count and the poller's agree.
  // The benchmark subscribes like a watch node, with no extensions of its own.
  const { afterPoll, unsubscribe } = pollWatcher(poller, 'polling', { states: [], intervalMs: P.pollInterval });
  await afterPoll();
  await afterPoll();
  const s0 = await ctx.simStats();
  const polls0 = poller.polls;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(P.pollSeconds * 1000);
  await afterPoll();
  const cpu = process.cpuUsage(cpu0);
  const elapsed = performance.now() - w0;
  const s1 = await ctx.simStats();
  const polls = poller.polls - polls0;
  unsubscribe();
  const requests = s1.stats.requests - s0.stats.requests;
  const perPoll = (v) => (polls ? v / polls : NaN);
  return {
    watchNodes: WATCH_NODES,
    extensionsEach: WATCH_EACH,
    intervalMs: P.pollInterval,
    initialMessages,
    expectedInitialMessages: initial,
    seconds: elapsed / 1000,
    polls,
    pbxRequests: requests,
    statusRequests: (s1.stats.byAction.call_status_get ?? 0) - (s0.stats.byAction.call_status_get ?? 0),
    requestsPerPoll: perPoll(requests),
    requestsPerInterval: requests / (elapsed / P.pollInterval),
    cpuUsPerPoll: perPoll(cpu.user + cpu.system),
    cpuUserUsPerPoll: perPoll(cpu.user),
    cpuSysUsPerPoll: perPoll(cpu.system),
    simCpuUsPerPoll: perPoll(s1.cpu.user + s1.cpu.system - (s0.cpu.user + s0.cpu.system)),
  };
}

/** Logins of the package over the whole run (the simulator's total includes the benchmark's own one). */
async function logins(ctx) {
  const end = await ctx.simStats();
  ctx.results.auditLogLines = ctx.logLines.audit;
  ctx.results.errorSamples = ctx.route.errorsSeen;
  return {
    client: ctx.cfg.client.loginCount,
    simulatorTotal: end.stats.logins - ctx.beforeDeploy.stats.logins + 1,
    harness: 1,
  };
}

module.exports = {
  loadTime,
  cold,
  warmup,
  latency,
  throughput,
  memory: memoryPhase,
  camera: (ctx) => camera(ctx, within),
  polling,
  logins,
  within,
  WATCH_NODES,
  WATCH_EACH,
};
