// An embedded Node-RED runtime as a user runs it (flows file, credentials, the package installed in
// the user directory's node_modules), without the editor's HTTP server: nothing listens. The
// settings and the start are the shared launcher's (scripts/lib/nodered.js).
'use strict';
const path = require('node:path');
const { EXPECTED_WARNING, PACKAGE_NAME, formatEntry, logTo, startEmbedded } = require('../scripts/lib/nodered');

const ROOT = path.resolve(__dirname, '..');

/**
 * Starts Node-RED. `onLog(entry)` sees every log entry at `level` or above (console output is off so
 * that --json prints JSON only); warnings and errors also go to stderr when `echo` is set
 * (BENCH_LOG=1: info lines too, the nodes' audit lines included).
 */
async function startNodeRed({ withPackage = true, nodesDir, onLog, level = 'info', echo = true } = {}) {
  const verbose = Boolean(process.env.BENCH_LOG);
  const onEntry = (entry) => {
    if (onLog) onLog(entry);
    const shown = entry.level <= 30 || (verbose && entry.level <= 40);
    if (echo && shown && (verbose || !EXPECTED_WARNING.test(String(entry.msg)))) process.stderr.write(`${formatEntry(entry)}\n`);
  };
  const nr = await startEmbedded({
    http: false,
    install: withPackage,
    nodesDir: nodesDir ? [nodesDir] : [],
    prefix: 'webtapi-bench-',
    logging: logTo(onEntry, level),
  });
  return { RED: nr.RED, userDir: nr.userDir, deploy: nr.deploy, node: nr.node, stop: nr.stop };
}

module.exports = { startNodeRed, ROOT, PACKAGE: PACKAGE_NAME };
