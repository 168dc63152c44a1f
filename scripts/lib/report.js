// What the release checks (pack-test.js, validate.js, matrix.js) share: prefixed log lines, one
// counted line per check, timed stages, commands that must succeed, `npm pack`, and the closing
// line `<name>: N passed, N failed` that CI reads (exit code 1 unless something passed and
// nothing failed).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** npm flags for installs in these scripts: no audit or funding calls, the cache first. */
const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--no-update-notifier'];

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a command to completion; throws with the last 30 lines of output when it fails. */
function sh(cmd, argv, cwd) {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${`${r.stdout}${r.stderr}`.split('\n').slice(-30).join('\n')}`);
  return r.stdout;
}

/** `npm pack` of `root` into `dest`: npm's JSON description of the tarball, with its path as `file`. */
function npmPack(root, dest, extraArgs = []) {
  const out = sh(npm, ['pack', '--json', '--pack-destination', dest, '--no-update-notifier', ...extraArgs], root);
  const info = JSON.parse(out.slice(out.search(/^\[/m)))[0];
  return { ...info, file: path.join(dest, info.filename) };
}

function createReport(name) {
  const timings = [];
  const report = {
    passed: 0,
    failed: 0,
    log(line) {
      process.stdout.write(`[${name}] ${line}\n`);
    },
    /** Counts one check and logs it; details of a failure follow on indented lines. */
    check(ok, what, detail) {
      if (ok) report.passed++;
      else report.failed++;
      const more = !ok && detail !== undefined && detail !== '' ? `\n       ${String(detail).trim().split('\n').join('\n       ')}` : '';
      report.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${more}`);
      return ok;
    },
    /** Runs one timed stage; its time is listed at the end. */
    async stage(label, fn) {
      const started = Date.now();
      report.log(`-- ${label}`);
      try {
        return await fn();
      } finally {
        const ms = Date.now() - started;
        timings.push([label, ms]);
        report.log(`   ${label}: ${secs(ms)}`);
      }
    },
    /**
     * Runs `main`, then prints `summary(result)` lines (if given), the timings and the closing
     * line, and sets the exit code. An error thrown by main counts as one failure.
     */
    run(main, summary = () => []) {
      const started = Date.now();
      return main()
        .catch((err) => {
          report.failed++;
          process.stderr.write(`[${name}] ${err && err.stack ? err.stack : err}\n`);
          return undefined;
        })
        .then((result) => {
          process.stdout.write(`\n[${name}] summary\n`);
          for (const line of summary(result)) process.stdout.write(`  ${line}\n`);
          for (const [label, ms] of timings) process.stdout.write(`  ${secs(ms).padStart(8)}  ${label}\n`);
          process.stdout.write(`  ${secs(Date.now() - started).padStart(8)}  total\n`);
          process.stdout.write(`\n${name}: ${report.passed} passed, ${report.failed} failed\n`);
          process.exitCode = report.failed === 0 && report.passed > 0 ? 0 : 1;
        });
    },
  };
  return report;
}

module.exports = { createReport, sh, npmPack, npm, NPM_QUIET, secs };
