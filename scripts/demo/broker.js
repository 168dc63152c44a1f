'use strict';
// The demo's MQTT broker (aedes, a dev dependency) for the Home Assistant example: on 127.0.0.1,
// the given port (0 = any free one). Without aedes installed the demo runs without it.
// Only the demo's account may connect: an anonymous client or a wrong password is refused with
// CONNACK 5 ("not authorized"), so no other local program can publish a door command.
const crypto = require('node:crypto');
const net = require('node:net');

/** Compares in constant time (both sides hashed to one length first). */
function same(a, b) {
  const h = (x) => crypto.createHash('sha256').update(x).digest();
  return crypto.timingSafeEqual(h(Buffer.from(a)), h(Buffer.from(b)));
}

/** aedes' authenticate handler for one account { username, password }. */
function accountOnly(account) {
  return (client, username, password, callback) => {
    // Both compared every time (no early exit that tells a right user from a wrong one).
    const userOk = typeof username === 'string' && same(username, account.username);
    const passwordOk = Buffer.isBuffer(password) && same(password, account.password);
    const ok = userOk && passwordOk;
    if (ok) return callback(null, true);
    const err = new Error('not authorized');
    err.returnCode = 5;
    return callback(err, false);
  };
}

/**
 * Resolves with { url, port, close() }, or null when aedes is not installed. `account`
 * ({ username, password }) is required: the demo's broker has no anonymous access.
 */
async function startBroker(port, account) {
  if (!account || !account.username || !account.password) throw new Error('the demo broker needs an account');
  let Aedes;
  try {
    ({ Aedes } = require('aedes'));
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
  const aedes = await Aedes.createBroker({ authenticate: accountOnly(account) });
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
