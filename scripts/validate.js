#!/usr/bin/env node
// The Node-RED team's scorecard (`node-red-dev validate`, the checks flows.nodered.org shows for a
// published package), run on what would be published: the `npm pack` tarball, unpacked.
//
// node-red-dev lives in its own private sub-package (matrix/validate/, pinned), not in this
// package's devDependencies. It is started with scripts/validate-preload.js, which answers its
// one request to Node-RED's flow catalogue locally with an empty module list (these machines reach
// the npm registry only); its registry look-ups are real.
//
// Passes when node-red-dev completes without an error and every scorecard check is true, except
// the ones listed in ACCEPTED, each for its stated reason, re-checked on every run.
//
// Usage: node scripts/validate.js [--no-install] [--build]
//   --build  pack with the `prepare` build (default: reuse dist/ when it is there, as in CI after
//            the other suites built it)
// Closing line: `validate: N passed, N failed` (one per scorecard check).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createReport, npm, npmPack, NPM_QUIET, sh } = require('./lib/report');

const root = path.resolve(__dirname, '..');
const sub = path.join(root, 'matrix', 'validate');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const report = createReport('validate');
const { check, log, stage } = report;

/** Every check node-red-dev 0.1.x scores; a missing one means a check did not run. */
const CHECKS = {
  P01: 'license',
  P03: 'repository or bugs URL',
  P04: 'package name',
  P05: 'node-red keyword',
  P06: 'node-red.version compatible with a current Node-RED',
  P07: 'engines.node compatible with current Node-RED',
  P08: 'no similarly named package (catalogue, offline)',
  N01: 'unique node type names (catalogue, offline)',
  N02: 'an example for every node',
  D01: '6 or fewer dependencies',
  D02: 'no known-bad package in the dependency tree',
  D03: 'dependencies at their latest version',
};

/**
 * Scorecard checks allowed to be false, only for the reason given; `still(card, ctx)` answers
 * whether that reason still holds (when not, the check counts as failed: fix it then).
 */
const ACCEPTED = {
  D03: {
    reason:
      'undici: its latest major needs a newer Node than the Node 20 this package supports (engines.node); undici 7 stays until Node 20 support is dropped',
    still(card, ctx) {
      const others = (card.packages || []).filter((p) => p !== 'undici');
      if (others.length) return false;
      const latest = ctx.registry('undici');
      if (!latest) return false;
      const semver = require(require.resolve('semver', { paths: [path.join(sub, 'node_modules', 'node-red-dev')] }));
      const ourMin = semver.minVersion(pkg.engines.node);
      return !!latest.engines && !!latest.engines.node && !semver.satisfies(ourMin, latest.engines.node);
    },
  },
};

/** npm pack (the existing dist/ unless --build) unpacked into work/package: what would be published. */
function packAndUnpack(work) {
  const built = fs.existsSync(path.join(root, 'dist', 'nodes', 'webtapi-config.js'));
  const reuse = built && !args.includes('--build');
  log(reuse ? 'packing the existing dist/ (--build to rebuild)' : 'packing with the prepare build');
  const info = npmPack(root, work, reuse ? ['--ignore-scripts'] : []);
  const target = path.join(work, 'package');
  fs.mkdirSync(target);
  sh('tar', ['-xzf', info.file, '-C', target, '--strip-components=1'], work);
  log(`${info.filename}: ${info.files.length} files`);
  return target;
}

/** node-red-dev validate on `dir`, its output teed through; resolves with exit code and text. */
function runNodeRedDev(devBin, dir, work, scorecardFile) {
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(
      process.execPath,
      ['-r', path.join(__dirname, 'validate-preload.js'), devBin, 'validate', '--path', dir, '--output', scorecardFile],
      {
        cwd: work,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const tee = (stream) => (c) => {
      chunks.push(c);
      stream.write(c);
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('error', (err) => resolve({ code: 127, text: String(err) }));
    child.on('close', (code) => resolve({ code, text: Buffer.concat(chunks).toString() }));
  });
}

/** The registry's latest version of a package (npm view), asked once per name. */
function registryLookup(work) {
  const cache = {};
  return (name) => {
    if (!(name in cache)) {
      try {
        cache[name] = JSON.parse(sh(npm, ['view', `${name}@latest`, 'version', 'engines', '--json'], work));
      } catch {
        cache[name] = null;
      }
    }
    return cache[name];
  };
}

/** One counted check per scorecard entry; answers the ids passed as ACCEPTED. */
function checkScorecard(card, ctx) {
  const accepted = [];
  for (const [id, what] of Object.entries(CHECKS)) {
    const c = card[id];
    if (!c) {
      check(false, `${id} ${what}`, 'not in the scorecard (the check did not run)');
      continue;
    }
    if (c.test === true) {
      check(true, `${id} ${what}`);
      continue;
    }
    const acc = ACCEPTED[id];
    if (acc && acc.still(c, ctx)) {
      check(true, `${id} ${what}: accepted -- ${acc.reason}`);
      accepted.push(id);
    } else {
      check(false, `${id} ${what}`, JSON.stringify(c));
    }
  }
  return accepted;
}

function checkWarnings(text, accepted) {
  const warnings = text
    .split('\n')
    .filter((l) => /Warning:/.test(l))
    .map((l) => l.replace(/^\s*›\s*/, '').trim());
  if (warnings.length) {
    log('warnings printed by node-red-dev:');
    for (const w of warnings) log(`  ${w}`);
  }
  // P04 prints a "should use a scoped name" warning for every unscoped new package and still
  // scores it true for a node-red-contrib- name: the name is fixed (it is how users install it).
  const unexplained = warnings.filter(
    (w) =>
      !/^Warning: P04 New Packages should use a scoped name$/.test(w) &&
      !(accepted.includes('D03') && /^Warning: D03 undici is not at latest version/.test(w)),
  );
  check(
    unexplained.length === 0,
    'no warning other than the explained ones (P04 scoped-name advice, accepted D03)',
    unexplained.join(' | '),
  );
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-validate-'));
  try {
    if (!args.includes('--no-install')) {
      await stage('npm install (matrix/validate: node-red-dev)', () => sh(npm, ['install', ...NPM_QUIET], sub));
    }
    const devDir = path.join(sub, 'node_modules', 'node-red-dev');
    const devVersion = JSON.parse(fs.readFileSync(path.join(devDir, 'package.json'), 'utf8')).version;
    const dir = await stage('npm pack + unpack', () => packAndUnpack(work));
    const scorecardFile = path.join(work, 'scorecard.json');
    const output = await stage(`node-red-dev@${devVersion} validate (catalogue answered offline)`, () =>
      runNodeRedDev(path.join(devDir, 'bin', 'run'), dir, work, scorecardFile),
    );

    check(output.code === 0, `node-red-dev exited ${output.code}`);
    const errors = output.text.split('\n').filter((l) => /^\s*(Error|›\s+Error)\b/.test(l));
    check(errors.length === 0 && /\bComplete\b/.test(output.text), 'node-red-dev completed without an error', errors.join(' | '));
    check(/\[validate-preload\] .*catalogue/.test(output.text), 'the catalogue request was answered by the offline preload');
    const card = fs.existsSync(scorecardFile) ? JSON.parse(fs.readFileSync(scorecardFile, 'utf8')) : {};
    const accepted = checkScorecard(card, { registry: registryLookup(work) });
    checkWarnings(output.text, accepted);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

report.run(main);
