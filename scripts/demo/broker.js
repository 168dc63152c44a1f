'use strict';
// The demo's MQTT broker (aedes, a dev dependency) for the Home Assistant example: on 127.0.0.1,
// the given port (0 = any free one). Without aedes installed the demo runs without it.
const net = require('node:net');

/** Resolves with { url, port, close() }, or null when aedes is not installed. */
async function startBroker(port) {
  let Aedes;
  try {
    ({ Aedes } = require('aedes'));
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
  const aedes = await Aedes.createBroker();
  const server = net.createServer(aedes.handle);
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const bound = server.address().port;
  return {
    port: bound,
    url: `mqtt://127.0.0.1:${bound}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
      await new Promise((resolve) => aedes.close(() => resolve()));
    },
  };
}

module.exports = { startBroker };
