#!/usr/bin/env node
// The packed artifact, as a user gets it: `npm pack` (which runs the `prepare` build, as publishing
// does), `npm install <tarball>` into a fresh Node-RED user directory (undici comes from the
// registry as an ordinary dependency; nothing from the dev tree), then the real `node-red` command
// on that user directory, checked through its admin API:
//   - all node types package.json declares (eleven, the config node included) load, with no load error,
//     editor HTML, icons and message catalogues;
//   - the package's example flows are listed (Import > Examples) and readable;
//   - a flow deployed with POST /flows (config node with credentials, inject -> relay-set) switches
//     a relay on a simulator started from the INSTALLED package's dist/simulator.
// Catches a missing `files` entry, a build step that only works in the dev tree, or a dependency
// in the wrong section. Talks to 127.0.0.1 only. No fixed sleeps: bounded polling on HTTP and on
// the simulator's counters. Node-RED is started by the shared launcher (scripts/lib/nodered.js).
//
// Usage: node scripts/pack-test.js [--keep]   (--keep leaves the temp directory for a look)
// Closing line: `pack-test: N passed, N failed` (one per check).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startChild } = require('./lib/nodered');
const { createReport, npm, npmPack, NPM_QUIET, sh } = require('./lib/report');
const { until } = require('./lib/until');

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const TYPES = Object.keys(pkg['node-red'].nodes);
const PASSWORD = 'secret';
const keep = process.argv.includes('--keep');
const report = createReport('pack-test');
const { check, log, stage } = report;
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** 1. npm pack: the tarball holds what Node-RED and users need, and nothing of the dev tree. */
function packTarball(work) {
  const info = npmPack(root, work);
  const files = info.files.map((f) => f.path);
  log(
    `   ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked`,
  );
  for (const t of TYPES) {
    const base = pkg['node-red'].nodes[t].replace(/\.js$/, '');
    check(files.includes(`${base}.js`) && files.includes(`${base}.html`), `tarball has ${base}.js and .html`);
  }
  check(
    files.some((f) => /^dist\/nodes\/locales\/en-US\/.+\.json$/.test(f)),
    'tarball has the en-US message catalogues',
  );
  check(
    files.some((f) => /^dist\/nodes\/icons\/.+\.svg$/.test(f)),
    'tarball has the icons',
  );
  check(files.includes('dist/simulator/index.js') && files.includes(pkg.bin['webtapi-sim']), 'tarball has the simulator and its bin');
  const examples = files.filter((f) => /^examples\/[^/]+\.json$/.test(f));
  check(examples.length > 0, `tarball has example flows (${examples.length})`);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) check(files.includes(f), `tarball has ${f}`);
  const stray = files.filter((f) => /^(src|test|dist-test|matrix|bench|node_modules|scripts)\/|\.tgz$|^\.|\/\./.test(f));
  check(stray.length === 0, 'tarball has no sources, tests, dev scripts or dotfiles', stray.slice(0, 10).join('\n'));
  return {
    file: info.file,
    examples: examples.map((f) => path.basename(f, '.json')).sort(),
    resources: files.filter((f) => f.startsWith('resources/')).map((f) => f.slice('resources/'.length)),
    icons: files
      .filter((f) => /^dist\/nodes\/icons\/[^/]+\.(svg|png)$/.test(f))
      .map((f) => path.basename(f))
      .sort(),
  };
}

/** 2. npm install <tarball> into a fresh user directory: undici from the registry, nothing else. */
function installTarball(userDir, tarball) {
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', description: 'pack test user directory', version: '0.0.1', private: true }, null, 2),
  );
  sh(npm, ['install', tarball.file, ...NPM_QUIET], userDir);
  const top = fs
    .readdirSync(path.join(userDir, 'node_modules'))
    .filter((n) => !n.startsWith('.'))
    .sort();
  check(same(top, [pkg.name, 'undici'].sort()), `node_modules holds only ${pkg.name} and undici`, `found: ${top.join(', ')}`);
  const lock = JSON.parse(fs.readFileSync(path.join(userDir, 'package-lock.json'), 'utf8'));
  const undici = lock.packages['node_modules/undici'] || {};
  // A registry package has an integrity hash and no file:/link source (npm may omit `resolved`).
  const fromRegistry = /^sha512-/.test(undici.integrity || '') && !undici.link && !/^file:/.test(undici.resolved || '');
  check(
    fromRegistry && !undici.dev && !undici.optional,
    `undici ${undici.version} came from the registry as a runtime dependency`,
    JSON.stringify(undici),
  );
  check(/^file:/.test((lock.packages[`node_modules/${pkg.name}`] || {}).resolved || ''), `${pkg.name} came from the tarball`);
  const installed = path.join(userDir, 'node_modules', pkg.name);
  check(fs.existsSync(path.join(userDir, 'node_modules', '.bin', 'webtapi-sim')), 'the webtapi-sim command is linked');
  check(!fs.existsSync(path.join(installed, 'node_modules')), 'no nested node_modules in the installed package');
}

/** The admin API of a running Node-RED at `base`: JSON when the answer is JSON. */
function adminApi(base) {
  return async (method, p, body, headers = {}) => {
    const res = await fetch(`${base}${p.replace(/^\//, '')}`, {
      method,
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, type: res.headers.get('content-type') || '' };
  };
}

/** 4a. GET /nodes: all our types (as package.json declares them), loaded, no error, listed as the user's module. */
async function checkNodeSets(api) {
  const nodes = await api('GET', '/nodes');
  check(nodes.status === 200 && Array.isArray(nodes.json), 'GET /nodes answers a node set list', nodes.status);
  const ours = (nodes.json || []).filter((s) => s.module === pkg.name);
  const types = ours.flatMap((s) => s.types).sort();
  check(same(types, [...TYPES].sort()), `all ${TYPES.length} types registered (${types.length})`, `got: ${types.join(', ')}`);
  const broken = ours.filter((s) => s.err || s.enabled === false || s.loaded === false);
  check(
    ours.length > 0 && broken.length === 0,
    'no node set with a load error',
    JSON.stringify(broken.map((s) => ({ id: s.id, err: s.err }))),
  );
  check(
    ours.every((s) => s.version === pkg.version),
    `node sets report version ${pkg.version}`,
  );
  const mod = await api('GET', `/nodes/${pkg.name}`);
  check(
    mod.status === 200 && mod.json && mod.json.version === pkg.version,
    `GET /nodes/${pkg.name}: module ${pkg.version}`,
    mod.text.slice(0, 300),
  );
  check(
    !!mod.json && mod.json.local === true && mod.json.user === true,
    "listed as the user's installed module (palette manager)",
    JSON.stringify(mod.json && { local: mod.json.local, user: mod.json.user }),
  );
}

/** Fetches every path under `base`; logs and answers false when one is not served as `accept(body)` wants. */
async function allServed(base, paths, accept = () => true) {
  let ok = true;
  for (const p of paths) {
    const r = await fetch(`${base}${p}`);
    const body = await r.text();
    if (!r.ok || !accept(body)) {
      ok = false;
      log(`   ${p}: HTTP ${r.status}`);
    }
  }
  return ok;
}

/** 4b. The editor HTML of every type, its icons, the resources/ files and a message catalogue. */
async function checkEditorFiles(api, base, tarball) {
  const html = await api('GET', '/nodes', undefined, { accept: 'text/html' });
  const missing = TYPES.filter((t) => !html.text.includes(`registerType('${t}'`) && !html.text.includes(`registerType("${t}"`));
  check(html.status === 200 && missing.length === 0, 'editor HTML of every type is served', `missing: ${missing.join(', ')}`);
  const iconList = await api('GET', '/icons');
  const listedIcons = ((iconList.json || {})[pkg.name] || []).slice().sort();
  check(
    same(listedIcons, tarball.icons),
    `GET /icons lists the packed icons (${listedIcons.length})`,
    `listed: ${listedIcons.join(', ')}; packed: ${tarball.icons.join(', ')}`,
  );
  const referenced = [...new Set([...html.text.matchAll(/icon:\s*['"](webtapi-[^'"]+)['"]/g)].map((m) => m[1]))];
  const unlisted = referenced.filter((i) => !listedIcons.includes(i));
  check(
    referenced.length > 0 && unlisted.length === 0,
    `every webtapi icon the editor HTML names is there (${referenced.length})`,
    `missing: ${unlisted.join(', ')}`,
  );
  const iconsOk = await allServed(
    base,
    listedIcons.map((i) => `icons/${pkg.name}/${i}`),
    (body) => body.includes('<svg'),
  );
  check(listedIcons.length > 0 && iconsOk, 'every icon is served as SVG');
  // A module's resources/ folder is served at /resources/<module>/ (editor scripts the HTML loads).
  check(
    await allServed(
      base,
      tarball.resources.map((r) => `resources/${pkg.name}/${r}`),
    ),
    `every packed resources/ file is served (${tarball.resources.length})`,
  );
  const cat = await api('GET', `/locales/${pkg.name}/webtapi-config?lng=en-US`);
  check(
    cat.status === 200 && cat.json && typeof cat.json === 'object' && Object.keys(cat.json).length > 0,
    'the webtapi-config message catalogue is served (en-US)',
    cat.text.slice(0, 200),
  );
}

/** 5. The examples (Import > Examples): listed, and each opens as a flow with our nodes. */
async function checkExamples(api, tarball) {
  const modules = await api('GET', '/library/examples/flows/');
  check(
    Array.isArray(modules.json) && modules.json.includes(pkg.name),
    `GET /library/examples/flows/ lists ${pkg.name}`,
    modules.text.slice(0, 300),
  );
  const entry = await api('GET', `/library/examples/flows/${pkg.name}`);
  // Node-RED 4 and 5 answer [{ fn }], older ones { f: [...] }.
  const listed = (Array.isArray(entry.json) ? entry.json.map((e) => e.fn) : (entry.json && entry.json.f) || []).slice().sort();
  check(
    same(listed, tarball.examples),
    `every example is listed (${listed.length})`,
    `listed: ${listed.join(' | ')}\npacked: ${tarball.examples.join(' | ')}`,
  );
  let readable = listed.length > 0;
  for (const name of listed) {
    const flow = await api('GET', `/library/examples/flows/${pkg.name}/${encodeURIComponent(name)}`);
    const ok = flow.status === 200 && Array.isArray(flow.json) && flow.json.some((n) => TYPES.includes(n.type));
    if (!ok) {
      readable = false;
      log(`   ${name}: HTTP ${flow.status} ${flow.text.slice(0, 120)}`);
    }
  }
  check(readable, 'every example opens as a flow that uses our nodes');
}

function packFlow(sim) {
  return [
    { id: 'pk-tab', type: 'tab', label: 'pack test' },
    {
      id: 'pk-cfg',
      type: 'webtapi-config',
      name: 'sim',
      url: sim.url,
      timeout: 5000,
      concurrency: 2,
      credentials: { username: '1004', password: PASSWORD },
    },
    {
      id: 'pk-inject',
      type: 'inject',
      z: 'pk-tab',
      name: 'door',
      props: [{ p: 'payload' }],
      payload: 'on',
      payloadType: 'str',
      repeat: '',
      once: false,
      wires: [['pk-relay']],
    },
    {
      id: 'pk-relay',
      type: 'webtapi-relay-set',
      z: 'pk-tab',
      name: 'door relay',
      server: 'pk-cfg',
      relay: '17',
      relayType: 'str',
      status: 'on',
      statusType: 'str',
      pulse: 0,
      wires: [[]],
    },
  ];
}

/** 6. POST /flows with credentials, POST /inject/<id>: the relay switches on the installed simulator. */
async function checkDeploy(api, userDir, sim) {
  check(sim.state.relays.get('17').status === 0, 'simulator from the installed package: relay 17 is off');
  const deployed = await api('POST', '/flows', packFlow(sim), { 'Node-RED-Deployment-Type': 'full' });
  check(deployed.status === 200 || deployed.status === 204, `POST /flows: HTTP ${deployed.status}`, deployed.text.slice(0, 300));
  const onDisk = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
  check(onDisk.includes('webtapi-relay-set') && !onDisk.includes(PASSWORD), 'flows.json has the flow and not the password');
  const credFile = path.join(userDir, 'flows_cred.json');
  check(
    fs.existsSync(credFile) && !fs.readFileSync(credFile, 'utf8').includes(PASSWORD),
    'credentials stored encrypted in flows_cred.json',
  );
  const before = sim.stats.executed.relay_status_set || 0;
  // POST /flows answers before the new flows have started: until then the inject node is
  // unknown (404). A 200 means it was found and triggered, once.
  const injected = await until(
    async () => {
      const r = await api('POST', '/inject/pk-inject');
      return r.status === 404 ? false : r;
    },
    { what: 'the inject node is running', timeoutMs: 15_000, everyMs: 25 },
  ).catch((err) => ({ status: 0, text: err.message }));
  check(injected.status === 200, `POST /inject/pk-inject: HTTP ${injected.status}`, injected.text.slice(0, 200));
  await until(() => (sim.stats.executed.relay_status_set || 0) > before, {
    what: 'relay_status_set executed',
    timeoutMs: 15_000,
    everyMs: 25,
  }).then(
    () => check(true, `sim.stats.executed.relay_status_set = ${sim.stats.executed.relay_status_set}`),
    (err) => check(false, 'the relay-set node switched the relay', err.message),
  );
  check(sim.state.relays.get('17').status === 1, 'relay 17 is on');
  check(sim.stats.logins >= 1 && sim.stats.loginFailures === 0, `logged in with the deployed credentials (${sim.stats.logins} login)`);
}

/** 7. Nothing from our module at warn or error level, and never the password. */
function checkLog(text) {
  const errors = text.split('\n').filter((l) => /\[(error|warn)\]/.test(l) && /webtapi|metasec/i.test(l));
  check(errors.length === 0, 'no error or warning from our module in the Node-RED log', errors.join('\n'));
  check(!text.includes(PASSWORD), 'the password never appears in the Node-RED log');
}

async function runInstalled(userDir, tarball, running) {
  running.red = await stage('start Node-RED (node-red --userDir <tmp> --port 0)', async () => {
    // The package as npm installed it from the tarball, not the working tree's links.
    const red = await startChild({ userDir, install: false, credentialSecret: 'pack-test-only' });
    log(`   Node-RED ${red.version} listening at ${red.url}`);
    return red;
  });
  const api = adminApi(running.red.url);
  await stage('GET /nodes, editor files, icons, catalogues', async () => {
    await checkNodeSets(api);
    await checkEditorFiles(api, running.red.url, tarball);
  });
  await stage('examples listed and readable', () => checkExamples(api, tarball));
  await stage('POST /flows, POST /inject/<id> -> relay switched on the simulator', async () => {
    const { startSimulator } = require(path.join(userDir, 'node_modules', pkg.name, 'dist', 'simulator'));
    running.sim = await startSimulator({ port: 0, host: '127.0.0.1' });
    await checkDeploy(api, userDir, running.sim);
  });
  checkLog(running.red.output());
}

async function stopAll(running) {
  await stage('stop Node-RED and the simulator', async () => {
    if (running.red) {
      const exit = await running.red.stop();
      check(exit.signal !== 'SIGKILL', 'Node-RED stops on SIGINT', JSON.stringify(exit));
    }
    if (running.sim) await running.sim.close();
  });
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-pack-'));
  const userDir = path.join(work, 'userdir');
  fs.mkdirSync(userDir);
  const running = { red: null, sim: null };
  try {
    const tarball = await stage('npm pack (runs the prepare build)', () => packTarball(work));
    await stage('npm install <tarball> into a fresh Node-RED user directory', () => installTarball(userDir, tarball));
    await runInstalled(userDir, tarball, running);
  } finally {
    await stopAll(running);
    if (report.failed && running.red)
      process.stdout.write(`\n[pack-test] Node-RED output (last 4000 characters):\n${running.red.output().slice(-4000)}\n`);
    if (keep) log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

report.run(main);
