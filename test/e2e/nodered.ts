/*
 * The browser suite's Node-RED: runtime and editor embedded on 127.0.0.1, port 0, with a fresh
 * user directory and this package installed the way npm installs a local path (the launcher in
 * scripts/lib/nodered.js). `dist` is the build beside dist-test/: the same build the tests import.
 * Which Node-RED: $NODE_RED_DIR when set (see the launcher). One start per process: the whole
 * browser suite shares one instance.
 */
import * as path from 'node:path';
import { logTo, nodeRedDir, packageRoot, startEmbedded } from '../../scripts/lib/nodered';

export { nodeRedDir, packageRoot };

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

export async function startNodeRed(flows: unknown[] = []): Promise<EmbeddedNodeRed> {
  const logs: LogEntry[] = [];
  const nr = await startEmbedded({
    install: true,
    dist: path.resolve(__dirname, '..', '..', 'dist'),
    flows,
    prefix: 'webtapi-e2e-nr-',
    httpNodeRoot: '/api',
    // Quiet console; warnings and errors are kept and shown when a test fails.
    logging: logTo((m) => {
      logs.push({ level: m.level, msg: String(m.msg) });
    }, 'warn'),
  });
  return {
    url: nr.url!,
    version: nr.version,
    userDir: nr.userDir,
    logs,
    getNode: nr.node,
    flowsStarted: nr.flowsStarted,
    close: nr.stop,
  };
}
