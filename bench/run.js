#!/usr/bin/env node
// The benchmark of issue 6: the nodes side by side with the raw HTTP limit (an undici loop) and with
// what users build without this package (function node + core `http request` node), in one run,
// against the simulator on loopback. See bench/README.md.
//
//   node bench/run.js            full run (a few minutes)
//   node bench/run.js --smoke    a few seconds, to keep it working; asserts no timing
//   node bench/run.js --json     JSON on stdout instead of the tables (progress goes to stderr)
//   options: --concurrency=N (4)  --messages=N per competitor for throughput (24300)  --rounds=N (9)
//            --phases=load,cold,latency,throughput,memory,camera,polling,mjpeg,calls (all)
//            --competitors=raw,nodeRedFloor,node,coreKeepAlive,coreDefault (all; for profiling one path)
//            --poll-seconds=N (10)  --save=FILE (the JSON result, besides the table)
'use strict';

// Memory figures need explicit collections: run again with --expose-gc (keeping other flags such as --cpu-prof).
if (typeof global.gc !== 'function') {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Pool, request } = require('undici');
const { SimProcess, closedLoop, percentile, median, memory, settle, sleep, table, fixed, MiB } = require('./lib');
const { countCopies } = require('./copies');
const { startNodeRed } = require('./runtime');
const callEvents = require('./call-events');

// ---------------------------------------------------------------- settings

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, dflt) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : dflt;
};
const SMOKE = flag('smoke');
const JSON_OUT = flag('json');
const C = Math.max(1, Number(option('concurrency', 4)));
const PHASES = new Set(option('phases', 'load,cold,latency,throughput,memory,camera,polling,mjpeg,calls').split(','));
// For profiling one path: --competitors=node (ratios need raw in the list).
const ONLY = option('competitors', '') ? new Set(option('competitors', '').split(',')) : null;

const P = SMOKE
  ? { loadRuns: 1, loadWithout: false, warmup: 100, latencyRounds: 1, latencyPerRound: 100, rounds: 1, perRound: 300, memoryMessages: 1000, cameraSeconds: 2, cameraRate: 20, pollSeconds: 1, pollInterval: 250 }
  : { loadRuns: 3, loadWithout: true, warmup: 3000, latencyRounds: 4, latencyPerRound: 750, rounds: 9, perRound: 2700, memoryMessages: 100_000, cameraSeconds: 30, cameraRate: 20, pollSeconds: 10, pollInterval: 250 };
P.rounds = Number(option('rounds', P.rounds));
P.pollSeconds = Number(option('poll-seconds', P.pollSeconds));
const messages = Number(option('messages', 0));
if (messages > 0) P.perRound = Math.ceil(messages / P.rounds);

const USER = '1004';
const PASSWORD = 'secret';
const COLD_MESSAGES = 200;
const IMAGE_BYTES = 500 * 1024;
const WATCH_NODES = 10;
const WATCH_EACH = 50;
const EXTENSIONS = Array.from({ length: 600 }, (_, i) => String(1001 + i));
const DST = '1001';

function progress(text) {
  process.stderr.write(`[bench] ${text}\n`);
}

// ---------------------------------------------------------------- competitors

/**
 * The flow: the node under test, the core http-request flow (twice: keep-alive on and off), the
 * camera node and a catch node, each ending in a bench-sink that hands the message back here.
 * The session id of the core flow is "obtained once" and kept in flow context, as users do.
 */
function benchFlow(url) {
  const build = "msg.url = flow.get('webtapiUrl') + '?SID=' + encodeURIComponent(flow.get('webtapiSid')) + '&action=call_prio&dst=' + encodeURIComponent(msg.payload);\nreturn msg;";
  const httpRequest = (id, persist, sink) => ({
    id, z: 'tab', type: 'http request', name: '', method: 'GET', ret: 'txt', paytoqs: 'ignore', url: '', tls: '',
    persist, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [[sink]],
  });
  return placed([
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'cfg', type: 'webtapi-config', name: 'pbx', url, tls: '', timeout: 10000, concurrency: C },
    // call_prio: the PBX hangs up dst's channels before ringing it again, so the simulator's state
    // stays the same size however many messages run (a `call` would add two channels each time).
    { id: 'call', z: 'tab', type: 'webtapi-call', name: '', server: 'cfg', mode: 'prio', src: '', srcType: 'str', dst: '', dstType: 'str', stations: '', stationsType: 'str', break: false, chan: '', chanType: 'str', wires: [['sinkCall']] },
    { id: 'sinkCall', z: 'tab', type: 'bench-sink', wires: [] },
    { id: 'floor', z: 'tab', type: 'bench-raw', name: '', wires: [['sinkFloor']] },
    { id: 'sinkFloor', z: 'tab', type: 'bench-sink', wires: [] },
    { id: 'fnKeep', z: 'tab', type: 'function', name: 'build URL', func: build, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['httpKeep']] },
    httpRequest('httpKeep', true, 'sinkKeep'),
    { id: 'sinkKeep', z: 'tab', type: 'bench-sink', wires: [] },
    { id: 'fnDefault', z: 'tab', type: 'function', name: 'build URL', func: build, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['httpDefault']] },
    httpRequest('httpDefault', false, 'sinkDefault'),
    { id: 'sinkDefault', z: 'tab', type: 'bench-sink', wires: [] },
    { id: 'cam', z: 'tab', type: 'webtapi-cam-snapshot', name: '', server: 'cfg', camera: '44', cameraType: 'str', operation: 'picture', output: 'buffer', wires: [['sinkCam']] },
    { id: 'sinkCam', z: 'tab', type: 'bench-sink', wires: [] },
    { id: 'catchAll', z: 'tab', type: 'catch', name: '', scope: null, uncaught: false, wires: [['sinkErr']] },
    { id: 'sinkErr', z: 'tab', type: 'bench-sink', wires: [] },
  ]);
}

/** Flow nodes need a position (without one Node-RED takes them for config nodes). */
function placed(nodes) {
  let y = 0;
  return nodes.map((n) => (n.z ? { x: 200, y: (y += 40), ...n } : n));
}

/** The polling tab: 10 status-watch nodes, 50 extensions each, on the same config node. */
function watchTab() {
  const out = [{ id: 'tabWatch', type: 'tab', label: 'watch' }, { id: 'sinkWatch', z: 'tabWatch', type: 'bench-sink', wires: [] }];
  for (let i = 0; i < WATCH_NODES; i++) {
    const exts = EXTENSIONS.slice(i * WATCH_EACH, (i + 1) * WATCH_EACH).join(',');
    out.push({ id: `watch${i}`, z: 'tabWatch', type: 'webtapi-status-watch', name: '', server: 'cfg', extensions: exts, interval: P.pollInterval, emitInitial: true, watchCalls: false, watchRelays: '', wires: [['sinkWatch']] });
  }
  return placed(out);
}

/** What every sink checks: the answer the competitor gives when the PBX said "1". */
const SINK_OK = {
  sinkCall: (m) => m.payload === true,
  sinkFloor: (m) => m.payload === true,
  sinkKeep: (m) => m.statusCode === 200 && typeof m.payload === 'string' && m.payload.trim() === '1',
  sinkDefault: (m) => m.statusCode === 200 && typeof m.payload === 'string' && m.payload.trim() === '1',
  sinkCam: (m) => Buffer.isBuffer(m.payload) && m.payload.length >= IMAGE_BYTES,
};

async function main() {
  const results = { version: 1, smoke: SMOKE, concurrency: C, settings: P, machine: machine() };
  const t0 = performance.now();

  // ---- 6. load time, in fresh processes (first: nothing else loaded yet)
  if (PHASES.has('load')) results.load = loadTime();

  // ---- the PBX, in its own process
  progress('starting the simulator process');
  const sim = new SimProcess();
  let rt = null;
  let rawPool = null;
  try {
    const { url } = await sim.call('start', { options: { port: 0, extensions: EXTENSIONS, imageBytes: IMAGE_BYTES, users: { [USER]: PASSWORD } } });
    const target = new URL(url);
    const simStats = () => sim.call('stats');

    // The session of the raw loop and of the core flow: obtained once.
    const sid = await login(url);
    const rawPath = `${target.pathname}?SID=${encodeURIComponent(sid)}&action=call_prio&dst=${DST}`;
    rawPool = new Pool(target.origin, { connections: C, pipelining: 1, keepAliveTimeout: 4_000 });

    progress('starting Node-RED');
    const logLines = { info: 0, audit: 0 };
    rt = await startNodeRed({
      nodesDir: path.join(__dirname, 'nodes'),
      onLog: (e) => {
        if (e.level === 40) logLines.info++;
        if (e.level === 40 && typeof e.msg === 'string' && e.msg.startsWith('audit ')) logLines.audit++;
      },
    });
    const flows = benchFlow(url);
    const beforeDeploy = await simStats();
    await rt.deploy(flows, 'full', { cfg: { username: USER, password: PASSWORD } });
    const cfg = rt.node('cfg');
    for (const id of ['fnKeep', 'fnDefault']) {
      const ctx = rt.node(id).context().flow;
      ctx.set('webtapiUrl', url);
      ctx.set('webtapiSid', sid);
    }

    // Message routing: every sink hands its message to the one waiting for it.
    const waiting = new Map();
    let nextId = 0;
    let watchMessages = 0;
    const errorsSeen = [];
    const rawRequest = () => rawPool.request({ path: rawPath, method: 'GET', headers: { accept: '*/*' } })
      .then((res) => res.body.text().then((text) => res.statusCode === 200 && text.trim() === '1'));
    globalThis.__webtapiBench = {
      rawRequest,
      onSink(id, msg) {
        if (id === 'sinkWatch') {
          watchMessages++;
          return;
        }
        const cb = waiting.get(msg.benchId);
        if (!cb) return;
        waiting.delete(msg.benchId);
        if (id === 'sinkErr') {
          if (errorsSeen.length < 5) errorsSeen.push(`${msg.error?.source?.type}: ${msg.error?.message}`);
          cb(false, msg);
        } else cb(SINK_OK[id] ? SINK_OK[id](msg) : false, msg);
      },
    };
    const viaFlow = (entryId, payload) => (_i, done) => {
      const benchId = ++nextId;
      waiting.set(benchId, done);
      rt.node(entryId).receive({ payload, benchId });
    };
    const all = {
      raw: (_i, done) => {
        rawRequest().then(done, () => done(false));
      },
      nodeRedFloor: viaFlow('floor', DST),
      node: viaFlow('call', DST),
      coreKeepAlive: viaFlow('fnKeep', DST),
      coreDefault: viaFlow('fnDefault', DST),
    };
    const competitors = Object.fromEntries(Object.entries(all).filter(([k]) => !ONLY || ONLY.has(k)));

    /** One measured block: the closed loop plus the PBX's side of it. */
    const block = async (name, n, concurrency) => {
      const s0 = await simStats();
      const r = await closedLoop(n, concurrency, all[name], { label: name });
      const s1 = await simStats();
      r.simCpuUs = (s1.cpu.user + s1.cpu.system) - (s0.cpu.user + s0.cpu.system);
      r.simRequests = s1.stats.requests - s0.stats.requests;
      r.simLogins = s1.stats.logins - s0.stats.logins;
      if (r.errors) progress(`${name}: ${r.errors} errors (${errorsSeen.join('; ')})`);
      return r;
    };

    // ---- 3. cold start: 200 messages at once on a config node that has never logged in
    if (PHASES.has('cold')) {
      progress(`cold start: ${COLD_MESSAGES} messages at once`);
      const loginsBefore = cfg.client.loginCount;
      const s0 = await simStats();
      const started = performance.now();
      const outcomes = await within(60_000, 'cold start', Promise.all(Array.from({ length: COLD_MESSAGES }, () => new Promise((resolve) => all.node(0, (ok) => resolve(ok))))));
      const ms = performance.now() - started;
      const s1 = await simStats();
      results.cold = {
        messages: COLD_MESSAGES,
        ok: outcomes.filter(Boolean).length,
        ms,
        clientLogins: cfg.client.loginCount - loginsBefore,
        simLogins: s1.stats.logins - s0.stats.logins,
        simRequests: s1.stats.requests - s0.stats.requests,
      };
    }

    // ---- warm-up (JIT, connections) of every competitor
    progress('warm-up');
    for (const name of Object.keys(competitors)) await block(name, P.warmup, C);
    const mWarm = await settle();

    // ---- 2. latency at 1 in flight, interleaved rounds
    if (PHASES.has('latency')) {
      progress('latency at 1 in flight');
      const lat = {};
      for (let r = 0; r < P.latencyRounds; r++) {
        for (const name of rotate(Object.keys(competitors), r)) {
          const res = await block(name, P.latencyPerRound, 1);
          (lat[name] ??= { lat: [], errors: 0, simRequests: 0, cpuUs: 0, simCpuUs: 0, sleeps: 0 });
          lat[name].cpuUs += res.cpuUs;
          lat[name].sleeps += res.sleeps;
          lat[name].simCpuUs += res.simCpuUs;
          lat[name].lat.push(...res.lat);
          lat[name].errors += res.errors;
          lat[name].simRequests += res.simRequests;
        }
      }
      results.latency = {};
      for (const [name, v] of Object.entries(lat)) {
        results.latency[name] = { n: v.lat.length, errors: v.errors, p50Ms: percentile(v.lat, 50), p90Ms: percentile(v.lat, 90), p99Ms: percentile(v.lat, 99), requestsPerMessage: v.simRequests / v.lat.length, cpuUsPerMessage: v.cpuUs / v.lat.length, simCpuUsPerMessage: v.simCpuUs / v.lat.length, sleepsPerMessage: v.sleeps / v.lat.length };
      }
      const raw = results.latency.raw;
      for (const name of Object.keys(lat)) {
        if (name === 'raw' || !raw) continue;
        results.latency[name].addedP50Ms = results.latency[name].p50Ms - raw.p50Ms;
        results.latency[name].addedP99Ms = results.latency[name].p99Ms - raw.p99Ms;
      }
    }

    // ---- 1. throughput at `concurrency` in flight, interleaved rounds (order rotated each round)
    if (PHASES.has('throughput')) {
      progress(`throughput: ${P.rounds} rounds x ${P.perRound} messages per competitor, ${C} in flight`);
      const sum = {};
      for (let r = 0; r < P.rounds; r++) {
        for (const name of rotate(Object.keys(competitors), r)) {
          const res = await block(name, P.perRound, C);
          const s = (sum[name] ??= { n: 0, ms: 0, cpuUser: 0, cpuSys: 0, sleeps: 0, simCpuUs: 0, simRequests: 0, errors: 0, rate: [], cpu: [] });
          s.sleeps += res.sleeps;
          s.n += res.n;
          s.ms += res.ms;
          s.cpuUser += res.cpuUser;
          s.cpuSys += res.cpuSys;
          s.simCpuUs += res.simCpuUs;
          s.simRequests += res.simRequests;
          s.errors += res.errors;
          s.rate.push(res.n / (res.ms / 1000));
          s.cpu.push(res.cpuUs / res.n);
        }
      }
      results.throughput = {};
      for (const [name, s] of Object.entries(sum)) {
        results.throughput[name] = {
          messages: s.n,
          errors: s.errors,
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
      const tp = results.throughput;
      // Per round, both ran within seconds of each other: the median of those ratios holds up
      // against load that comes and goes on a shared machine better than the totals do.
      const roundRatio = (a, b, key) => median(a[key].map((v, i) => v / b[key][i]));
      if (tp.raw && tp.node) {
        results.ratios = {
          nodeVsRaw: roundRatio(tp.node, tp.raw, 'perSecondRounds'),
          cpuNodeVsRaw: roundRatio(tp.node, tp.raw, 'cpuUsPerMessageRounds'),
          nodeVsRawTotal: tp.node.perSecond / tp.raw.perSecond,
          cpuNodeVsRawTotal: tp.node.cpuUsPerMessage / tp.raw.cpuUsPerMessage,
          cpuUserNodeVsRaw: tp.node.cpuUserUsPerMessage / tp.raw.cpuUserUsPerMessage,
          nodeVsRawRounds: tp.node.perSecondRounds.map((v, i) => v / tp.raw.perSecondRounds[i]),
          cpuNodeVsRawRounds: tp.node.cpuUsPerMessageRounds.map((v, i) => v / tp.raw.cpuUsPerMessageRounds[i]),
        };
        if (tp.coreKeepAlive) {
          results.ratios.nodeVsCoreKeepAlive = roundRatio(tp.node, tp.coreKeepAlive, 'perSecondRounds');
          results.ratios.nodeVsCoreKeepAliveTotal = tp.node.perSecond / tp.coreKeepAlive.perSecond;
        }
        if (tp.coreDefault) {
          results.ratios.nodeVsCoreDefault = roundRatio(tp.node, tp.coreDefault, 'perSecondRounds');
          results.ratios.nodeVsCoreDefaultTotal = tp.node.perSecond / tp.coreDefault.perSecond;
        }
        if (tp.nodeRedFloor) {
          // What Node-RED itself costs (a node doing nothing but the raw request) and what this package adds to it.
          results.ratios.floorVsRaw = roundRatio(tp.nodeRedFloor, tp.raw, 'perSecondRounds');
          results.ratios.cpuFloorVsRaw = roundRatio(tp.nodeRedFloor, tp.raw, 'cpuUsPerMessageRounds');
          results.ratios.cpuNodeVsFloor = roundRatio(tp.node, tp.nodeRedFloor, 'cpuUsPerMessageRounds');
          results.ratios.cpuUsNodeOverFloor = tp.node.cpuUsPerMessage - tp.nodeRedFloor.cpuUsPerMessage;
        }
      }
    }

    // ---- 5a. memory after many messages through the node
    if (PHASES.has('memory')) {
      progress(`memory: ${P.memoryMessages} messages through the node`);
      const before = await settle();
      const res = await block('node', P.memoryMessages, C);
      const after = await settle();
      results.memory = {
        messages: P.memoryMessages,
        errors: res.errors,
        afterWarmup: before,
        afterMessages: after,
        heapGrowthMiB: (after.heapUsed - before.heapUsed) / MiB,
        rssGrowthMiB: (after.rss - before.rss) / MiB,
        externalGrowthMiB: (after.external - before.external) / MiB,
        warmupRssMiB: mWarm.rss / MiB,
      };
    }

    // ---- 5b. camera snapshots of 500 KiB at 20/s
    if (PHASES.has('camera')) {
      progress(`camera: ${P.cameraRate}/s of ${IMAGE_BYTES / 1024} KiB for ${P.cameraSeconds} s`);
      results.camera = await camera(waiting, () => ++nextId, rt, simStats);
    }

    // ---- 4. polling: 10 status-watch nodes x 50 extensions on the same config node
    if (PHASES.has('polling')) {
      progress(`polling: ${WATCH_NODES} status-watch nodes x ${WATCH_EACH} extensions, every ${P.pollInterval} ms`);
      // A "modified nodes" deploy of one more tab: the config node is unchanged (its credentials
      // are not sent again, as with the editor), so it keeps its session.
      await rt.deploy([...flows, ...watchTab()], 'nodes');
      const initial = WATCH_NODES * WATCH_EACH;
      const deadline = Date.now() + 15_000;
      while (watchMessages < initial && Date.now() < deadline) await sleep(20);
      const initialMessages = watchMessages;
      const poller = rt.node('cfg').poller;
      // The window starts and ends right after a poll's answer was handed out: the next poll is an
      // interval away, so the PBX's count and the poller's agree. The benchmark subscribes to the
      // config node's poller like a watch node, with no extensions of its own.
      let polled = null;
      const self = {};
      const unsubscribe = () => poller.deregister(self);
      poller.register(self, {
        states: [], intervalMs: P.pollInterval,
        onResult: () => { if (polled) polled(); },
        onError: () => { if (polled) polled(); },
      });
      const afterPoll = () => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('polling: no poll answered within 15 s')), 15_000);
        polled = () => { polled = null; clearTimeout(timer); resolve(); };
      });
      await afterPoll();
      await afterPoll();
      const s0 = await simStats();
      const polls0 = poller.polls;
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      await sleep(P.pollSeconds * 1000);
      await afterPoll();
      const cpu = process.cpuUsage(cpu0);
      const elapsed = performance.now() - w0;
      const s1 = await simStats();
      const polls = poller.polls - polls0;
      unsubscribe();
      const requests = s1.stats.requests - s0.stats.requests;
      results.polling = {
        watchNodes: WATCH_NODES,
        extensionsEach: WATCH_EACH,
        intervalMs: P.pollInterval,
        initialMessages,
        seconds: elapsed / 1000,
        polls,
        pbxRequests: requests,
        statusRequests: (s1.stats.byAction.call_status_get ?? 0) - (s0.stats.byAction.call_status_get ?? 0),
        requestsPerPoll: polls ? requests / polls : NaN,
        requestsPerInterval: requests / (elapsed / P.pollInterval),
        cpuUsPerPoll: polls ? (cpu.user + cpu.system) / polls : NaN,
        cpuUserUsPerPoll: polls ? cpu.user / polls : NaN,
        cpuSysUsPerPoll: polls ? cpu.system / polls : NaN,
        simCpuUsPerPoll: polls ? ((s1.cpu.user + s1.cpu.system) - (s0.cpu.user + s0.cpu.system)) / polls : NaN,
      };
    }

    // ---- call monitors (bench/call-events.js)
    if (PHASES.has('calls')) results.calls = await callEvents.phase({ rt, flows, simStats, smoke: SMOKE, progress });

    // ---- 3. logins over the whole run
    const end = await simStats();
    results.logins = {
      client: cfg.client.loginCount,
      // The simulator counts the benchmark's own login (raw loop and core flow) too.
      simulatorTotal: end.stats.logins - beforeDeploy.stats.logins + 1,
      harness: 1,
    };
    results.auditLogLines = logLines.audit;
    results.errorSamples = errorsSeen;
  } finally {
    if (rt) await rt.stop().catch((e) => progress(`stopping Node-RED: ${e.message}`));
    if (rawPool) await rawPool.destroy().catch(() => undefined);
    await sim.close();
  }
  if (PHASES.has('mjpeg')) results.mjpeg = await require('./mjpeg').run({ smoke: SMOKE, progress });
  results.totalSeconds = (performance.now() - t0) / 1000;
  results.targets = targets(results);
  return results;
}

// ---------------------------------------------------------------- phases

async function camera(waiting, newId, rt, simStats) {
  const interval = 1000 / P.cameraRate;
  const total = Math.round(P.cameraSeconds * P.cameraRate);
  const start = await settle();
  const samples = [];
  const lat = [];
  let ok = 0;
  let errors = 0;
  let nonBuffer = 0;
  const s0 = await simStats();
  const copies = countCopies(256 * 1024);
  let sampler;
  let tick;
  let counted;
  try {
    sampler = setInterval(() => samples.push(memory()), 1000);
    await within((P.cameraSeconds + 60) * 1000, 'camera', new Promise((resolve) => {
      let sent = 0;
      let done = 0;
      tick = setInterval(() => {
        if (sent >= total) {
          clearInterval(tick);
          return;
        }
        sent++;
        const id = newId();
        const t = performance.now();
        waiting.set(id, (good, msg) => {
          lat.push(performance.now() - t);
          if (good) ok++;
          else errors++;
          if (msg && msg.payload !== undefined && !Buffer.isBuffer(msg.payload)) nonBuffer++;
          if (++done === total) resolve();
        });
        rt.node('cam').receive({ payload: '44', benchId: id });
      }, interval);
    }));
  } finally {
    clearInterval(sampler);
    clearInterval(tick);
    counted = copies.stop();
  }
  const s1 = await simStats();
  const end = await settle();
  const rss = samples.map((m) => m.rss);
  const ab = samples.map((m) => m.arrayBuffers);
  return {
    images: total,
    ok,
    errors,
    nonBufferPayloads: nonBuffer,
    imageBytes: IMAGE_BYTES,
    ratePerSecond: P.cameraRate,
    seconds: P.cameraSeconds,
    pbxRequests: s1.stats.requests - s0.stats.requests,
    latencyP50Ms: percentile(lat, 50),
    latencyP99Ms: percentile(lat, 99),
    largeAllocations: counted.allocations,
    copiesPerImage: counted.allocations / total,
    base64Conversions: counted.base64,
    allocationSites: counted.sites,
    start,
    end,
    rssGrowthMiB: (end.rss - start.rss) / MiB,
    heapGrowthMiB: (end.heapUsed - start.heapUsed) / MiB,
    arrayBuffersGrowthMiB: (end.arrayBuffers - start.arrayBuffers) / MiB,
    rssMaxMiB: rss.length ? Math.max(...rss) / MiB : NaN,
    // The trend while pictures flow: the highest RSS of the second half against the first half.
    // (RSS after a collection says little here: the allocator keeps freed picture memory for the
    // next pictures; heap and arrayBuffers after a collection say what is still held.)
    rssTrendMiB: rss.length >= 2 ? (Math.max(...rss.slice(Math.floor(rss.length / 2))) - Math.max(...rss.slice(0, Math.floor(rss.length / 2)))) / MiB : NaN,
    heldGrowthMiB: ((end.heapUsed + end.arrayBuffers) - (start.heapUsed + start.arrayBuffers)) / MiB,
    rssMinMiB: rss.length ? Math.min(...rss) / MiB : NaN,
    arrayBuffersMaxMiB: ab.length ? Math.max(...ab) / MiB : NaN,
  };
}

function loadTime() {
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

async function login(url) {
  const res = await request(url + '?action=login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `action=login&AUTH%5Buser%5D=${USER}&AUTH%5Bpass%5D=${PASSWORD}`,
  });
  const sid = (await res.body.text()).trim();
  if (!sid || sid === '0') throw new Error('the benchmark could not log in to the simulator');
  return sid;
}

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

function machine() {
  const cpu = (() => {
    try {
      return /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
    } catch {
      return os.cpus()[0]?.model;
    }
  })();
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpu,
    node: process.version,
    nodeRed: require('node-red/package.json').version,
    undici: require('undici/package.json').version,
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
    simulator: 'child process (own core); CPU figures are the Node-RED process only',
  };
}

// ---------------------------------------------------------------- targets and output

function targets(r) {
  const t = [];
  const add = (name, value, goal, pass, unit = '') => t.push({ name, value, goal, pass, unit });
  if (r.ratios) {
    add('throughput node / raw undici (median of rounds)', r.ratios.nodeVsRaw, '>= 0.85', r.ratios.nodeVsRaw >= 0.85, 'x');
    if (r.ratios.nodeVsCoreKeepAlive !== undefined) add('throughput node / core http request, keep-alive (median of rounds)', r.ratios.nodeVsCoreKeepAlive, '>= 1.5', r.ratios.nodeVsCoreKeepAlive >= 1.5, 'x');
    if (r.ratios.nodeVsCoreDefault !== undefined) add('throughput node / core http request, default (median of rounds)', r.ratios.nodeVsCoreDefault, '>= 1.5', r.ratios.nodeVsCoreDefault >= 1.5, 'x');
    add('CPU per message node / raw (median of rounds)', r.ratios.cpuNodeVsRaw, '<= 1.3', r.ratios.cpuNodeVsRaw <= 1.3, 'x');
  }
  if (r.latency && r.latency.raw && r.latency.node) add('added p50 latency (node - raw), 1 in flight', r.latency.node.addedP50Ms, '< 0.3 ms', r.latency.node.addedP50Ms < 0.3, 'ms');
  if (r.logins) add('logins during the whole run', r.logins.client, '= 1', r.logins.client === 1);
  if (r.cold) add(`cold start: logins for ${r.cold.messages} messages at once`, r.cold.clientLogins, '= 1', r.cold.clientLogins === 1 && r.cold.ok === r.cold.messages);
  if (r.polling) add('polling: PBX requests per poll (10 nodes x 50 ext)', r.polling.requestsPerPoll, '= 1', r.polling.requestsPerPoll === 1);
  if (r.memory) add(`heap growth after ${r.memory.messages} messages`, r.memory.heapGrowthMiB, '< 10 MiB', r.memory.heapGrowthMiB < 10, 'MiB');
  if (r.memory) add(`RSS growth after ${r.memory.messages} messages`, r.memory.rssGrowthMiB, '< 10 MiB', r.memory.rssGrowthMiB < 10, 'MiB');
  if (r.camera) add('camera: large Buffer allocations per image', r.camera.copiesPerImage, '<= 1', r.camera.copiesPerImage <= 1 && r.camera.base64Conversions === 0);
  if (r.camera) add('camera: heap + arrayBuffers growth over the run (after GC)', r.camera.heldGrowthMiB, '< 10 MiB', r.camera.heldGrowthMiB < 10, 'MiB');
  if (r.camera) add('camera: RSS trend (max of 2nd half - max of 1st half)', r.camera.rssTrendMiB, '< 10 MiB', !(r.camera.rssTrendMiB >= 10), 'MiB');
  if (r.mjpeg) t.push(...r.mjpeg.targets);
  if (r.load) add('package load time in Node-RED', r.load.packageMs, '< 100 ms', r.load.packageMs < 100, 'ms');
  t.push(...callEvents.targets(r.calls));
  return t;
}

function print(r) {
  const out = [];
  const m = r.machine;
  out.push(`Machine: ${m.nproc} CPUs (${m.cpu}), Node ${m.node}, Node-RED ${m.nodeRed}, undici ${m.undici}, load average at start ${m.loadAverage.join(' ')}`);
  out.push(`Simulator: ${m.simulator}. Concurrency ${r.concurrency}.${r.smoke ? ' SMOKE RUN: figures are not meaningful.' : ''}`);
  out.push('');
  if (r.throughput) {
    out.push(`Throughput, ${r.concurrency} in flight (${Object.values(r.throughput)[0].messages} messages each, ${r.settings.rounds} interleaved rounds)`);
    const rows = [['competitor', 'msg/s', 'vs raw', 'vs raw (median of rounds)', 'CPU µs/msg (user+sys)', 'CPU vs raw', 'CPU vs raw (median of rounds)', 'sleeps/msg', 'PBX CPU µs/msg', 'PBX req/msg', 'errors']];
    const raw = r.throughput.raw ?? {};
    const perRound = (v, key) => (raw[key] ? median(v[key].map((x, i) => x / raw[key][i])) : NaN);
    for (const [k, v] of Object.entries(r.throughput)) {
      rows.push([
        NAMES_OUT[k], fixed(v.perSecond, 0), fixed(v.perSecond / raw.perSecond), fixed(perRound(v, 'perSecondRounds')),
        `${fixed(v.cpuUsPerMessage, 1)} (${fixed(v.cpuUserUsPerMessage, 0)}+${fixed(v.cpuSysUsPerMessage, 0)})`,
        fixed(v.cpuUsPerMessage / raw.cpuUsPerMessage), fixed(perRound(v, 'cpuUsPerMessageRounds')), fixed(v.sleepsPerMessage, 2),
        fixed(v.simCpuUsPerMessage, 1), fixed(v.requestsPerMessage, 3), v.errors,
      ]);
    }
    out.push(table(rows));
    if (r.ratios?.cpuUsNodeOverFloor !== undefined) out.push(`The node costs ${fixed(r.ratios.cpuUsNodeOverFloor, 1)} µs CPU per message more than the Node-RED floor (median of rounds ${fixed(r.ratios.cpuNodeVsFloor)}x).`);
    out.push('');
  }
  if (r.latency) {
    out.push(`Latency at 1 in flight (${Object.values(r.latency)[0].n} messages each)`);
    const rows = [['competitor', 'p50 ms', 'p90 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'CPU µs/msg', 'CPU vs raw', 'sleeps/msg', 'PBX CPU µs/msg']];
    const rawCpu = r.latency.raw?.cpuUsPerMessage;
    for (const [k, v] of Object.entries(r.latency)) {
      rows.push([
        NAMES_OUT[k], fixed(v.p50Ms, 3), fixed(v.p90Ms, 3), fixed(v.p99Ms, 3), k === 'raw' ? '' : fixed(v.addedP50Ms, 3), k === 'raw' ? '' : fixed(v.addedP99Ms, 3),
        fixed(v.cpuUsPerMessage, 1), fixed(v.cpuUsPerMessage / rawCpu), fixed(v.sleepsPerMessage, 2), fixed(v.simCpuUsPerMessage, 1),
      ]);
    }
    out.push(table(rows), '');
  }
  const misc = [['figure', 'value']];
  if (r.cold) misc.push([`cold start: ${r.cold.messages} messages at once`, `${r.cold.ok} ok in ${fixed(r.cold.ms, 0)} ms, ${r.cold.clientLogins} login, ${r.cold.simRequests} PBX requests`]);
  if (r.logins) misc.push(['logins by the package, whole run', `${r.logins.client} (simulator saw ${r.logins.simulatorTotal}, ${r.logins.harness} of them the benchmark's own)`]);
  if (r.polling) misc.push([`polling: ${r.polling.watchNodes} nodes x ${r.polling.extensionsEach} ext, every ${r.polling.intervalMs} ms`, `${r.polling.polls} polls in ${fixed(r.polling.seconds, 1)} s, ${fixed(r.polling.requestsPerPoll, 2)} PBX req/poll, ${fixed(r.polling.requestsPerInterval, 2)} req/interval, ${fixed(r.polling.cpuUsPerPoll, 0)} µs CPU/poll (${fixed(r.polling.cpuUserUsPerPoll, 0)} user + ${fixed(r.polling.cpuSysUsPerPoll, 0)} sys), ${r.polling.initialMessages} initial msgs`]);
  if (r.memory) misc.push([`memory: ${r.memory.messages} messages`, `heap ${fixed(r.memory.afterWarmup.heapUsed / MiB, 1)} -> ${fixed(r.memory.afterMessages.heapUsed / MiB, 1)} MiB (${fixed(r.memory.heapGrowthMiB, 2)}), RSS ${fixed(r.memory.afterWarmup.rss / MiB, 1)} -> ${fixed(r.memory.afterMessages.rss / MiB, 1)} MiB (${fixed(r.memory.rssGrowthMiB, 2)})`]);
  if (r.camera) {
    const c = r.camera;
    misc.push([`camera: ${c.images} x ${c.imageBytes / 1024} KiB at ${c.ratePerSecond}/s`, `${c.ok} ok, p50 ${fixed(c.latencyP50Ms, 1)} ms, ${fixed(c.copiesPerImage, 2)} large allocations/image, ${c.base64Conversions} base64, heap+arrayBuffers after GC ${fixed((c.start.heapUsed + c.start.arrayBuffers) / MiB, 1)} -> ${fixed((c.end.heapUsed + c.end.arrayBuffers) / MiB, 1)} MiB, RSS ${fixed(c.start.rss / MiB, 1)} -> ${fixed(c.end.rss / MiB, 1)} MiB (max ${fixed(c.rssMaxMiB, 1)}, trend ${fixed(c.rssTrendMiB, 1)}), arrayBuffers max ${fixed(c.arrayBuffersMaxMiB, 1)} MiB`]);
    for (const [site, n] of Object.entries(c.allocationSites)) misc.push(['  allocated at', `${n} x ${site}`]);
  }
  if (r.load) misc.push(['load time (median)', `package ${fixed(r.load.packageMs, 1)} ms (require ${fixed(r.load.requireMs, 1)} + register ${fixed(r.load.initMs, 1)}), ${r.load.nodeTypes} node types; Node-RED start ${fixed(r.load.startWithMs, 0)} ms with${r.load.startWithoutMs !== null ? `, ${fixed(r.load.startWithoutMs, 0)} ms without` : ''}`]);
  if (r.auditLogLines !== undefined) misc.push(['audit log lines (info)', String(r.auditLogLines)]);
  if (r.mjpeg) for (const line of require('./mjpeg').summary(r.mjpeg)) misc.push(line);
  out.push(table(misc), '');
  out.push('Targets');
  out.push(table([['target', 'goal', 'measured', 'result'], ...r.targets.map((t) => [t.name, t.goal, typeof t.value === 'number' ? `${fixed(t.value, t.unit === 'x' ? 2 : 3)}${t.unit && t.unit !== 'x' ? ' ' + t.unit : t.unit}` : String(t.value), t.pass ? 'pass' : (r.smoke ? 'miss (smoke)' : 'MISS')])]));
  out.push('', `Total ${fixed(r.totalSeconds, 1)} s.`);
  return out.join('\n');
}

const NAMES_OUT = { raw: 'raw undici loop', nodeRedFloor: 'Node-RED floor (a node doing the raw request)', node: 'webtapi-call node', coreKeepAlive: 'function + http request (keep-alive)', coreDefault: 'function + http request (default)' };

/** Functional checks only (no timing): every message answered, one login, one request per poll. */
function functionalFailures(r) {
  const f = [];
  for (const [k, v] of Object.entries(r.throughput ?? {})) if (v.errors) f.push(`throughput ${k}: ${v.errors} errors`);
  for (const [k, v] of Object.entries(r.latency ?? {})) if (v.errors) f.push(`latency ${k}: ${v.errors} errors`);
  if (r.cold && r.cold.ok !== r.cold.messages) f.push(`cold start: ${r.cold.messages - r.cold.ok} failed`);
  if (r.logins && r.logins.client !== 1) f.push(`logins: ${r.logins.client}`);
  if (r.memory && r.memory.errors) f.push(`memory run: ${r.memory.errors} errors`);
  if (r.camera && (r.camera.errors || r.camera.nonBufferPayloads)) f.push(`camera: ${r.camera.errors} errors, ${r.camera.nonBufferPayloads} non-Buffer payloads`);
  if (r.polling && r.polling.polls > 0 && r.polling.pbxRequests !== r.polling.polls) f.push(`polling: ${r.polling.pbxRequests} PBX requests for ${r.polling.polls} polls`);
  if (r.polling && r.polling.initialMessages !== WATCH_NODES * WATCH_EACH) f.push(`polling: ${r.polling.initialMessages} initial messages, expected ${WATCH_NODES * WATCH_EACH}`);
  f.push(...callEvents.failures(r.calls));
  return f;
}

main().then((r) => {
  const failures = functionalFailures(r);
  r.functionalFailures = failures;
  if (JSON_OUT) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stdout.write(print(r) + '\n');
  if (failures.length) {
    progress(`FAILED: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
  const resultFile = option('save', '');
  if (resultFile) fs.writeFileSync(path.resolve(resultFile), JSON.stringify(r, null, 2));
  // Node-RED leaves timers behind after stop(); the benchmark is over.
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
}, (err) => {
  progress(`error: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});

