#!/usr/bin/env node
'use strict';
// npm start: the bundled WebTAPI simulator and a local Node-RED with this package loaded from the
// working tree and the example flows deployed against the simulator (or against a real PBX).
// Node-RED is embedded through the shared launcher (scripts/lib/nodered.js); nothing is downloaded
// at run time.
const fs = require('node:fs');
const path = require('node:path');
const { CONFIG_ID, prepareUserDir } = require('./demo/flows');
const { listen, nodeRedDir, startEmbedded } = require('./lib/nodered');
const { startBroker } = require('./demo/broker');
const { panelLine } = require('./demo/dashboard');
const { demoSecrets } = require('./demo/secrets');
const { applyDemoCredentials } = require('./demo/credentials');
const { adminGuard } = require('./demo/admin-guard');
const { startDemoPushes } = require('./demo/events');

const root = path.resolve(__dirname, '..');
const SIM_USER = '1004';
const SIM_PASSWORD = 'secret';
const TITLE = 'Node-RED · METASEC WebTAPI demo';
const DIST_MISSING = 'dist/ is missing: run "npm install" (or "npm run build") in the package folder first';

const USAGE = `Usage: npm start [-- options]   (or: node scripts/demo.js [options])

Starts the WebTAPI simulator and Node-RED with the example flows deployed.

  --port N          Node-RED editor port (default 1880, env PORT; 0 = any free port)
  --sim-port N      simulator port (default 9998, env WEBTAPI_SIM_PORT; when taken, any free port)
  --mqtt-port N     MQTT broker for the Home Assistant example (default any free port, env WEBTAPI_MQTT_PORT)
  --pbx-url URL     use this WebTAPI endpoint instead of the simulator (env WEBTAPI_URL);
                    credentials from env WEBTAPI_USER and WEBTAPI_PASSWORD
  --replay FILE     the simulator answers the read-only actions of a webtapi-probe capture as captured
  --user-dir DIR    Node-RED user directory (default .demo/ in the package, env WEBTAPI_DEMO_DIR)
  --reset           deploy the example flows again (the current flows are kept as a .bak file)
  --help            this text

Ctrl-C stops Node-RED and the simulator.
`;

function fail(message, code = 2) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(code);
}

function port(name, value) {
  if (!/^[0-9]{1,5}$/.test(String(value)) || Number(value) > 65535)
    fail(`${name} must be a port number 0..65535, got ${JSON.stringify(value)}\n\n${USAGE}`);
  return Number(value);
}

/** The flag parser the simulator and the probe use (src/cli-args.ts), from the build. */
function builtCliArgs() {
  try {
    return require(path.join(root, 'dist', 'cli-args'));
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') fail(DIST_MISSING, 1);
    throw err;
  }
}

function parseArgs(argv, env) {
  const e = (k) => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const o = {
    port: e('PORT') !== undefined ? port('PORT', e('PORT')) : 1880,
    simPort: e('WEBTAPI_SIM_PORT') !== undefined ? port('WEBTAPI_SIM_PORT', e('WEBTAPI_SIM_PORT')) : 9998,
    mqttPort: e('WEBTAPI_MQTT_PORT') !== undefined ? port('WEBTAPI_MQTT_PORT', e('WEBTAPI_MQTT_PORT')) : 0,
    pbxUrl: e('WEBTAPI_URL'),
    user: e('WEBTAPI_USER'),
    password: env.WEBTAPI_PASSWORD,
    userDir: e('WEBTAPI_DEMO_DIR') !== undefined ? path.resolve(e('WEBTAPI_DEMO_DIR')) : path.join(root, '.demo'),
    reset: false,
  };
  const { asGiven, parseFlags } = builtCliArgs();
  const portFlag = (value, flag) => port(flag, value);
  const absolute = (value) => path.resolve(value);
  const flags = {
    '--port': { option: 'port', read: portFlag },
    '--sim-port': { option: 'simPort', read: portFlag },
    '--mqtt-port': { option: 'mqttPort', read: portFlag },
    '--pbx-url': { option: 'pbxUrl', read: asGiven },
    '--replay': { option: 'replay', read: absolute },
    '--user-dir': { option: 'userDir', read: absolute },
    '--reset': { option: 'reset', set: true },
  };
  parseFlags(argv, o, { flags, usage: USAGE, fail: (message) => fail(`${message}\n\n${USAGE}`) });
  if (o.pbxUrl !== undefined) {
    let u;
    try {
      u = new URL(o.pbxUrl);
    } catch {
      fail(`--pbx-url is not a URL: ${JSON.stringify(o.pbxUrl)}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') fail('--pbx-url must be an http:// or https:// URL');
    if (u.username || u.password) fail('--pbx-url must not contain credentials: use WEBTAPI_USER and WEBTAPI_PASSWORD');
  }
  return o;
}

/** Where a URL goes, for the console: never user info or a query. */
function shown(url) {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function requireBuilt() {
  const needed = [path.join(root, 'dist', 'simulator', 'index.js'), path.join(root, 'dist', 'nodes', 'webtapi-config.js')];
  if (!needed.every((f) => fs.existsSync(f))) fail(DIST_MISSING, 1);
  // The editor loads the nodes from dist/: say so when src/ has changed since the last build.
  const newest = (dir) => {
    let t = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }
    return t;
  };
  try {
    if (newest(path.join(root, 'src')) > fs.statSync(needed[1]).mtimeMs) {
      process.stdout.write('note: src/ changed since the last build; run "npm run build" to see the changes in the demo\n');
    }
  } catch {
    // no src/ in an installed package: nothing to compare
  }
}

function requireNodeRed() {
  try {
    nodeRedDir();
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND')
      fail('Node-RED is not installed: run "npm install" in the package folder first (it is a dev dependency)', 1);
    throw err;
  }
}

async function startSimulatorOn(preferred, replayFile) {
  const { startSimulator } = require(path.join(root, 'dist', 'simulator'));
  // The simulator answers calls after 4 s, as a person would.
  const options = { ringMs: 4000 };
  if (replayFile) {
    const { readCapture } = require(path.join(root, 'dist', 'probe', 'capture'));
    try {
      options.replay = readCapture(JSON.parse(fs.readFileSync(replayFile, 'utf8')));
    } catch (err) {
      fail(`--replay ${replayFile}: ${err.message}`);
    }
  }
  try {
    return { sim: await startSimulator({ ...options, port: preferred }), fellBack: false };
  } catch (err) {
    if (!err || err.code !== 'EADDRINUSE' || preferred === 0) throw err;
    return { sim: await startSimulator({ ...options, port: 0 }), fellBack: true };
  }
}

/** The WebTAPI the flows use: the real PBX given, or the simulator started here. */
async function startTarget(o, demo) {
  if (o.pbxUrl !== undefined) {
    process.stdout.write(`WebTAPI PBX: ${shown(o.pbxUrl)}${o.user ? ` (user ${o.user})` : ''}\n`);
    if (o.user === undefined || o.password === undefined) {
      process.stdout.write(
        'note: WEBTAPI_USER / WEBTAPI_PASSWORD not both set: the stored credentials are kept; enter them in the config node "PBX" if needed\n',
      );
    }
    return { mode: 'pbx', url: o.pbxUrl, username: o.user, password: o.password };
  }
  const started = await startSimulatorOn(o.simPort, o.replay);
  demo.sim = started.sim;
  if (started.fellBack) process.stdout.write(`note: port ${o.simPort} is in use; the simulator listens on port ${demo.sim.port} instead\n`);
  process.stdout.write(`WebTAPI simulator: ${demo.sim.url} (user ${SIM_USER}, password ${SIM_PASSWORD})\n`);
  if (o.replay) process.stdout.write(`replaying the read-only answers of ${o.replay}\n`);
  process.stdout.write(
    `ring the doorbell (door station 1009 calls flat 1001): curl -X POST '${new URL('/sim/doorbell?flat=1001', demo.sim.url).href}'\n`,
  );
  return { mode: 'simulator', url: demo.sim.url, username: SIM_USER, password: SIM_PASSWORD };
}

/** The example flows in the user directory (or the user's own flows, pointed at the target). */
function prepareFlows(o, target) {
  const prepared = prepareUserDir({ dir: o.userDir, examplesDir: path.join(root, 'examples'), target, reset: o.reset });
  if (prepared.backedUp) process.stdout.write(`previous flows kept in ${prepared.backedUp}\n`);
  process.stdout.write(
    prepared.created
      ? `example flows deployed to ${prepared.flowsFile}\n`
      : `using your flows in ${prepared.flowsFile} (--reset deploys the examples again)\n`,
  );
  if (prepared.disabled.length > 0)
    process.stdout.write(
      `against a real PBX: the nodes that open doors or place calls are deployed disabled (${prepared.disabled.join(', ')}); a comment on each tab says how to enable them\n`,
    );
  if (!prepared.configFound) process.stdout.write(`note: config node ${CONFIG_ID} is not in your flows; its server was not changed\n`);
  return prepared;
}

async function start(o, demo) {
  // The editor's port first: a taken port fails before anything else has started.
  demo.web = await listen({ port: o.port });
  demo.web.server.on('error', (err) => process.stderr.write(`demo: server error: ${err.message}\n`));
  const target = await startTarget(o, demo);
  const secrets = demoSecrets(o.userDir);
  demo.broker = await startBroker(o.mqttPort, secrets.mqtt);
  if (demo.broker) {
    target.mqtt = { port: demo.broker.port };
    process.stdout.write(
      `MQTT broker (example Home Assistant via MQTT): ${demo.broker.url} (user ${secrets.mqtt.username}, password ${secrets.mqtt.password})\n`,
    );
  }
  const prepared = prepareFlows(o, target);
  const door = applyDemoCredentials({
    credsFile: prepared.credsFile,
    flows: prepared.flows,
    secrets,
    brokerIsDemo: prepared.demoParts.broker,
  });
  if (startDemoPushes({ sim: demo.sim, userDir: o.userDir, editorUrl: demo.web.url, configFound: prepared.configFound }))
    process.stdout.write("the simulator pushes its events to the config node's event endpoint\n");
  demo.nr = await startEmbedded({
    userDir: o.userDir,
    web: demo.web,
    // This package, from the working tree (dist/ and examples/), not from a registry.
    nodesDir: [root],
    // The demo's credentials are the simulator's public ones; a real PBX password given by
    // environment is stored in flows_cred.json (mode 0600) inside the git-ignored user directory.
    credentialSecret: false,
    extra: {
      editorTheme: { page: { title: TITLE }, header: { title: TITLE } },
      // No adminAuth here: only the editor's own page may change anything (scripts/demo/admin-guard.js).
      httpAdminMiddleware: adminGuard(demo.web.port, (reason, req) =>
        process.stdout.write(`demo: refused ${req.method} ${req.path}: ${reason}\n`),
      ),
      // The palette manager stays open for the user (installs need the registry); modules in
      // function nodes are not installed.
      externalModules: { autoInstall: false, modules: { allowInstall: false } },
    },
  });
  if (demo.nr.flowsProblem) process.stderr.write(`demo: the flows did not start (${demo.nr.flowsProblem}); the editor shows why\n`);
  // Printed once the flows run (the launcher waits for them).
  const panel = panelLine(Boolean(demo.nr.RED.nodes.getType('ui-base')), prepared.flows, demo.web.url, door.pin);
  if (panel) process.stdout.write(`${panel}\n`);
  process.stdout.write(`Node-RED editor: ${demo.web.url}\n`);
  process.stdout.write('Press Ctrl-C to stop.\n');
}

async function stop(demo, reason, code) {
  if (demo.stopping) return;
  demo.stopping = true;
  process.stdout.write(`${reason}: stopping Node-RED${demo.sim ? ' and the simulator' : ''}\n`);
  // A node that does not close within Node-RED's own limits must not keep the terminal.
  const guard = setTimeout(() => {
    process.stderr.write('demo: could not stop in time, exiting\n');
    process.exit(1);
  }, 20_000);
  guard.unref();
  let exitCode = code;
  await demo.startup.catch(() => undefined);
  try {
    if (demo.nr) await demo.nr.stop();
  } catch (err) {
    process.stderr.write(`demo: stopping Node-RED failed: ${err && err.message}\n`);
    exitCode = 1;
  }
  if (demo.web) await demo.web.close();
  try {
    if (demo.broker) await demo.broker.close();
    if (demo.sim) await demo.sim.close();
  } catch (err) {
    process.stderr.write(`demo: stopping the simulator failed: ${err && err.message}\n`);
    exitCode = 1;
  }
  process.exit(exitCode);
}

function stopOnSignals(demo) {
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (!demo.stopping) {
        firstSignalAt = Date.now();
        void stop(demo, signal, 0);
        return;
      }
      // Under npm one Ctrl-C arrives twice (from the terminal and forwarded by npm): only a
      // later one means the user does not want to wait.
      if (Date.now() - firstSignalAt < 2000) return;
      process.stderr.write('demo: stopping at once\n');
      process.exit(1);
    });
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2), process.env);
  requireBuilt();
  requireNodeRed();
  const demo = { sim: null, broker: null, web: null, nr: null, stopping: false, startup: Promise.resolve() };
  stopOnSignals(demo);
  demo.startup = start(o, demo);
  try {
    await demo.startup;
  } catch (err) {
    const text =
      err && err.code === 'EADDRINUSE'
        ? `port ${o.port} is in use: choose another with --port N (or PORT=N)`
        : (err && err.message) || String(err);
    process.stderr.write(`demo: ${text}\n`);
    demo.startup = Promise.resolve();
    await stop(demo, 'startup failed', 1);
  }
}

main().catch((err) => {
  process.stderr.write(`demo: ${(err && err.stack) || err}\n`);
  process.exit(1);
});
