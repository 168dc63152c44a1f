/*
 * An embedded Node-RED (runtime + editor) on 127.0.0.1, port 0, with a fresh user directory and
 * this package loaded the way npm installs a local path: userDir/node_modules/<our name>.
 *
 * Which Node-RED: $NODE_RED_DIR when set (the node-red package directory, or a directory whose
 * node_modules holds it), else the one this compiled file resolves (the project's own, or the
 * matrix directory's when dist-test/ was copied there).
 *
 * Node-RED keeps its state in module singletons: one start per process, so the whole browser
 * suite shares one instance.
 */
import type { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const PACKAGE_NAME = 'node-red-contrib-metasec-webtapi';

interface NodeRedModule {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  nodes: { getNode(id: string): unknown };
  events: EventEmitter;
}

export interface LogEntry {
  level: number;
  msg: string;
}

export interface EmbeddedNodeRed {
  /** The editor, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  readonly version: string;
  readonly userDir: string;
  /** Runtime log lines at warn level and above (Node-RED's numeric levels: 20 error, 30 warn). */
  readonly logs: LogEntry[];
  /** The runtime node with this id, if deployed. */
  getNode(id: string): unknown;
  /**
   * Resolves when the runtime has next started its flows. A deploy is answered before the new
   * flows start (Node-RED starts them after replying): call this before deploying, await it after.
   */
  flowsStarted(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The directory of the Node-RED package to embed. */
export function nodeRedDir(): string {
  const env = process.env.NODE_RED_DIR;
  if (env) {
    const dir = path.resolve(env);
    const own = path.join(dir, 'package.json');
    if (fs.existsSync(own) && (JSON.parse(fs.readFileSync(own, 'utf8')) as { name?: string }).name === 'node-red') return dir;
    return path.dirname(require.resolve('node-red/package.json', { paths: [dir] }));
  }
  return path.dirname(require.resolve('node-red/package.json'));
}

/** The package root (its package.json names this package), searched upwards from here. */
export function packageRoot(): { dir: string; pkg: Record<string, unknown> } {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (pkg.name === PACKAGE_NAME) return { dir, pkg };
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${__dirname}`);
  }
}

/**
 * userDir/node_modules/<our name>/: our package.json, `dist` linked to the build beside
 * dist-test/ (the same build the tests import: html, locales and icons come from there) and
 * `examples` linked to the package's examples (the editor's Import > Examples lists them).
 */
function installPackage(userDir: string): void {
  const dist = path.resolve(__dirname, '..', '..', 'dist');
  if (!fs.existsSync(path.join(dist, 'nodes', 'webtapi-config.js'))) throw new Error(`no built nodes in ${dist}: run node scripts/build.js`);
  const { dir: root, pkg } = packageRoot();
  const dir = path.join(userDir, 'node_modules', PACKAGE_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const { name, version, main, engines } = pkg;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, main, engines, 'node-red': pkg['node-red'] }, null, 2));
  fs.symlinkSync(dist, path.join(dir, 'dist'), 'dir');
  const examples = path.join(root, 'examples');
  if (fs.existsSync(examples)) fs.symlinkSync(examples, path.join(dir, 'examples'), 'dir');
  // resources/ holds the editor script every node html loads (resources/<name>/webtapi-editor.js):
  // without it the editor never finishes loading the palette.
  fs.symlinkSync(path.join(root, 'resources'), path.join(dir, 'resources'), 'dir');
  // An installed module is listed in the userDir's package.json: the palette manager shows it as the user's.
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'e2e-userdir', private: true, dependencies: { [PACKAGE_NAME]: `file:${dir}` } }));
}

export async function startNodeRed(flows: unknown[] = []): Promise<EmbeddedNodeRed> {
  const dir = nodeRedDir();
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require(dir) as NodeRedModule;

  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-e2e-nr-'));
  installPackage(userDir);
  const flowFile = path.join(userDir, 'flows.json');
  fs.writeFileSync(flowFile, JSON.stringify(flows));

  const logs: LogEntry[] = [];
  const settings: Record<string, unknown> = {
    userDir,
    flowFile: 'flows.json',
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    credentialSecret: false,
    // Quiet console; warnings and errors are kept and shown when a test fails.
    logging: {
      console: { level: 'off', metrics: false, audit: false },
      e2e: {
        level: 'warn', metrics: false, audit: false,
        handler: () => (m: { level: number; msg: unknown }) => { logs.push({ level: m.level, msg: String(m.msg) }); },
      },
    },
    // No first-run tour, telemetry question, update check or palette catalogue (no internet here).
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { palette: { allowInstall: false, allowUpload: false }, modules: { allowInstall: false } },
    diagnostics: { enabled: false },
  };

  const server = http.createServer((req, res) => RED.httpAdmin(req, res));
  RED.init(server, settings);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let started = false;
  try {
    await RED.start();
    started = true;
  } finally {
    if (!started) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  }

  let closed = false;
  return {
    url: `http://127.0.0.1:${port}/`,
    version,
    userDir,
    logs,
    getNode: (id) => RED.nodes.getNode(id),
    flowsStarted(timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const onStarted = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          RED.events.removeListener('flows:started', onStarted);
          reject(new Error(`the runtime did not start the flows within ${timeoutMs} ms`));
        }, timeoutMs);
        RED.events.once('flows:started', onStarted);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await RED.stop();
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        fs.rmSync(userDir, { recursive: true, force: true });
      }
    },
  };
}
