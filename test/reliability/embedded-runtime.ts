/*
 * A whole Node-RED, embedded as its documentation shows, in a child process of the secrets test:
 * admin API without adminAuth (GET /flows, the package's admin routes), HTTP-in nodes to drive the
 * flows, and Node-RED's console log at trace level (a superset of debug) on stdout.
 *
 * Usage: node embedded-runtime.js <userDir>   (prints "LISTENING <port>" once started)
 */
import * as http from 'node:http';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED = require('node-red') as {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  httpNode: http.RequestListener;
};

const userDir = process.argv[2];
if (!userDir) throw new Error('usage: embedded-runtime <userDir>');
const packageRoot = path.resolve(__dirname, '..', '..');

// What `app.use('/api', RED.httpNode)` does in an Express application: strip the mount path.
const server = http.createServer((req, res) => {
  if (req.url?.startsWith('/api/')) {
    req.url = req.url.slice(4);
    RED.httpNode(req, res);
  } else {
    RED.httpAdmin(req, res);
  }
});

RED.init(server, {
  userDir,
  nodesDir: [packageRoot],
  flowFile: 'flows.json',
  credentialSecret: 'a test-only secret for flows_cred.json',
  httpAdminRoot: '/',
  httpNodeRoot: '/api',
  disableEditor: false,
  logging: { console: { level: 'trace', metrics: false, audit: true } },
  editorTheme: { projects: { enabled: false }, tours: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
});

server.listen(0, '127.0.0.1', () => {
  RED.start().then(() => {
    const addr = server.address();
    process.stdout.write(`LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  }, (err: unknown) => {
    process.stderr.write(`start failed: ${String(err)}\n`);
    process.exit(2);
  });
});

process.on('SIGTERM', () => {
  RED.stop().then(() => server.close(() => process.exit(0)), () => process.exit(1));
});
