// What the benchmark prints and asserts: the targets (timing goals, printed as pass/MISS), the
// functional checks (every message answered, the PBX request counts: a failure exits 1, in
// --smoke too), and the tables. The package is measured against the Node-RED floor (a bare node
// sending the same raw request): that is what the package adds inside Node-RED. The raw undici
// loop outside Node-RED is shown as a reference.
'use strict';
const { median, table, fixed, MiB } = require('./lib');

const NAMES_OUT = {
  raw: 'raw undici loop (reference)',
  nodeRedFloor: 'Node-RED floor (a node doing the raw request)',
  node: 'webtapi-call node',
  coreKeepAlive: 'function + http request (keep-alive)',
  coreDefault: 'function + http request (default)',
};

/**
 * What an added phase contributes besides its figures: a result may carry `targets` (rows as
 * targets() builds them), `failures` (strings: functional failures) and `summary` (one line).
 */
function contributions(r) {
  return Object.entries(r).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v) && (v.targets || v.failures || v.summary));
}

/** PBX requests each path of a phase must cost: one per message (no probe, retry or extra login). */
function requestCounts(r) {
  const rows = [];
  for (const phase of ['throughput', 'latency']) {
    for (const [k, v] of Object.entries(r[phase] ?? {}))
      rows.push([`${phase} ${k}`, v.simRequests, phase === 'throughput' ? v.messages : v.n]);
  }
  if (r.warmup)
    rows.push([r.warmup.logins ? 'warm-up (messages + login)' : 'warm-up', r.warmup.simRequests, r.warmup.messages + r.warmup.logins]);
  if (r.memory) rows.push(['memory', r.memory.simRequests, r.memory.messages]);
  if (r.cold) rows.push(['cold start (messages + 1 login)', r.cold.simRequests, r.cold.messages + 1]);
  if (r.camera) rows.push(['camera', r.camera.pbxRequests, r.camera.images]);
  if (r.polling) rows.push(['polling (one per poll)', r.polling.pbxRequests, r.polling.polls]);
  return rows.map(([what, got, want]) => ({ what, got, want }));
}

function targets(r) {
  const t = [];
  const add = (name, value, goal, pass, unit = '') => t.push({ name, value, goal, pass, unit });
  const q = r.ratios ?? {};
  if (q.nodeVsFloor !== undefined)
    add('throughput node / Node-RED floor (median of rounds)', q.nodeVsFloor, '>= 0.9', q.nodeVsFloor >= 0.9, 'x');
  if (q.cpuNodeVsFloor !== undefined)
    add('CPU per message node / Node-RED floor (median of rounds)', q.cpuNodeVsFloor, '<= 1.15', q.cpuNodeVsFloor <= 1.15, 'x');
  if (q.nodeVsCoreKeepAlive !== undefined)
    add(
      'throughput node / core http request, keep-alive (median of rounds)',
      q.nodeVsCoreKeepAlive,
      '>= 1.5',
      q.nodeVsCoreKeepAlive >= 1.5,
      'x',
    );
  if (q.nodeVsCoreDefault !== undefined)
    add('throughput node / core http request, default (median of rounds)', q.nodeVsCoreDefault, '>= 1.5', q.nodeVsCoreDefault >= 1.5, 'x');
  const added = r.latency?.node?.addedP50OverFloorMs;
  if (added !== undefined) add('added p50 latency (node - floor), 1 in flight', added, '<= 0.05 ms', added <= 0.05, 'ms');
  if (r.logins) add('logins during the whole run', r.logins.client, '= 1', r.logins.client === 1);
  if (r.cold)
    add(
      `cold start: logins for ${r.cold.messages} messages at once`,
      r.cold.clientLogins,
      '= 1',
      r.cold.clientLogins === 1 && r.cold.ok === r.cold.messages,
    );
  const counts = requestCounts(r);
  if (counts.length)
    add(
      'PBX requests as expected (table above), phases and paths',
      `${counts.filter((c) => c.got === c.want).length} of ${counts.length}`,
      'all',
      counts.every((c) => c.got === c.want),
    );
  if (r.polling)
    add('polling: PBX requests per poll (10 nodes x 50 ext)', r.polling.requestsPerPoll, '= 1', r.polling.requestsPerPoll === 1);
  if (r.memory)
    add(`heap growth after ${r.memory.messages} messages`, r.memory.heapGrowthMiB, '< 10 MiB', r.memory.heapGrowthMiB < 10, 'MiB');
  if (r.memory) add(`RSS growth after ${r.memory.messages} messages`, r.memory.rssGrowthMiB, '< 10 MiB', r.memory.rssGrowthMiB < 10, 'MiB');
  if (r.camera)
    add(
      'camera: large Buffer allocations per image',
      r.camera.copiesPerImage,
      '<= 1',
      r.camera.copiesPerImage <= 1 && r.camera.base64Conversions === 0,
    );
  if (r.camera)
    add(
      'camera: heap + arrayBuffers growth over the run (after GC)',
      r.camera.heldGrowthMiB,
      '< 10 MiB',
      r.camera.heldGrowthMiB < 10,
      'MiB',
    );
  if (r.camera)
    add('camera: RSS trend (max of 2nd half - max of 1st half)', r.camera.rssTrendMiB, '< 10 MiB', !(r.camera.rssTrendMiB >= 10), 'MiB');
  if (r.load) add('package load time in Node-RED', r.load.packageMs, '< 100 ms', r.load.packageMs < 100, 'ms');
  for (const [, extra] of contributions(r)) t.push(...(extra.targets ?? []));
  return t;
}

/** Functional checks only (no timing): every message answered, one login, the PBX request counts. */
function functionalFailures(r) {
  const f = [];
  for (const [k, v] of Object.entries(r.throughput ?? {})) if (v.errors) f.push(`throughput ${k}: ${v.errors} errors`);
  for (const [k, v] of Object.entries(r.latency ?? {})) if (v.errors) f.push(`latency ${k}: ${v.errors} errors`);
  if (r.cold && r.cold.ok !== r.cold.messages) f.push(`cold start: ${r.cold.messages - r.cold.ok} failed`);
  if (r.logins && r.logins.client !== 1) f.push(`logins: ${r.logins.client}`);
  if (r.memory && r.memory.errors) f.push(`memory run: ${r.memory.errors} errors`);
  if (r.camera && (r.camera.errors || r.camera.nonBufferPayloads))
    f.push(`camera: ${r.camera.errors} errors, ${r.camera.nonBufferPayloads} non-Buffer payloads`);
  for (const c of requestCounts(r)) if (c.got !== c.want) f.push(`${c.what}: ${c.got} PBX requests, expected ${c.want}`);
  if (r.polling && r.polling.initialMessages !== r.polling.expectedInitialMessages)
    f.push(`polling: ${r.polling.initialMessages} initial messages, expected ${r.polling.expectedInitialMessages}`);
  for (const [name, extra] of contributions(r)) f.push(...(extra.failures ?? []).map((x) => `${name}: ${x}`));
  return f;
}

/** A ratio of per-round lists, median over the rounds (NaN when the base did not run). */
function perRound(v, base, key) {
  return base && base[key] ? median(v[key].map((x, i) => x / base[key][i])) : NaN;
}

function printThroughput(r, out) {
  out.push(
    `Throughput, ${r.concurrency} in flight (${Object.values(r.throughput)[0].messages} messages each, ${r.settings.rounds} interleaved rounds)`,
  );
  const rows = [
    [
      'competitor',
      'msg/s',
      'vs floor',
      'vs floor (median of rounds)',
      'CPU µs/msg (user+sys)',
      'CPU vs floor',
      'CPU vs floor (median of rounds)',
      'vs raw (median of rounds)',
      'CPU vs raw (median of rounds)',
      'sleeps/msg',
      'PBX CPU µs/msg',
      'PBX req/msg',
      'errors',
    ],
  ];
  const floor = r.throughput.nodeRedFloor ?? {};
  const raw = r.throughput.raw;
  for (const [k, v] of Object.entries(r.throughput)) {
    rows.push([
      NAMES_OUT[k],
      fixed(v.perSecond, 0),
      fixed(v.perSecond / floor.perSecond),
      fixed(perRound(v, floor, 'perSecondRounds')),
      `${fixed(v.cpuUsPerMessage, 1)} (${fixed(v.cpuUserUsPerMessage, 0)}+${fixed(v.cpuSysUsPerMessage, 0)})`,
      fixed(v.cpuUsPerMessage / floor.cpuUsPerMessage),
      fixed(perRound(v, floor, 'cpuUsPerMessageRounds')),
      fixed(perRound(v, raw, 'perSecondRounds')),
      fixed(perRound(v, raw, 'cpuUsPerMessageRounds')),
      fixed(v.sleepsPerMessage, 2),
      fixed(v.simCpuUsPerMessage, 1),
      fixed(v.requestsPerMessage, 3),
      v.errors,
    ]);
  }
  out.push(table(rows));
  if (r.ratios?.cpuUsNodeOverFloor !== undefined)
    out.push(
      `The node costs ${fixed(r.ratios.cpuUsNodeOverFloor, 1)} µs CPU per message more than the Node-RED floor (median of rounds ${fixed(r.ratios.cpuNodeVsFloor)}x) and reaches ${fixed(r.ratios.nodeVsFloor)}x its throughput.`,
    );
  out.push('');
}

function printLatency(r, out) {
  out.push(`Latency at 1 in flight (${Object.values(r.latency)[0].n} messages each)`);
  const rows = [
    [
      'competitor',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'added p50 ms vs floor',
      'added p99 ms vs floor',
      'added p50 ms vs raw',
      'CPU µs/msg',
      'CPU vs floor',
      'sleeps/msg',
      'PBX CPU µs/msg',
    ],
  ];
  const floorCpu = r.latency.nodeRedFloor?.cpuUsPerMessage;
  for (const [k, v] of Object.entries(r.latency)) {
    const over = (x) => (x === undefined ? '' : fixed(x, 3));
    rows.push([
      NAMES_OUT[k],
      fixed(v.p50Ms, 3),
      fixed(v.p90Ms, 3),
      fixed(v.p99Ms, 3),
      over(v.addedP50OverFloorMs),
      over(v.addedP99OverFloorMs),
      over(v.addedP50Ms),
      fixed(v.cpuUsPerMessage, 1),
      fixed(v.cpuUsPerMessage / floorCpu),
      fixed(v.sleepsPerMessage, 2),
      fixed(v.simCpuUsPerMessage, 1),
    ]);
  }
  out.push(table(rows), '');
}

function miscRows(r) {
  const misc = [['figure', 'value']];
  if (r.cold)
    misc.push([
      `cold start: ${r.cold.messages} messages at once`,
      `${r.cold.ok} ok in ${fixed(r.cold.ms, 0)} ms, ${r.cold.clientLogins} login, ${r.cold.simRequests} PBX requests`,
    ]);
  if (r.logins)
    misc.push([
      'logins by the package, whole run',
      `${r.logins.client} (simulator saw ${r.logins.simulatorTotal}, ${r.logins.harness} of them the benchmark's own)`,
    ]);
  const p = r.polling;
  if (p)
    misc.push([
      `polling: ${p.watchNodes} nodes x ${p.extensionsEach} ext, every ${p.intervalMs} ms`,
      `${p.polls} polls in ${fixed(p.seconds, 1)} s, ${fixed(p.requestsPerPoll, 2)} PBX req/poll, ${fixed(p.requestsPerInterval, 2)} req/interval, ${fixed(p.cpuUsPerPoll, 0)} µs CPU/poll (${fixed(p.cpuUserUsPerPoll, 0)} user + ${fixed(p.cpuSysUsPerPoll, 0)} sys), ${p.initialMessages} initial msgs`,
    ]);
  const m = r.memory;
  if (m)
    misc.push([
      `memory: ${m.messages} messages`,
      `heap ${fixed(m.afterWarmup.heapUsed / MiB, 1)} -> ${fixed(m.afterMessages.heapUsed / MiB, 1)} MiB (${fixed(m.heapGrowthMiB, 2)}), RSS ${fixed(m.afterWarmup.rss / MiB, 1)} -> ${fixed(m.afterMessages.rss / MiB, 1)} MiB (${fixed(m.rssGrowthMiB, 2)})`,
    ]);
  const c = r.camera;
  if (c) {
    misc.push([
      `camera: ${c.images} x ${c.imageBytes / 1024} KiB at ${c.ratePerSecond}/s`,
      `${c.ok} ok, p50 ${fixed(c.latencyP50Ms, 1)} ms, ${fixed(c.copiesPerImage, 2)} large allocations/image, ${c.base64Conversions} base64, heap+arrayBuffers after GC ${fixed((c.start.heapUsed + c.start.arrayBuffers) / MiB, 1)} -> ${fixed((c.end.heapUsed + c.end.arrayBuffers) / MiB, 1)} MiB, RSS ${fixed(c.start.rss / MiB, 1)} -> ${fixed(c.end.rss / MiB, 1)} MiB (max ${fixed(c.rssMaxMiB, 1)}, trend ${fixed(c.rssTrendMiB, 1)}), arrayBuffers max ${fixed(c.arrayBuffersMaxMiB, 1)} MiB`,
    ]);
    for (const [site, n] of Object.entries(c.allocationSites)) misc.push(['  allocated at', `${n} x ${site}`]);
  }
  const l = r.load;
  if (l)
    misc.push([
      'load time (median)',
      `package ${fixed(l.packageMs, 1)} ms (require ${fixed(l.requireMs, 1)} + register ${fixed(l.initMs, 1)}), ${l.nodeTypes} node types; Node-RED start ${fixed(l.startWithMs, 0)} ms with${l.startWithoutMs !== null ? `, ${fixed(l.startWithoutMs, 0)} ms without` : ''}`,
    ]);
  for (const [name, extra] of contributions(r)) if (extra.summary) misc.push([name, extra.summary]);
  if (r.auditLogLines !== undefined) misc.push(['audit log lines (info)', String(r.auditLogLines)]);
  return misc;
}

function print(r) {
  const out = [];
  const m = r.machine;
  out.push(
    `Machine: ${m.nproc} CPUs (${m.cpu}), Node ${m.node}, Node-RED ${m.nodeRed}, undici ${m.undici}, load average at start ${m.loadAverage.join(' ')}`,
  );
  out.push(`Simulator: ${m.simulator}. Concurrency ${r.concurrency}.${r.smoke ? ' SMOKE RUN: figures are not meaningful.' : ''}`);
  out.push('');
  if (r.throughput) printThroughput(r, out);
  if (r.latency) printLatency(r, out);
  out.push(table(miscRows(r)), '');
  const counts = requestCounts(r);
  if (counts.length)
    out.push(
      'PBX requests (asserted)',
      table([['phase, path', 'PBX requests', 'expected'], ...counts.map((c) => [c.what, c.got, c.want])]),
      '',
    );
  const shown = (t) =>
    typeof t.value === 'number'
      ? `${fixed(t.value, t.unit === 'x' ? 2 : 3)}${t.unit && t.unit !== 'x' ? ` ${t.unit}` : t.unit}`
      : String(t.value);
  out.push('Targets');
  out.push(
    table([
      ['target', 'goal', 'measured', 'result'],
      ...r.targets.map((t) => [t.name, t.goal, shown(t), t.pass ? 'pass' : r.smoke ? 'miss (smoke)' : 'MISS']),
    ]),
  );
  out.push('', `Total ${fixed(r.totalSeconds, 1)} s.`);
  return out.join('\n');
}

module.exports = { targets, functionalFailures, print };
