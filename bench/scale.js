// Scale (issue 20): 50 config nodes, one per simulated PBX, each with a status-watch and a
// call-monitor node polling every second. Node-RED's CPU per PBX (% of one core, over a steady
// window, minus the same process's CPU over an idle window before the deploy), RSS and heap per
// config node (after full collections, before the deploy and after the window), and the PBX
// requests the 50 cause (one shared poll per config node: one call_status_get and one
// call_list_all per poll). The 50 PBXs are 50 simulators in one child process of their own (on
// 127.0.0.1, port 0 each): their CPU is not counted as Node-RED's.
//
//   node bench/run.js --phases=scale [--smoke]   this phase (one of bench/run.js's phases)
'use strict';

const { performance } = require('node:perf_hooks');
const { SimProcess, settle, sleep, MiB } = require('./lib');
const { until } = require('../scripts/lib/until');
const { placed } = require('./context');

const PBXS = 50;
const INTERVAL_MS = 1000;
const WATCHED = ['1001', '1002', '1003', '1004', '1005'];
const CPU_GOAL_PCT = 0.5;
const RSS_GOAL_MIB = 2;
const TAB = 'tabScale';

/** Per PBX: its config node, a status-watch (5 extensions, initial states on) and a call monitor, each into a sink. */
function scaleFlow(urls) {
  const out = [{ id: TAB, type: 'tab', label: 'scale' }];
  urls.forEach((url, i) => {
    out.push(
      { id: `scaleCfg${i}`, type: 'webtapi-config', name: `pbx ${i}`, url, tls: '', timeout: 10000, concurrency: 4 },
      {
        id: `scaleWatch${i}`,
        z: TAB,
        type: 'webtapi-status-watch',
        name: '',
        server: `scaleCfg${i}`,
        extensions: WATCHED.join(','),
        interval: INTERVAL_MS,
        emitInitial: true,
        watchCalls: false,
        watchRelays: '',
        wires: [[`scaleSink${i}`]],
      },
      {
        id: `scaleMon${i}`,
        z: TAB,
        type: 'webtapi-call-monitor',
        name: '',
        server: `scaleCfg${i}`,
        extensions: '',
        interval: INTERVAL_MS,
        events: 'ring,call,connect,disconnect',
        wires: [[`scaleSink${i}`]],
      },
      { id: `scaleSink${i}`, z: TAB, type: 'bench-sink', wires: [] },
    );
  });
  return out;
}

const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** This process's CPU over `ms` of wall time: % of one core. */
async function cpuOver(ms) {
  const c0 = cpuUs();
  const t0 = performance.now();
  await sleep(ms);
  return { pct: (100 * (cpuUs() - c0)) / ((performance.now() - t0) * 1000), seconds: (performance.now() - t0) / 1000 };
}

/** The phase (bench/run.js): `ctx` as bench/context.js builds it. */
async function scalePhase(ctx) {
  const smoke = Boolean(ctx.results.smoke);
  const S = smoke ? { idleMs: 500, warmupMs: 1000, windowMs: 1500 } : { idleMs: 10_000, warmupMs: 5000, windowMs: 25_000 };
  ctx.progress(`scale: ${PBXS} simulated PBXs in a process of their own`);
  const sims = new SimProcess();
  const flows0 = ctx.flows;
  try {
    const { urls } = await sims.call('startMany', {
      count: PBXS,
      options: { host: '127.0.0.1', port: 0, extensions: WATCHED, users: { 1004: 'secret' } },
    });
    // Before: the process as the earlier phases left it (their watch nodes still poll), collected, and its CPU at rest.
    const before = await settle();
    const idle = await cpuOver(S.idleMs);
    ctx.progress(`scale: ${PBXS} config nodes, each with a status-watch and a call monitor every ${INTERVAL_MS} ms`);
    const nodes = scaleFlow(urls);
    const credentials = Object.fromEntries(urls.map((_, i) => [`scaleCfg${i}`, { username: '1004', password: 'secret' }]));
    ctx.flows = [...flows0, ...placed(nodes)];
    await ctx.rt.deploy(ctx.flows, 'nodes', credentials);
    const reports = () => Array.from({ length: PBXS }, (_, i) => ctx.route.unrouted[`scaleSink${i}`] || 0);
    // Fewer than expected within 15 s is reported by the failures below, with the count.
    await until(() => reports().every((n) => n >= WATCHED.length), { timeoutMs: 15_000, everyMs: 50 }).catch(() => undefined);
    await sleep(S.warmupMs);
    const pollers = Array.from({ length: PBXS }, (_, i) => ctx.rt.node(`scaleCfg${i}`).poller);
    const polls0 = pollers.map((p) => p.polls);
    const s0 = await sims.call('statsMany');
    const busy = await cpuOver(S.windowMs);
    const s1 = await sims.call('statsMany');
    const windowPolls = pollers.map((p, i) => p.polls - polls0[i]);
    const after = await settle();
    const reported = reports();
    // Removed again: the loops stop, so the PBXs' counts and the pollers' are final and must agree.
    ctx.flows = flows0;
    await ctx.rt.deploy(ctx.flows, 'nodes');
    await sleep(200);
    const end = await sims.call('statsMany');
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    const requestsIn = sum(s1.stats.map((s, i) => s.requests - s0.stats[i].requests));
    const r = {
      pbxs: PBXS,
      intervalMs: INTERVAL_MS,
      windowSeconds: busy.seconds,
      idleSeconds: idle.seconds,
      idleCpuPct: idle.pct,
      busyCpuPct: busy.pct,
      cpuPctPerPbx: (busy.pct - idle.pct) / PBXS,
      simCpuPctPerPbx: (100 * (s1.cpu.user + s1.cpu.system - (s0.cpu.user + s0.cpu.system))) / (busy.seconds * 1e6) / PBXS,
      rssBeforeMiB: before.rss / MiB,
      rssAfterMiB: after.rss / MiB,
      rssMiBPerPbx: (after.rss - before.rss) / MiB / PBXS,
      heapMiBPerPbx: (after.heapUsed - before.heapUsed) / MiB / PBXS,
      pollsPerSecondPerPbx: sum(windowPolls) / busy.seconds / PBXS,
      requestsPerSecond: requestsIn / busy.seconds,
      requestsPerSecondPerPbx: requestsIn / busy.seconds / PBXS,
      minReports: Math.min(...reported),
      perPbx: pollers.map((p, i) => ({
        polls: p.polls,
        windowPolls: windowPolls[i],
        reports: reported[i],
        logins: end.stats[i].logins,
        requests: end.stats[i].requests,
        statusGets: end.stats[i].byAction.call_status_get ?? 0,
        listAlls: end.stats[i].byAction.call_list_all ?? 0,
      })),
    };
    return {
      ...r,
      summary: `${PBXS} config nodes (status-watch + call monitor each, every ${INTERVAL_MS / 1000} s): ${r.cpuPctPerPbx.toFixed(3)} % of a core per PBX (process ${r.busyCpuPct.toFixed(1)} % vs ${r.idleCpuPct.toFixed(1)} % before, ${r.windowSeconds.toFixed(0)} s), RSS ${r.rssBeforeMiB.toFixed(1)} -> ${r.rssAfterMiB.toFixed(1)} MiB (${r.rssMiBPerPbx.toFixed(3)} MiB per PBX, heap ${r.heapMiBPerPbx.toFixed(3)}), ${r.pollsPerSecondPerPbx.toFixed(2)} polls/s and ${r.requestsPerSecondPerPbx.toFixed(2)} PBX req/s per PBX (${r.requestsPerSecond.toFixed(1)} req/s in all)`,
      targets: targets(r),
      failures: failures(r),
    };
  } finally {
    if (ctx.flows !== flows0) {
      ctx.flows = flows0;
      await ctx.rt.deploy(ctx.flows, 'nodes').catch(() => undefined);
    }
    await sims.close();
  }
}

/** Figures with a goal, for the benchmark's target table (pass/MISS, never a failure). */
function targets(r) {
  if (!r) return [];
  return [
    {
      name: `scale: Node-RED CPU per PBX (${PBXS} config nodes, poll 1 s)`,
      value: r.cpuPctPerPbx,
      goal: `< ${CPU_GOAL_PCT} % of a core`,
      pass: r.cpuPctPerPbx < CPU_GOAL_PCT,
      unit: '%',
    },
    {
      name: `scale: RSS per config node (${PBXS}, after GC)`,
      value: r.rssMiBPerPbx,
      goal: `< ${RSS_GOAL_MIB} MiB`,
      pass: r.rssMiBPerPbx < RSS_GOAL_MIB,
      unit: 'MiB',
    },
  ];
}

/**
 * What smoke and full runs assert (no timing): every config node polled on its interval and its
 * status-watch reported the initial states; per PBX one login, and for each poll exactly one
 * call_status_get and one call_list_all (the shared poll), nothing else; only the last poll may
 * be cut short (the undeploy that ends the phase stops the poll under way).
 */
function failures(r) {
  if (!r) return [];
  const f = [];
  r.perPbx.forEach((p, i) => {
    const id = `PBX ${i}`;
    if (!(p.polls >= 2)) f.push(`${id}: ${p.polls} poll(s), none on its interval after the first`);
    if (p.reports < WATCHED.length) f.push(`${id}: ${p.reports} of ${WATCHED.length} initial states reported`);
    if (p.logins !== 1) f.push(`${id}: ${p.logins} logins`);
    // The undeploy stops a poll under way: the last one may have sent call_status_get only, or nothing.
    const ok = p.statusGets <= p.polls && p.statusGets >= p.polls - 1 && p.listAlls <= p.statusGets && p.listAlls >= p.polls - 1;
    if (!ok) f.push(`${id}: ${p.statusGets} call_status_get and ${p.listAlls} call_list_all for ${p.polls} polls`);
    if (p.requests !== p.logins + p.statusGets + p.listAlls)
      f.push(`${id}: ${p.requests} PBX requests, ${p.logins} login(s) + ${p.statusGets + p.listAlls} for polls`);
  });
  return f.slice(0, 10);
}

module.exports = scalePhase;
Object.assign(module.exports, { targets, failures });
