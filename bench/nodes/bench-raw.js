// The floor of any node: a node that sends the raw loop's request (undici, no checks, no status)
// and passes the message on. The difference to the raw loop is what Node-RED itself costs.
'use strict';
module.exports = function (RED) {
  function BenchRaw(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      globalThis.__webtapiBench.rawRequest().then(
        (ok) => {
          msg.payload = ok;
          send(msg);
          done();
        },
        (err) => done(err),
      );
    });
  }
  RED.nodes.registerType('bench-raw', BenchRaw);
};
