#!/usr/bin/env node
// The benchmark: the nodes side by side with the Node-RED floor (a bare node sending the same raw
// request), with what users build without this package (function node + core `http request` node)
// and, as a reference, a raw undici loop outside Node-RED, in one run, against the simulator on
// loopback. See bench/README.md (also: how to add a phase).
//
//   node bench/run.js            full run (a few minutes)
//   node bench/run.js --smoke    a few seconds, to keep it working; asserts no timing
//   node bench/run.js --json     JSON on stdout instead of the tables (progress goes to stderr)
//   options: --concurrency=N (4)  --messages=N per competitor for throughput (24300)  --rounds=N (9)
//            --phases=load,cold,latency,throughput,memory,camera,polling,callEvents,mjpeg,push,scale (all)
//            --competitors=raw,nodeRedFloor,node,coreKeepAlive,coreDefault (all; for profiling one path)
//            --poll-seconds=N (10)  --save=FILE (the JSON result, besides the table)
'use strict';

// Memory figures need explicit collections: run again with --expose-gc (keeping other flags such as --cpu-prof).
if (typeof global.gc !== 'function') {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { startBench, stopBench, progress } = require('./context');
const phases = require('./phases');
const { targets, functionalFailures, print } = require('./output');

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
// For profiling one path: --competitors=node (the ratios need nodeRedFloor, and raw, in the list).
const ONLY = option('competitors', '') ? new Set(option('competitors', '').split(',')) : null;

const P = SMOKE
  ? {
      loadRuns: 1,
      loadWithout: false,
      warmup: 100,
      latencyRounds: 1,
      latencyPerRound: 100,
      rounds: 1,
      perRound: 300,
      memoryMessages: 1000,
      cameraSeconds: 2,
      cameraRate: 20,
      pollSeconds: 1,
      pollInterval: 250,
    }
  : {
      loadRuns: 3,
      loadWithout: true,
      warmup: 3000,
      latencyRounds: 4,
      latencyPerRound: 750,
      rounds: 9,
      perRound: 2700,
      memoryMessages: 100_000,
      cameraSeconds: 30,
      cameraRate: 20,
      pollSeconds: 10,
      pollInterval: 250,
    };
P.rounds = Number(option('rounds', P.rounds));
P.pollSeconds = Number(option('poll-seconds', P.pollSeconds));
const messages = Number(option('messages', 0));
if (messages > 0) P.perRound = Math.ceil(messages / P.rounds);

// ---------------------------------------------------------------- phases

/**
 * The phases in the order they run: `[name, async (ctx) => result]`, the result stored as
 * results[name]. `--phases=` picks by name; `always` ones run whatever is picked. A new phase is
 * one line here (see bench/README.md, "Adding a phase").
 */
const PHASES = [
  ['cold', phases.cold],
  ['warmup', phases.warmup, 'always'],
  ['latency', phases.latency],
  ['throughput', phases.throughput],
  ['memory', phases.memory],
  ['camera', phases.camera],
  ['polling', phases.polling],
  ['callEvents', require('./call-events')],
  ['mjpeg', require('./mjpeg').phase],
  ['push', require('./push')],
  ['scale', require('./scale')],
  ['logins', phases.logins, 'always'],
];
const PICKED = new Set(option('phases', ['load', ...PHASES.filter((p) => !p[2]).map((p) => p[0])].join(',')).split(','));

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

async function main() {
  const results = { version: 2, smoke: SMOKE, concurrency: C, settings: P, machine: machine() };
  const t0 = performance.now();
  // Load time in fresh processes first: nothing else loaded yet.
  if (PICKED.has('load')) results.load = phases.loadTime({ P });
  const ctx = await startBench({ P, C, only: ONLY, results });
  try {
    for (const [name, run, always] of PHASES) {
      if (always || PICKED.has(name)) results[name] = await run(ctx);
    }
  } finally {
    await stopBench(ctx);
  }
  results.totalSeconds = (performance.now() - t0) / 1000;
  results.targets = targets(results);
  return results;
}

main().then(
  (r) => {
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
  },
  (err) => {
    progress(`error: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
