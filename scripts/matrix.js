#!/usr/bin/env node
// The compatibility matrix: the same compiled mocha suite (dist-test/, e2e excluded) under other
// Node-RED and Node versions than the root's (Node-RED 4 on the machine's Node 20).
//
//   nr31    Node-RED 3.1 on the machine's Node (20)
//   nr4n22  the root's Node-RED 4 on Node 22 (the `node` npm package's binary)
//   nr5     Node-RED 5 on Node 22, plus the browser suite
//
// Each is a private sub-package in matrix/<name>/ with its own node_modules. The build is COPIED
// into matrix/<name>/run/ (symlinks would resolve `require('node-red')` back to the root's
// Node-RED), and a resolution check proves that node-red, the test helper, Node-RED's core nodes,
// undici and mocha come from the intended node_modules before any test runs, and that the Node
// binary is the intended major.
//
// Usage: node scripts/matrix.js [--only nr31,nr4n22,nr5] [--build] [--no-install] [--no-e2e]
//   --build       rebuild dist/ and dist-test/ first (default: only when missing)
//   --no-install  skip `npm install` in the sub-packages (they must be installed already)
//   --no-e2e      skip the browser suite
// Closing line: `matrix: N passed, N failed` (tests summed over all runs; a check or run that
// failed without a test count counts as one failure, and so does a run with a skipped test: the
// matrix is there to run every test on every target).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { createReport, npm, NPM_QUIET } = require('./lib/report');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? (args[onlyArg + 1] || '').split(',').filter(Boolean) : null;

// modules: where node-red, the test helper, undici and mocha must resolve from: the sub-package's
// own node_modules, or (nr4n22, which only brings a Node binary) the root's.
const TARGETS = [
  { name: 'nr31', nodeRed: /^3\.1\./, node: 20, nodeBin: 'system', modules: 'own', e2e: false },
  { name: 'nr4n22', nodeRed: /^4\./, node: 22, nodeBin: 'package', modules: 'root', e2e: false },
  { name: 'nr5', nodeRed: /^5\./, node: 22, nodeBin: 'package', modules: 'own', e2e: true },
].filter((t) => !only || only.includes(t.name));

const report = createReport('matrix');
const { check, log, stage } = report;

/** Runs a command; output streams through (or into `capture` when given). Resolves with the exit code. */
function run(cmd, argv, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd || root, env: opts.env || process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (stream) => (chunk) => {
      if (opts.capture) opts.capture.push(chunk);
      else stream.write(chunk);
      if (opts.onText) opts.onText(chunk.toString());
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (err) => {
      process.stderr.write(`[matrix] cannot run ${cmd}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code === null ? `signal ${signal}` : code));
  });
}

const dirOf = (t) => path.join(root, 'matrix', t.name);
const nodeOf = (t) => (t.nodeBin === 'system' ? process.execPath : path.join(dirOf(t), 'node_modules', '.bin', 'node'));
/** npm puts a package's .bin first on PATH for its scripts; do the same so child processes get that Node. */
const envOf = (t, extra = {}) => ({
  ...process.env,
  PATH: `${path.join(dirOf(t), 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
  ...extra,
});

async function install(t) {
  const output = [];
  const code = await run(npm, ['install', ...NPM_QUIET], { cwd: dirOf(t), capture: output });
  const text = Buffer.concat(output).toString();
  if (code !== 0) process.stdout.write(text.split('\n').slice(-40).join('\n') + '\n');
  else log(`${t.name}: ${(text.match(/(added|up to date|changed|removed)[^\n]*/) || ['installed'])[0]}`);
  return check(code === 0, `${t.name}: npm install`);
}

/**
 * What stays out of run/: the sub-packages and installed and generated things. Everything else is
 * copied, so the tests see the package's own layout (package.json, dist/, dist-test/, src/, test/
 * and bench/ (read as text by static tests), examples/, nodes/, icons/, resources/, scripts/...).
 */
const NOT_COPIED = new Set(['.git', 'node_modules', 'matrix', '.demo', '.e2e-artifacts']);

/** The package's files (see NOT_COPIED) copied into matrix/<name>/run/. */
function prepare(t) {
  const dir = path.join(dirOf(t), 'run');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    if (NOT_COPIED.has(entry) || entry.endsWith('.tgz')) continue;
    fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true, dereference: true });
  }
  return dir;
}

/** What `require` finds from the copied tests, with this target's Node: all of it must be the sub-package's. */
function resolution(t, runDir) {
  const probe = `
    const from = { paths: [${JSON.stringify(path.join(runDir, 'dist-test', 'nodes'))}] };
    const nr = require.resolve('node-red', from);
    const out = {
      node: process.version,
      nodeRedVersion: require(require.resolve('node-red/package.json', from)).version,
      'node-red': nr,
      '@node-red/nodes (core)': require.resolve('@node-red/nodes/core/common/25-catch.js', { paths: [nr] }),
      'node-red-node-test-helper': require.resolve('node-red-node-test-helper', from),
      'undici (from dist/client)': require.resolve('undici', { paths: [${JSON.stringify(path.join(runDir, 'dist', 'client'))}] }),
      mocha: require.resolve('mocha', from),
    };
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(nodeOf(t), ['-e', probe], { env: envOf(t), encoding: 'utf8' });
  if (r.status !== 0) {
    process.stdout.write(r.stdout + r.stderr);
    check(false, `${t.name}: module resolution (probe failed)`);
    return null;
  }
  const info = JSON.parse(r.stdout);
  // Real paths on both sides: require.resolve answers them, and node_modules may be a link.
  const own = fs.realpathSync(path.join(t.modules === 'root' ? root : dirOf(t), 'node_modules')) + path.sep;
  let ok = true;
  for (const [what, file] of Object.entries(info)) {
    if (what === 'node' || what === 'nodeRedVersion') continue;
    const inside = file.startsWith(own);
    ok = ok && inside;
    log(`${t.name}: ${what} -> ${file}${inside ? '' : `   <-- NOT in ${own}`}`);
  }
  check(ok, `${t.name}: every module resolves inside ${own}`);
  const major = Number(info.node.slice(1).split('.')[0]);
  check(t.nodeRed.test(info.nodeRedVersion), `${t.name}: Node-RED ${info.nodeRedVersion} (want ${t.nodeRed})`);
  if (t.nodeBin === 'package' || major === t.node) check(major === t.node, `${t.name}: Node ${info.node} (want v${t.node})`);
  else log(`${t.name}: note: the machine's Node is ${info.node}, not v${t.node}; running on it anyway`);
  return info;
}

/** Runs mocha in runDir and adds its closing `mocha: N passed, N failed` line to the totals. */
async function mocha(t, runDir, config, extraEnv) {
  let tail = '';
  const mochaJs = path.join(t.modules === 'root' ? root : dirOf(t), 'node_modules', 'mocha', 'bin', 'mocha.js');
  const code = await run(nodeOf(t), [mochaJs, '--config', config], {
    cwd: runDir,
    env: envOf(t, extraEnv),
    onText: (s) => {
      tail = (tail + s).slice(-4000);
    },
  });
  const last = [...tail.matchAll(/^mocha: (\d+) passed, (\d+) failed, (\d+) skipped/gm)].pop();
  const totals = last ? { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3]) } : null;
  if (totals) {
    report.passed += totals.passed;
    report.failed += totals.failed;
    if (code !== 0 && totals.failed === 0) report.failed++; // exited non-zero without a failing test
    check(totals.skipped === 0, `${t.name}: no test skipped in ${config}`, `${totals.skipped} skipped`);
  } else {
    report.failed++;
  }
  const ok = code === 0 && !!totals && totals.skipped === 0;
  log(
    `${t.name}: mocha ${config} ${ok ? 'passed' : `FAILED (exit ${code})`}${totals ? `: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped` : ''}`,
  );
  return { ok, totals };
}

/** Which Node-RED the browser suite will embed, asked of its own nodeRedDir() with the same environment. */
function e2eNodeRed(t, runDir, nodeRedDir) {
  const helper = path.join(runDir, 'dist-test', 'e2e', 'nodered.js');
  if (!fs.existsSync(helper)) {
    log(`${t.name}: dist-test/e2e/nodered.js not found: cannot confirm which Node-RED the browser suite embeds`);
    return;
  }
  const probe = `const d = require(${JSON.stringify(helper)}).nodeRedDir(); process.stdout.write(require(require('path').join(d, 'package.json')).version);`;
  const r = spawnSync(nodeOf(t), ['-e', probe], { env: envOf(t, { NODE_RED_DIR: nodeRedDir }), encoding: 'utf8' });
  check(r.status === 0 && t.nodeRed.test(r.stdout), `${t.name}: the browser suite embeds Node-RED ${r.stdout || '?'}`, r.stderr);
}

function hasE2e(runDir) {
  const dir = path.join(runDir, 'dist-test', 'e2e');
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.test.js'));
}

/** The suites of one target (already installed): copy, resolution check, mocha, browser suite. */
async function runTarget(t) {
  const runDir = prepare(t);
  const info = resolution(t, runDir);
  if (!info) return null;
  const row = { name: t.name, nodeRed: info.nodeRedVersion, node: info.node, unit: null, e2e: null };
  const on = `(Node-RED ${info.nodeRedVersion}, Node ${info.node})`;
  row.unit = await stage(`${t.name}: mocha suite ${on}`, () => mocha(t, runDir, '.mocharc.json'));
  if (!t.e2e || flag('--no-e2e')) return row;
  if (!hasE2e(runDir)) {
    log(`${t.name}: no browser suite built (dist-test/e2e has no *.test.js): skipped`);
    return row;
  }
  const nodeRedDir = path.join(dirOf(t), 'node_modules', 'node-red');
  e2eNodeRed(t, runDir, nodeRedDir);
  row.e2e = await stage(`${t.name}: browser suite ${on}`, () => mocha(t, runDir, '.mocharc.e2e.json', { NODE_RED_DIR: nodeRedDir }));
  return row;
}

async function main() {
  const results = [];
  const built = fs.existsSync(path.join(root, 'dist', 'nodes', 'webtapi-config.js')) && fs.existsSync(path.join(root, 'dist-test'));
  if (flag('--build') || !built) {
    await stage('build (src + tests)', async () => {
      const code = await run(process.execPath, [path.join(root, 'scripts', 'build.js'), '--tests']);
      if (!check(code === 0, 'build')) throw new Error('build failed');
    });
  }
  // Installs are mostly network and disk: both at once.
  if (!flag('--no-install')) {
    const ok = await stage(`npm install (${TARGETS.map((t) => t.name).join(' + ')}, in parallel)`, () => Promise.all(TARGETS.map(install)));
    if (ok.includes(false)) return results;
  }
  // Suites one after the other: two cores, and the runs must not compete for them.
  for (const t of TARGETS) {
    const row = await runTarget(t);
    if (row) results.push(row);
  }
  return results;
}

function summary(results = []) {
  const fmt = (x) =>
    x === null
      ? 'not run'
      : `${x.ok ? 'ok' : 'FAILED'}${x.totals ? ` (${x.totals.passed} passed, ${x.totals.failed} failed, ${x.totals.skipped} skipped)` : ''}`;
  return results.map((r) => `${r.name}: Node-RED ${r.nodeRed} on Node ${r.node}: tests ${fmt(r.unit)}, browser ${fmt(r.e2e)}`);
}

report.run(main, summary);
