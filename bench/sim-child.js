// The simulated PBX in its own process, so the benchmark's CPU figures (process.cpuUsage of the
// parent) hold the client side only and the PBX gets its own core. Driven over IPC (SimProcess in
// bench/lib.js) by bench/run.js, bench/mjpeg.js and bench/scale.js
// (startMany: several PBXs in this process).
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { startSimulator } = require(path.join(__dirname, '..', 'dist', 'simulator'));
const { messageOf } = require(path.join(__dirname, '..', 'dist', 'client'));

let sim = null;
/** Several PBXs in this one process (bench/scale.js): each its own server on its own port. */
let many = [];

function reply(id, result, error) {
  if (process.connected) process.send({ id, result, error });
}

/**
 * The PBX (bench/push.js): the call on `ext` ends, a new one rings it; answers its channel and when it rang
 * (ms, comparable across processes).
 */
function step(ext, from) {
  for (const c of sim.state.channelsOf(ext)) if (sim.state.channels.has(c.name)) sim.hangup(c.name);
  const channel = sim.ring(ext, from);
  return { channel, at: performance.timeOrigin + performance.now() };
}

/** `perUrl` pushes to each of `urls`, at most `perSecond` per URL (a dialplan's pace); answers the statuses. */
async function pushes(urls, perUrl, perSecond) {
  const statuses = {};
  const gap = 1000 / perSecond;
  const started = performance.now();
  for (let i = 0; i < perUrl; i++) {
    const answers = await Promise.all(
      urls.map((u) =>
        fetch(`${u}?event=bench&n=${i}`).then(
          (r) => r.arrayBuffer().then(() => r.status),
          () => 0,
        ),
      ),
    );
    for (const s of answers) statuses[s] = (statuses[s] || 0) + 1;
    const wait = started + (i + 1) * gap - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return { statuses };
}

process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  Promise.resolve()
    .then(async () => {
      switch (m.cmd) {
        case 'start':
          sim = await startSimulator(m.options);
          // The camera stream's pace and frames (bench/mjpeg.js), as the simulator's control API sets them.
          if (m.stream) Object.assign(sim.stream, m.stream);
          return { url: sim.url };
        case 'startMany':
          many = await Promise.all(Array.from({ length: m.count }, () => startSimulator(m.options)));
          return { urls: many.map((s) => s.url) };
        case 'statsMany':
          return { stats: many.map((s) => JSON.parse(JSON.stringify(s.stats))), cpu: process.cpuUsage() };
        case 'stats':
          return {
            stats: JSON.parse(JSON.stringify(sim.stats)),
            cpu: process.cpuUsage(),
            mem: process.memoryUsage(),
            channels: sim.state.channels.size,
          };
        case 'setPush':
          sim.setPush(m.url);
          return {};
        case 'step':
          return step(m.ext, m.from);
        case 'pushes':
          return pushes(m.urls, m.perUrl, m.perSecond);
        case 'close':
          if (sim) await sim.close();
          await Promise.all(many.map((s) => s.close()));
          setImmediate(() => process.exit(0));
          return {};
        default:
          throw new Error(`unknown command ${m.cmd}`);
      }
    })
    .then(
      (r) => reply(m.id, r),
      (e) => reply(m.id, null, messageOf(e)),
    );
});
