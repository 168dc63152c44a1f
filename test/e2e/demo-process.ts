/*
 * `npm start` (scripts/demo.js) as a child process on free ports with its own user directory:
 * resolves once it prints the editor's address, with the addresses it printed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.join(ROOT, 'scripts', 'demo.js');
const EDITOR_LINE = /^Node-RED editor: (http:\/\/127\.0\.0\.1:\d+\/)$/m;

export interface DemoProcess {
  readonly editor: string;
  /** The address of a line `<label>: <url>` the demo printed, e.g. 'Door station dashboard'. */
  printed(label: string): string | null;
  output(): string;
  /** SIGINT (Ctrl-C) and the exit; the user directory is removed. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, for a test that failed half way. */
  kill(): void;
}

export function startDemo(): Promise<DemoProcess> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webtapi-demo-e2e-'));
  const env = { ...process.env };
  for (const k of ['PORT', 'WEBTAPI_SIM_PORT', 'WEBTAPI_MQTT_PORT', 'WEBTAPI_URL', 'WEBTAPI_USER', 'WEBTAPI_PASSWORD', 'WEBTAPI_DEMO_DIR'])
    delete env[k];
  const child: ChildProcess = spawn(process.execPath, [DEMO, '--port', '0', '--sim-port', '0', '--mqtt-port', '0', '--user-dir', userDir], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      fs.rmSync(userDir, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });
  child.stdout!.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  child.stderr!.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const onData = () => {
      const m = EDITOR_LINE.exec(text);
      if (!m) return;
      child.stdout!.removeListener('data', onData);
      resolve({
        editor: m[1],
        printed: (label) => new RegExp(`^${label}: (\\S+)`, 'm').exec(text)?.[1] ?? null,
        output: () => text,
        stop: () => {
          child.kill('SIGINT');
          return exited;
        },
        kill: () => {
          child.kill('SIGKILL');
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`demo exited (${code ?? signal}) before it was ready:\n${text}`)));
  });
}
