// Starting Node-RED for the demo, the pack test, the benchmark and the test suites: one place for
// the settings (no internet, no tours, no telemetry, loopback only, port 0 unless asked), for
// "installing" this package into a user directory, for waiting until the flows run, and for
// stopping cleanly. Two ways to run it:
//   - startEmbedded(): in this process, as Node-RED's documentation shows (RED.init/RED.start),
//     with or without the editor's HTTP server. Node-RED keeps its state in module singletons:
//     one embedded start per process.
//   - startChild(): the real `node-red` command (red.js) in a child process on a user directory,
//     for tests that stop it the hard way (SIGKILL) and start it again on the same directory.
// Which Node-RED: $NODE_RED_DIR when set (the node-red package directory, or a directory whose
// node_modules holds it), else the one this file resolves (the root's, or a matrix sub-package's
// when the tree was copied there).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const PACKAGE_NAME = 'node-red-contrib-metasec-webtapi';
const HOST = '127.0.0.1';
/** Warnings every run without projects and with unencrypted credentials gives. */
const EXPECTED_WARNING = /^(Projects disabled|Using unencrypted credentials)/;
/** The log line Node-RED writes when a start or a deploy has started the flows. */
const FLOWS_STARTED = /\[info\] Started (flows|modified nodes|modified flows)\b/g;

/** The directory of the Node-RED package to run. */
function nodeRedDir() {
  const env = process.env.NODE_RED_DIR;
  if (env) {
    const dir = path.resolve(env);
    const own = path.join(dir, 'package.json');
    if (fs.existsSync(own) && readJson(own).name === 'node-red') return dir;
    return path.dirname(require.resolve('node-red/package.json', { paths: [dir] }));
  }
  return path.dirname(require.resolve('node-red/package.json'));
}

function nodeRedVersion(dir = nodeRedDir()) {
  return readJson(path.join(dir, 'package.json')).version;
}

/** The package root (its package.json names this package), searched upwards from `from`. */
function packageRoot(from = __dirname) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = readJson(file);
      if (pkg.name === PACKAGE_NAME) return { dir, pkg };
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A fresh, empty user directory in the system's temp directory. */
function tempUserDir(prefix = 'webtapi-nr-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * userDir/node_modules/<our name>/ as npm installs a local path: our package.json, and links to
 * `dist` (default: the build beside this file's package root), `examples` and `resources` (the
 * editor script every node's html loads). The userDir's package.json lists it, so the palette
 * manager shows it as the user's module.
 */
function installPackage(userDir, { dist } = {}) {
  const { dir: root, pkg } = packageRoot();
  const built = dist || path.join(root, 'dist');
  if (!fs.existsSync(path.join(built, 'nodes', 'webtapi-config.js')))
    throw new Error(`no built nodes in ${built}: run node scripts/build.js`);
  const dir = path.join(userDir, 'node_modules', PACKAGE_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const { name, version, main, engines } = pkg;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, main, engines, 'node-red': pkg['node-red'] }, null, 2));
  fs.symlinkSync(built, path.join(dir, 'dist'), 'dir');
  for (const sub of ['examples', 'resources']) {
    if (fs.existsSync(path.join(root, sub))) fs.symlinkSync(path.join(root, sub), path.join(dir, sub), 'dir');
  }
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', private: true, dependencies: { [PACKAGE_NAME]: `file:${dir}` } }),
  );
}

/** A user directory made ready: created when not given, the package installed, flows written. */
function prepareUserDir({ userDir, install = false, dist, flows, prefix } = {}) {
  const dir = userDir || tempUserDir(prefix);
  fs.mkdirSync(dir, { recursive: true });
  if (install && !fs.existsSync(path.join(dir, 'node_modules', PACKAGE_NAME))) installPackage(dir, { dist });
  if (flows) fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flows));
  return { dir, temporary: !userDir };
}

/**
 * The settings every start shares; `extra` adds to them (editorTheme merged one level deep).
 * `http: false` runs the runtime without the editor and without HTTP nodes.
 */
function settings({ userDir, nodesDir = [], http: withHttp = true, httpNodeRoot = '/', credentialSecret = false, logging, extra = {} }) {
  const base = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret,
    nodesDir,
    uiHost: HOST,
    httpAdminRoot: withHttp ? '/' : false,
    httpNodeRoot: withHttp ? httpNodeRoot : false,
    disableEditor: !withHttp,
    logging: logging || { console: { level: 'info', metrics: false, audit: false } },
    // No internet here: no tour, palette catalogue, update check, telemetry question or installs.
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
  };
  return { ...base, ...extra, editorTheme: { ...base.editorTheme, ...(extra.editorTheme || {}) } };
}

/** A logging setting that hands every entry at `level` or above to `onEntry` instead of the console. */
function logTo(onEntry, level = 'info') {
  return {
    console: { level: 'off', metrics: false, audit: false },
    handed: { level, metrics: false, audit: false, handler: () => onEntry },
  };
}

function levelName(level) {
  if (level <= 20) return 'error';
  return level <= 30 ? 'warn' : 'info';
}

/** A log entry as one line, for stderr. */
function formatEntry(entry) {
  const text = entry.msg instanceof Error ? entry.msg.stack : String(entry.msg);
  return `[node-red ${levelName(entry.level)}] ${entry.type ? `[${entry.type}:${entry.id}] ` : ''}${text}`;
}

// ------------------------------------------------------------------------------------------ embedded

/**
 * An express app with an HTTP server bound to host:port (0: a free port), before Node-RED starts,
 * so a taken port fails first. `close()` also ends open connections.
 */
async function listen({ port = 0, host = HOST, dir = nodeRedDir() } = {}) {
  const express = require(require.resolve('express', { paths: [dir] }));
  const app = express();
  const server = http.createServer(app);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const bound = server.address().port;
  return {
    app,
    server,
    port: bound,
    url: `http://${host}:${bound}/`,
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Resolves with null once Node-RED has started its flows, or with the reason it does not (a
 * missing node type, an error loading the flows, no start within `timeoutMs`).
 */
function flowsStartedOrProblem(RED, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const finish = (problem) => {
      clearTimeout(timer);
      RED.events.removeListener('flows:started', onStarted);
      RED.events.removeListener('runtime-event', onEvent);
      resolve(problem);
    };
    const onStarted = () => finish(null);
    const onEvent = (ev) => {
      const p = ev && ev.id === 'runtime-state' ? ev.payload : null;
      if (p && p.error) finish([p.error, ...(p.types || [])].join(' '));
    };
    const timer = setTimeout(() => finish(`not started within ${timeoutMs / 1000} s`), timeoutMs);
    timer.unref();
    RED.events.on('flows:started', onStarted);
    RED.events.on('runtime-event', onEvent);
  });
}

/** Resolves at the next flows:started event (rejects after timeoutMs). Call it before the deploy. */
function nextFlowsStart(RED, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const onStarted = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      RED.events.removeListener('flows:started', onStarted);
      reject(new Error(`the runtime did not start the flows within ${timeoutMs} ms`));
    }, timeoutMs);
    RED.events.once('flows:started', onStarted);
  });
}

/** Deploys through the runtime API; resolves once every node of `flows` exists and the flows started. */
async function deployEmbedded(RED, flows, type = 'full', credentials = undefined) {
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
}

/**
 * Node-RED in this process. Options: `userDir` (default: a fresh temp directory, removed on stop),
 * `install` (put this package into userDir/node_modules), `dist`, `nodesDir`, `flows` (written to
 * flows.json first), `http` (default true: editor and HTTP nodes on `web`, or on a new server at
 * `port` 0), `httpNodeRoot`, `logging`, `credentialSecret`, `extra` settings, `timeoutMs`.
 * Resolves once the flows run; `flowsProblem` says why they do not (the runtime still runs).
 */
async function startEmbedded(options = {}) {
  const dir = nodeRedDir();
  const RED = require(dir);
  const user = prepareUserDir({ ...options, prefix: options.prefix || 'webtapi-nr-' });
  const withHttp = options.http !== false;
  const config = settings({ ...options, userDir: user.dir, http: withHttp });
  let web = options.web || null;
  let initialised = false;
  try {
    if (withHttp && !web) web = await listen({ port: options.port || 0, dir });
    // Nodes that print or build URLs (the dashboard, for one) read the port from the settings.
    if (web) config.uiPort = web.port;
    RED.init(web ? web.server : undefined, config);
    initialised = true;
    if (web) {
      web.app.use(config.httpAdminRoot, RED.httpAdmin);
      if (config.httpNodeRoot !== false) web.app.use(config.httpNodeRoot, RED.httpNode);
    }
    // RED.start() resolves before the flows file is loaded and started: a deploy before that
    // would race the load (which replaces the credentials).
    const flowsReady = flowsStartedOrProblem(RED, options.timeoutMs);
    await RED.start();
    const flowsProblem = await flowsReady;
    return embeddedHandle(RED, { dir, web, user, flowsProblem });
  } catch (err) {
    if (initialised) await RED.stop().catch(() => undefined);
    if (web) await web.close();
    if (user.temporary) fs.rmSync(user.dir, { recursive: true, force: true });
    throw err;
  }
}

function embeddedHandle(RED, { dir, web, user, flowsProblem }) {
  let stopped = null;
  return {
    RED,
    version: nodeRedVersion(dir),
    userDir: user.dir,
    url: web ? web.url : null,
    port: web ? web.port : null,
    flowsProblem,
    node: (id) => RED.nodes.getNode(id),
    /** Resolves at the next start of the flows: call before deploying, await after. */
    flowsStarted: (timeoutMs) => nextFlowsStart(RED, timeoutMs),
    deploy: (flows, type, credentials) => deployEmbedded(RED, flows, type, credentials),
    stop() {
      stopped ??= (async () => {
        try {
          await RED.stop();
        } finally {
          if (web) await web.close();
          if (user.temporary) fs.rmSync(user.dir, { recursive: true, force: true });
        }
      })();
      return stopped;
    },
  };
}

// ------------------------------------------------------------------------------------------ child

/**
 * The `node-red` command in a child process on `userDir` (created when not given; kept on stop, so
 * a later start runs the same flows and credentials), with this package installed in it unless
 * `install: false`. Writes userDir/settings.js from settings();
 * `logLevel` at least info (the "Started flows" lines are how the start is seen). Options as for
 * startEmbedded, plus `env`, `credentialSecret` (default: a fixed test-only key, so a restart
 * reads the credentials), `settingsSource` and `timeoutMs` for the start. Resolves once it listens and runs its flows.
 */
async function startChild(options = {}) {
  const dir = nodeRedDir();
  const user = prepareUserDir({ install: true, ...options, prefix: options.prefix || 'webtapi-nr-child-' });
  const level = options.logLevel || 'info';
  const config = settings({
    credentialSecret: 'a test-only key for flows_cred.json',
    ...options,
    userDir: user.dir,
    logging: { console: { level, metrics: false, audit: level === 'trace' || level === 'debug' } },
  });
  const settingsFile = path.join(user.dir, 'settings.js');
  // `settingsSource(config)`: a settings.js of the caller's own (code a JSON file cannot hold, such
  // as middleware functions), built around these settings.
  fs.writeFileSync(
    settingsFile,
    options.settingsSource ? options.settingsSource(config) : `module.exports = ${JSON.stringify(config, null, 2)};\n`,
  );
  const child = spawn(
    process.execPath,
    [path.join(dir, 'red.js'), '--userDir', user.dir, '--port', String(options.port || 0), '--settings', settingsFile],
    {
      cwd: user.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_RED_ENABLE_PROJECTS: '', ...(options.env || {}) },
    },
  );
  const handle = childHandle(child, { dir, userDir: user.dir });
  try {
    const [url] = await Promise.all([
      handle.waitFor(/Server now running at (http:\/\/\S+\/)/, options.timeoutMs || 60_000).then((m) => m[1]),
      handle.waitForFlowsStart(1, options.timeoutMs || 60_000),
    ]);
    handle.url = url;
    handle.port = Number(new URL(url).port);
    return handle;
  } catch (err) {
    await handle.kill();
    throw err;
  }
}

function childHandle(child, { dir, userDir }) {
  let output = '';
  const watchers = new Set();
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const onData = (chunk) => {
    output += chunk.toString('utf8');
    for (const w of watchers) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const tail = () => output.slice(-3000);

  /** Resolves with the first match of `test` in the output (from `from` on) and where it ends. */
  const waitFor = (pattern, timeoutMs = 20_000, from = 0) =>
    new Promise((resolve, reject) => {
      const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      const finish = (fn, value) => {
        watchers.delete(look);
        clearTimeout(timer);
        fn(value);
      };
      const look = () => {
        re.lastIndex = from;
        const m = re.exec(output);
        if (m) finish(resolve, Object.assign(m, { end: re.lastIndex }));
      };
      const timer = setTimeout(() => finish(reject, new Error(`Node-RED: no ${pattern} within ${timeoutMs} ms:\n${tail()}`)), timeoutMs);
      exited.then((e) => finish(reject, new Error(`Node-RED exited (${e.code ?? e.signal}) before ${pattern}:\n${tail()}`)));
      watchers.add(look);
      look();
    });
  const flowStarts = () => (output.match(FLOWS_STARTED) || []).length;

  const handle = {
    child,
    pid: child.pid,
    userDir,
    version: nodeRedVersion(dir),
    url: '',
    port: 0,
    exited,
    /** Everything Node-RED wrote to stdout and stderr so far. */
    output: () => output,
    waitFor,
    /** Resolves once the output holds `count` "Started flows" lines in all. */
    async waitForFlowsStart(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (flowStarts() < count) {
        await waitFor(FLOWS_STARTED, Math.max(1, deadline - Date.now()), output.length);
      }
    },
    /** POST /flows through the admin API; resolves once the new flows have started. */
    async deploy(flows, { type = 'full', timeoutMs = 20_000 } = {}) {
      const before = flowStarts();
      const res = await fetch(`${handle.url}flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': type },
        body: JSON.stringify(flows),
      });
      if (res.status !== 200 && res.status !== 204) throw new Error(`POST /flows: HTTP ${res.status} ${await res.text()}`);
      await handle.waitForFlowsStart(before + 1, timeoutMs);
    },
    /** SIGINT (Node-RED stops its flows, then exits); SIGKILL when it has not exited within timeoutMs. */
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    /** Ends the process at once (no close handler runs), as a power cut or the OOM killer would. */
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return handle;
}

module.exports = {
  PACKAGE_NAME,
  HOST,
  EXPECTED_WARNING,
  nodeRedDir,
  nodeRedVersion,
  packageRoot,
  tempUserDir,
  installPackage,
  settings,
  logTo,
  formatEntry,
  listen,
  startEmbedded,
  startChild,
};
