#!/usr/bin/env node
'use strict';
// npm start: the bundled WebTAPI simulator and a local Node-RED with this package loaded from the
// working tree and the example flows deployed against the simulator (or against a real PBX).
// Embeds Node-RED the way its own red.js does; nothing is downloaded at run time.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { CONFIG_ID, prepareUserDir } = require('./demo/flows');
const { startBroker } = require('./demo/broker');
const { panelLine } = require('./demo/dashboard');

const root = path.resolve(__dirname, '..');
const SIM_USER = '1004';
const SIM_PASSWORD = 'secret';

const USAGE = `Usage: npm start [-- options]   (or: node scripts/demo.js [options])

Starts the WebTAPI simulator and Node-RED with the example flows deployed.

  --port N          Node-RED editor port (default 1880, env PORT; 0 = any free port)
  --sim-port N      simulator port (default 9998, env WEBTAPI_SIM_PORT; when taken, any free port)
  --mqtt-port N     MQTT broker for the Home Assistant example (default any free port, env WEBTAPI_MQTT_PORT)
  --pbx-url URL     use this WebTAPI endpoint instead of the simulator (env WEBTAPI_URL);
                    credentials from env WEBTAPI_USER and WEBTAPI_PASSWORD
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
  if (!/^[0-9]{1,5}$/.test(String(value)) || Number(value) > 65535) fail(`${name} must be a port number 0..65535, got ${JSON.stringify(value)}\n\n${USAGE}`);
  return Number(value);
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
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const flag = eq > 0 ? argv[i].slice(0, eq) : argv[i];
    const value = () => {
      const v = eq > 0 ? argv[i].slice(eq + 1) : argv[++i];
      if (v === undefined) fail(`${flag} needs a value\n\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--port': o.port = port('--port', value()); break;
      case '--sim-port': o.simPort = port('--sim-port', value()); break;
      case '--mqtt-port': o.mqttPort = port('--mqtt-port', value()); break;
      case '--pbx-url': o.pbxUrl = value(); break;
      case '--user-dir': o.userDir = path.resolve(value()); break;
      case '--reset': o.reset = true; break;
      case '--help': case '-h': process.stdout.write(USAGE); process.exit(0); break;
      default: fail(`unknown option ${flag}\n\n${USAGE}`);
    }
  }
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
  if (!needed.every((f) => fs.existsSync(f))) fail('dist/ is missing: run "npm install" (or "npm run build") in the package folder first', 1);
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
    return require('node-red');
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') fail('Node-RED is not installed: run "npm install" in the package folder first (it is a dev dependency)', 1);
    throw err;
  }
}

async function startSimulatorOn(preferred) {
  const { startSimulator } = require(path.join(root, 'dist', 'simulator'));
  // The simulator answers calls after 4 s, as a person would.
  const options = { ringMs: 4000 };
  try {
    return { sim: await startSimulator({ ...options, port: preferred }), fellBack: false };
  } catch (err) {
    if (!err || err.code !== 'EADDRINUSE' || preferred === 0) throw err;
    return { sim: await startSimulator({ ...options, port: 0 }), fellBack: true };
  }
}

/** Resolves with null once Node-RED runs the flows, or with the reason it does not. */
function flowsStarted(RED) {
  return new Promise((resolve) => {
    const done = (problem) => {
      clearTimeout(timer);
      RED.events.removeListener('flows:started', onStarted);
      RED.events.removeListener('runtime-event', onEvent);
      resolve(problem);
    };
    const onStarted = () => done(null);
    const onEvent = (ev) => {
      const p = ev && ev.id === 'runtime-state' ? ev.payload : null;
      if (p && p.error) done([p.error, ...(p.types || [])].join(' '));
    };
    const timer = setTimeout(() => done('not started within 60 s'), 60_000);
    timer.unref();
    RED.events.on('flows:started', onStarted);
    RED.events.on('runtime-event', onEvent);
  });
}

async function main() {
  const o = parseArgs(process.argv.slice(2), process.env);
  requireBuilt();
  const RED = requireNodeRed();
  const express = require(require.resolve('express', { paths: [require.resolve('node-red')] }));

  let sim = null;
  let broker = null;
  let server = null;
  let redStarted = false;
  let stopping = false;
  let startup = Promise.resolve();

  const stop = async (reason, code) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${reason}: stopping Node-RED${sim ? ' and the simulator' : ''}\n`);
    // A node that does not close within Node-RED's own limits must not keep the terminal.
    const guard = setTimeout(() => {
      process.stderr.write('demo: could not stop in time, exiting\n');
      process.exit(1);
    }, 20_000);
    guard.unref();
    let exitCode = code;
    await startup.catch(() => undefined);
    try {
      if (redStarted) await RED.stop();
    } catch (err) {
      process.stderr.write(`demo: stopping Node-RED failed: ${err && err.message}\n`);
      exitCode = 1;
    }
    if (server && server.listening) {
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    try {
      if (broker) await broker.close();
      if (sim) await sim.close();
    } catch (err) {
      process.stderr.write(`demo: stopping the simulator failed: ${err && err.message}\n`);
      exitCode = 1;
    }
    process.exit(exitCode);
  };
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (!stopping) {
        firstSignalAt = Date.now();
        void stop(signal, 0);
        return;
      }
      // Under npm one Ctrl-C arrives twice (from the terminal and forwarded by npm): only a
      // later one means the user does not want to wait.
      if (Date.now() - firstSignalAt < 2000) return;
      process.stderr.write('demo: stopping at once\n');
      process.exit(1);
    });
  }

  startup = (async () => {
    // The editor's port first: a taken port fails before anything else has started.
    const app = express();
    server = http.createServer(app);
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => process.stderr.write(`demo: server error: ${err.message}\n`));
    const { port: bound } = server.address();

    let target;
    if (o.pbxUrl !== undefined) {
      target = { mode: 'pbx', url: o.pbxUrl, username: o.user, password: o.password };
      process.stdout.write(`WebTAPI PBX: ${shown(o.pbxUrl)}${o.user ? ` (user ${o.user})` : ''}\n`);
      if (o.user === undefined || o.password === undefined) {
        process.stdout.write('note: WEBTAPI_USER / WEBTAPI_PASSWORD not both set: the stored credentials are kept; enter them in the config node "PBX" if needed\n');
      }
    } else {
      const started = await startSimulatorOn(o.simPort);
      sim = started.sim;
      if (started.fellBack) process.stdout.write(`note: port ${o.simPort} is in use; the simulator listens on port ${sim.port} instead\n`);
      target = { mode: 'simulator', url: sim.url, username: SIM_USER, password: SIM_PASSWORD };
      process.stdout.write(`WebTAPI simulator: ${sim.url} (user ${SIM_USER}, password ${SIM_PASSWORD})\n`);
    }

    broker = await startBroker(o.mqttPort);
    if (broker) {
      target.mqtt = { port: broker.port };
      process.stdout.write(`MQTT broker (example Home Assistant via MQTT): ${broker.url}\n`);
    }

    const prepared = prepareUserDir({ dir: o.userDir, examplesDir: path.join(root, 'examples'), target, reset: o.reset });
    if (prepared.backedUp) process.stdout.write(`previous flows kept in ${prepared.backedUp}\n`);
    process.stdout.write(prepared.created
      ? `example flows deployed to ${prepared.flowsFile}\n`
      : `using your flows in ${prepared.flowsFile} (--reset deploys the examples again)\n`);
    if (!prepared.configFound) process.stdout.write(`note: config node ${CONFIG_ID} is not in your flows; its server was not changed\n`);

    const settings = {
      userDir: o.userDir,
      flowFile: 'flows.json',
      // The demo's credentials are the simulator's public ones; a real PBX password given by
      // environment is stored in flows_cred.json (mode 0600) inside the git-ignored user directory.
      credentialSecret: false,
      // This package, from the working tree (dist/ and examples/), not from a registry.
      nodesDir: [root],
      uiHost: '127.0.0.1',
      uiPort: bound,
      httpAdminRoot: '/',
      httpNodeRoot: '/',
      logging: { console: { level: 'info', metrics: false, audit: false } },
      editorTheme: {
        projects: { enabled: false },
        tours: false,
        // No catalogue download from nodered.org when the editor opens.
        palette: { catalogues: [] },
        page: { title: 'Node-RED · METASEC WebTAPI demo' },
        header: { title: 'Node-RED · METASEC WebTAPI demo' },
      },
      telemetry: { enabled: false, updateNotification: false },
      externalModules: { autoInstall: false, modules: { allowInstall: false } },
      functionExternalModules: false,
    };
    RED.init(server, settings);
    app.use(settings.httpAdminRoot, RED.httpAdmin);
    app.use(settings.httpNodeRoot, RED.httpNode);
    // RED.start() resolves before the flows are loaded: the address is printed once they run.
    const flowsReady = flowsStarted(RED);
    redStarted = true;
    await RED.start();
    const problem = await flowsReady;
    if (problem) process.stderr.write(`demo: the flows did not start (${problem}); the editor shows why\n`);
    const panel = panelLine(Boolean(RED.nodes.getType('ui-base')), prepared.flows, `http://127.0.0.1:${bound}/`);
    if (panel) process.stdout.write(`${panel}\n`);
    process.stdout.write(`Node-RED editor: http://127.0.0.1:${bound}/\n`);
    process.stdout.write('Press Ctrl-C to stop.\n');
  })();

  try {
    await startup;
  } catch (err) {
    const text = err && err.code === 'EADDRINUSE'
      ? `port ${o.port} is in use: choose another with --port N (or PORT=N)`
      : (err && err.message) || String(err);
    process.stderr.write(`demo: ${text}\n`);
    startup = Promise.resolve();
    await stop('startup failed', 1);
  }
}

main().catch((err) => {
  process.stderr.write(`demo: ${(err && err.stack) || err}\n`);
  process.exit(1);
});
