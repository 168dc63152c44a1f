// The node contract of docs/nodes.md ("Node properties"): each node type's properties and their
// default values, written once. The editor's own defaults (nodes/<type>.html) are checked against
// this list, statically (test/editor-static) and in a real browser (test/e2e); the benchmark
// deploys its call node with these defaults, as the editor would save it. A property whose default
// is undefined has only a type (checked apart: the config node's optional tls-config node).
'use strict';

const CONTRACT_DEFAULTS = {
  'webtapi-config': {
    name: '',
    url: 'http://127.0.0.1:9998/webtapi/webtapi.php',
    tls: undefined,
    timeout: 10000,
    concurrency: 4,
  },
  'webtapi-call': {
    name: '',
    server: '',
    mode: '',
    src: '',
    srcType: 'str',
    dst: '',
    dstType: 'str',
    stations: '',
    stationsType: 'str',
    break: false,
    chan: '',
    chanType: 'str',
  },
  'webtapi-hangup': { name: '', server: '', target: '', targetType: 'str' },
  'webtapi-queue-agent': {
    name: '',
    server: '',
    operation: '',
    queue: '',
    queueType: 'str',
    agent: '',
    agentType: 'str',
    chan: '',
    chanType: 'str',
    position: '',
  },
  'webtapi-relay-set': {
    name: '',
    server: '',
    relay: '',
    relayType: 'str',
    relayStatus: '',
    relayStatusType: 'str',
    pulse: '',
    restoreTimeout: 600000,
    maxPulse: 60000,
  },
  'webtapi-cam-snapshot': {
    name: '',
    server: '',
    camera: '',
    cameraType: 'str',
    operation: '',
    output: '',
    history: 0,
  },
  'webtapi-cam-stream': {
    name: '',
    server: '',
    camera: '',
    cameraType: 'str',
    fps: 2,
    output: 'buffer',
    autoStart: false,
  },
  'webtapi-status-watch': {
    name: '',
    server: '',
    extensions: '',
    interval: 2000,
    emitInitial: true,
    watchCalls: false,
    watchRelays: '',
  },
  'webtapi-request': { name: '', server: '', action: '', params: '{}' },
  'webtapi-call-monitor': { name: '', server: '', extensions: '', interval: 1000, events: 'ring,call,connect,disconnect' },
  'webtapi-event-in': { name: '', server: '', events: '' },
};

module.exports = { CONTRACT_DEFAULTS };
