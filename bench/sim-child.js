// The simulated PBX in its own process, so the benchmark's CPU figures (process.cpuUsage of the
// parent) hold the client side only and the PBX gets its own core. Driven over IPC (SimProcess in
// bench/lib.js) by bench/run.js and bench/mjpeg.js.
'use strict';
const path = require('node:path');
const { startSimulator } = require(path.join(__dirname, '..', 'dist', 'simulator'));
const { messageOf } = require(path.join(__dirname, '..', 'dist', 'client'));

let sim = null;

function reply(id, result, error) {
  if (process.connected) process.send({ id, result, error });
}

process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  Promise.resolve().then(async () => {
    switch (m.cmd) {
      case 'start':
        sim = await startSimulator(m.options);
        // The camera stream's pace and frames (bench/mjpeg.js), as the simulator's control API sets them.
        if (m.stream) Object.assign(sim.stream, m.stream);
        return { url: sim.url };
      case 'stats':
        return { stats: JSON.parse(JSON.stringify(sim.stats)), cpu: process.cpuUsage(), mem: process.memoryUsage(), channels: sim.state.channels.size };
      case 'close':
        if (sim) await sim.close();
        setImmediate(() => process.exit(0));
        return {};
      default:
        throw new Error(`unknown command ${m.cmd}`);
    }
  }).then((r) => reply(m.id, r), (e) => reply(m.id, null, messageOf(e)));
});
