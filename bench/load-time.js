// One fresh process = one Node-RED start, with or without the package, printing JSON timings.
// `node bench/load-time.js with|without`. bench/run.js runs both a few times and compares.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { startNodeRed, ROOT, PACKAGE } = require('./runtime');

const withPackage = process.argv[2] !== 'without';
const nodesDir = path.join(ROOT, 'dist', 'nodes') + path.sep;
let requireMs = 0;
let initMs = 0;
let files = 0;
let depth = 0;

// Time what Node-RED's loader does with our node files: require() (with everything they pull in,
// undici included) and the call of each module's registration function.
const load = Module._load;
Module._load = function (request, parent, isMain) {
  let file = '';
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    // let the real loader report it
  }
  // Only the loader's own require of a node file is timed, inclusive of what it pulls in.
  if (depth > 0 || !file.startsWith(nodesDir) || !file.endsWith('.js')) return load.apply(this, arguments);
  const t0 = performance.now();
  let exported;
  depth++;
  try {
    exported = load.apply(this, arguments);
  } finally {
    depth--;
  }
  requireMs += performance.now() - t0;
  files++;
  if (typeof exported !== 'function') return exported;
  return function (...args) {
    const t1 = performance.now();
    try {
      return exported.apply(this, args);
    } finally {
      initMs += performance.now() - t1;
    }
  };
};

(async () => {
  const t0 = performance.now();
  const rt = await startNodeRed({ withPackage, echo: false, level: 'warn' });
  const startMs = performance.now() - t0;
  const types = rt.RED.nodes
    .getNodeList()
    .filter((n) => n.module === PACKAGE)
    .flatMap((n) => n.types);
  await rt.stop();
  process.stdout.write(JSON.stringify({ withPackage, startMs, requireMs, initMs, files, types }) + '\n');
  process.exit(0);
})().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
