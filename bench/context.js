// What every phase of the benchmark runs against: the simulated PBX in its own process, one
// embedded Node-RED with the bench flow deployed, the raw undici loop, and the routing that hands
// each sink's message back to the operation waiting for it. See bench/README.md ("The set-up").
'use strict';
const path = require('node:path');
const { Pool, request } = require('undici');
const { SimProcess, closedLoop } = require('./lib');
const { startNodeRed } = require('./runtime');
const { CONTRACT_DEFAULTS } = require('../scripts/lib/contract-defaults');

const USER = '1004';
const PASSWORD = 'secret';
const IMAGE_BYTES = 500 * 1024;
const EXTENSIONS = Array.from({ length: 600 }, (_, i) => String(1001 + i));
const DST = '1001';

function progress(text) {
  process.stderr.write(`[bench] ${text}\n`);
}

/** Flow nodes need a position (without one Node-RED takes them for config nodes). */
function placed(nodes) {
  let y = 0;
  return nodes.map((n) => (n.z ? { x: 200, y: (y += 40), ...n } : n));
}

/** The core flow's function node builds the URL of a call_prio request, from the session id kept in flow context. */
const BUILD_URL =
  "msg.url = flow.get('webtapiUrl') + '?SID=' + encodeURIComponent(flow.get('webtapiSid')) + '&action=call_prio&dst=' + encodeURIComponent(msg.payload);\nreturn msg;";

function buildUrlNode(id, next) {
  return {
    id,
    z: 'tab',
    type: 'function',
    name: 'build URL',
    func: BUILD_URL,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    wires: [[next]],
  };
}

/** The core http request node (GET, text), keep-alive on or off (`persist`). */
function httpRequest(id, persist, next) {
  return {
    id,
    z: 'tab',
    type: 'http request',
    name: '',
    method: 'GET',
    ret: 'txt',
    paytoqs: 'ignore',
    url: '',
    tls: '',
    persist,
    proxy: '',
    insecureHTTPParser: false,
    authType: '',
    senderr: false,
    headers: [],
    wires: [[next]],
  };
}

function sink(id) {
  return { id, z: 'tab', type: 'bench-sink', wires: [] };
}

/**
 * The flow: the node under test, the Node-RED floor, the core http-request flow (twice: keep-alive
 * on and off), the camera node and a catch node, each ending in a bench-sink that hands the
 * message back here. The session id of the core flow is "obtained once" and kept in flow context,
 * as users do.
 */
function benchFlow(url, concurrency) {
  return placed([
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'cfg', type: 'webtapi-config', name: 'pbx', url, tls: '', timeout: 10000, concurrency },
    // call_prio: the PBX hangs up dst's channels before ringing it again, so the simulator's state
    // stays the same size however many messages run (a `call` would add two channels each time).
    // The other properties as the editor saves a new call node (docs/nodes.md's defaults).
    {
      id: 'call',
      z: 'tab',
      type: 'webtapi-call',
      ...CONTRACT_DEFAULTS['webtapi-call'],
      server: 'cfg',
      mode: 'prio',
      wires: [['sinkCall']],
    },
    sink('sinkCall'),
    { id: 'floor', z: 'tab', type: 'bench-raw', name: '', wires: [['sinkFloor']] },
    sink('sinkFloor'),
    buildUrlNode('fnKeep', 'httpKeep'),
    httpRequest('httpKeep', true, 'sinkKeep'),
    sink('sinkKeep'),
    buildUrlNode('fnDefault', 'httpDefault'),
    httpRequest('httpDefault', false, 'sinkDefault'),
    sink('sinkDefault'),
    {
      id: 'cam',
      z: 'tab',
      type: 'webtapi-cam-snapshot',
      name: '',
      server: 'cfg',
      camera: '44',
      cameraType: 'str',
      operation: 'picture',
      output: 'buffer',
      wires: [['sinkCam']],
    },
    sink('sinkCam'),
    { id: 'catchAll', z: 'tab', type: 'catch', name: '', scope: null, uncaught: false, wires: [['sinkErr']] },
    sink('sinkErr'),
  ]);
}

/** What every sink checks: the answer the competitor gives when the PBX said "1". */
const SINK_OK = {
  sinkCall: (m) => m.payload === true,
  sinkFloor: (m) => m.payload === true,
  sinkKeep: (m) => m.statusCode === 200 && typeof m.payload === 'string' && m.payload.trim() === '1',
  sinkDefault: (m) => m.statusCode === 200 && typeof m.payload === 'string' && m.payload.trim() === '1',
  sinkCam: (m) => Buffer.isBuffer(m.payload) && m.payload.length >= IMAGE_BYTES,
};

async function login(url) {
  const res = await request(`${url}?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `action=login&AUTH%5Buser%5D=${USER}&AUTH%5Bpass%5D=${PASSWORD}`,
  });
  const sid = (await res.body.text()).trim();
  if (!sid || sid === '0') throw new Error('the benchmark could not log in to the simulator');
  return sid;
}

/**
 * Message routing: every sink hands its message to the one waiting for it (`msg.benchId`); a
 * bench-sink with no waiting operation (the watch nodes') is counted in `unrouted[id]`.
 */
function router() {
  const waiting = new Map();
  const unrouted = {};
  const errorsSeen = [];
  let nextId = 0;
  return {
    errorsSeen,
    unrouted,
    /** Registers `done(ok, msg)` for a new message id. */
    expect(done) {
      const id = ++nextId;
      waiting.set(id, done);
      return id;
    },
    onSink(id, msg) {
      const cb = waiting.get(msg.benchId);
      if (!cb) {
        unrouted[id] = (unrouted[id] || 0) + 1;
        return;
      }
      waiting.delete(msg.benchId);
      if (id === 'sinkErr') {
        if (errorsSeen.length < 5) errorsSeen.push(`${msg.error?.source?.type}: ${msg.error?.message}`);
        cb(false, msg);
      } else cb(SINK_OK[id] ? SINK_OK[id](msg) : false, msg);
    },
  };
}

/** Node-RED with the bench flow deployed, the flow context of the core flow set, log lines counted. */
async function startRuntime(url, sid, concurrency) {
  const logLines = { info: 0, audit: 0 };
  const rt = await startNodeRed({
    nodesDir: path.join(__dirname, 'nodes'),
    onLog: (e) => {
      if (e.level === 40) logLines.info++;
      if (e.level === 40 && typeof e.msg === 'string' && e.msg.startsWith('audit ')) logLines.audit++;
    },
  });
  const flows = benchFlow(url, concurrency);
  await rt.deploy(flows, 'full', { cfg: { username: USER, password: PASSWORD } });
  for (const id of ['fnKeep', 'fnDefault']) {
    const ctx = rt.node(id).context().flow;
    ctx.set('webtapiUrl', url);
    ctx.set('webtapiSid', sid);
  }
  return { rt, flows, logLines };
}

/**
 * Starts everything and answers the context the phases get:
 *   P, C                  the settings and the concurrency
 *   rt, cfg               the Node-RED handle and the config node
 *   simStats()            the simulator's counters and CPU (from its process)
 *   competitors           name -> startOne(i, done) for closedLoop, the ones selected
 *   block(name, n, c)     one measured closed loop plus the PBX's side of it
 *   send(nodeId, payload) a message into a flow node; resolves with { ok, msg } at its sink
 *   addFlows(nodes)       deploys more nodes (a "modified nodes" deploy: the config node keeps its session)
 *   route                 the sink routing (unrouted counts, error samples)
 *   results               what the phases measured so far
 */
async function startBench({ P, C, only, results }) {
  progress('starting the simulator process');
  const sim = new SimProcess();
  const ctx = { P, C, results, sim, progress, rt: null, pool: null, IMAGE_BYTES, EXTENSIONS };
  try {
    const { url } = await sim.call('start', {
      options: { port: 0, extensions: EXTENSIONS, imageBytes: IMAGE_BYTES, users: { [USER]: PASSWORD } },
    });
    ctx.url = url;
    ctx.simStats = () => sim.call('stats');
    // The session of the raw loop and of the core flow: obtained once.
    const sid = await login(url);
    const target = new URL(url);
    const rawPath = `${target.pathname}?SID=${encodeURIComponent(sid)}&action=call_prio&dst=${DST}`;
    ctx.pool = new Pool(target.origin, { connections: C, pipelining: 1, keepAliveTimeout: 4_000 });
    const rawRequest = () =>
      ctx.pool
        .request({ path: rawPath, method: 'GET', headers: { accept: '*/*' } })
        .then((res) => res.body.text().then((text) => res.statusCode === 200 && text.trim() === '1'));
    ctx.route = router();
    globalThis.__webtapiBench = { rawRequest, onSink: ctx.route.onSink };
    ctx.beforeDeploy = await ctx.simStats();
    progress('starting Node-RED');
    Object.assign(ctx, await startRuntime(url, sid, C));
    ctx.cfg = ctx.rt.node('cfg');
    wireOperations(ctx, rawRequest, only);
    return ctx;
  } catch (err) {
    await stopBench(ctx);
    throw err;
  }
}

function wireOperations(ctx, rawRequest, only) {
  const viaFlow = (entryId, payload) => (_i, done) => {
    ctx.rt.node(entryId).receive({ payload, benchId: ctx.route.expect(done) });
  };
  const all = {
    raw: (_i, done) => {
      rawRequest().then(done, () => done(false));
    },
    nodeRedFloor: viaFlow('floor', DST),
    node: viaFlow('call', DST),
    coreKeepAlive: viaFlow('fnKeep', DST),
    coreDefault: viaFlow('fnDefault', DST),
  };
  ctx.all = all;
  ctx.competitors = Object.fromEntries(Object.entries(all).filter(([k]) => !only || only.has(k)));
  ctx.send = (nodeId, payload) =>
    new Promise((resolve) => {
      ctx.rt.node(nodeId).receive({ payload, benchId: ctx.route.expect((ok, msg) => resolve({ ok, msg })) });
    });
  ctx.block = async (name, n, concurrency) => {
    const s0 = await ctx.simStats();
    const r = await closedLoop(n, concurrency, all[name], { label: name });
    const s1 = await ctx.simStats();
    r.simCpuUs = s1.cpu.user + s1.cpu.system - (s0.cpu.user + s0.cpu.system);
    r.simRequests = s1.stats.requests - s0.stats.requests;
    r.simLogins = s1.stats.logins - s0.stats.logins;
    if (r.errors) progress(`${name}: ${r.errors} errors (${ctx.route.errorsSeen.join('; ')})`);
    return r;
  };
  ctx.addFlows = async (nodes) => {
    ctx.flows = [...ctx.flows, ...placed(nodes)];
    await ctx.rt.deploy(ctx.flows, 'nodes');
  };
}

async function stopBench(ctx) {
  if (ctx.rt) await ctx.rt.stop().catch((e) => progress(`stopping Node-RED: ${e.message}`));
  if (ctx.pool) await ctx.pool.destroy().catch(() => undefined);
  await ctx.sim.close();
}

module.exports = { startBench, stopBench, progress, placed };
