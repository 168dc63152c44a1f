// An embedded Node-RED runtime as a user runs it (flows file, credentials, the package installed in
// the user directory's node_modules), without the editor's HTTP server: nothing listens.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = require(path.join(ROOT, 'package.json')).name;
/** Warnings every run of this set-up gives (no projects, no credential secret): not shown. */
const EXPECTED = /^(Projects disabled|Using unencrypted credentials)/;

/** A fresh user directory; with the package "installed" (a link to this working tree). */
function makeUserDir(withPackage) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-bench-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, dependencies: withPackage ? { [PACKAGE]: '*' } : {} }));
  if (withPackage) {
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PACKAGE), 'dir');
  }
  return dir;
}

/**
 * Starts Node-RED. `onLog(entry)` sees every log entry at `level` or above (console output is off so
 * that --json prints JSON only); warnings and errors also go to stderr when `echo` is set.
 */
async function startNodeRed({ withPackage = true, nodesDir, onLog, level = 'info', echo = true } = {}) {
  const userDir = makeUserDir(withPackage);
  const verbose = Boolean(process.env.BENCH_LOG);
  const RED = require('node-red');
  const settings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    SKIP_BUILD_CHECK: true,
    nodesDir: nodesDir ? [nodesDir] : [],
    externalModules: { autoInstall: false },
    functionExternalModules: false,
    logging: {
      console: { level: 'off' },
      bench: {
        level,
        metrics: false,
        audit: false,
        handler: () => (entry) => {
          if (onLog) onLog(entry);
          // BENCH_LOG=1 shows Node-RED's info lines too (audit lines of the nodes included).
          if (echo && (entry.level <= 30 /* warn */ || (verbose && entry.level <= 40)) && (verbose || !EXPECTED.test(String(entry.msg)))) {
            const text = entry.msg instanceof Error ? entry.msg.stack : String(entry.msg);
            process.stderr.write(`[node-red ${entry.level <= 20 ? 'error' : entry.level <= 30 ? 'warn' : 'info'}] ${entry.type ? `[${entry.type}:${entry.id}] ` : ''}${text}\n`);
          }
        },
      },
    },
  };
  // RED.start() resolves before the flows file is loaded and started: a deploy before that would
  // race the load (which replaces the credentials).
  const firstStart = new Promise((resolve) => RED.events.once('flows:started', resolve));
  RED.init(settings);
  await RED.start();
  await firstStart;
  return {
    RED,
    userDir,
    /** Deploys and resolves once the flows have started (setFlows resolves before that). */
    async deploy(flows, type = 'full', credentials = undefined) {
      // Wait for the start that created every node of these flows.
      const ids = flows.filter((n) => n.type !== 'tab').map((n) => n.id);
      let listener;
      const started = new Promise((resolve) => {
        listener = () => {
          if (ids.every((id) => RED.nodes.getNode(id))) resolve();
        };
        RED.events.on('flows:started', listener);
      });
      try {
        await RED.runtime.flows.setFlows({ flows: credentials ? { flows, credentials } : { flows }, deploymentType: type });
        await started;
      } finally {
        RED.events.removeListener('flows:started', listener);
      }
    },
    node(id) {
      return RED.nodes.getNode(id);
    },
    async stop() {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

module.exports = { startNodeRed, ROOT, PACKAGE };
