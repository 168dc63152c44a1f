// A flow's end for the benchmark: hands every message to the harness in bench/run.js and finishes it.
'use strict';
module.exports = function (RED) {
  function BenchSink(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.on('input', (msg, _send, done) => {
      const hub = globalThis.__webtapiBench;
      if (hub) hub.onSink(node.id, msg);
      done();
    });
  }
  RED.nodes.registerType('bench-sink', BenchSink);
};
