// Types of scripts/lib/nodered.js for the TypeScript tests (the module itself is plain JS, used by
// scripts and the benchmark too).
import type { EventEmitter } from 'node:events';
import type * as http from 'node:http';
import type { ChildProcess } from 'node:child_process';

export const PACKAGE_NAME: string;
export const HOST: string;
export const EXPECTED_WARNING: RegExp;

export interface LogEntry {
  level: number;
  msg: unknown;
  id?: string;
  type?: string;
}

export interface Web {
  app: { use(path: string, handler: unknown): void };
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Default: a fresh temp directory (removed on stop by startEmbedded, kept by startChild). */
  userDir?: string;
  prefix?: string;
  /** Put this package into userDir/node_modules (links to dist, examples, resources). */
  install?: boolean;
  dist?: string;
  nodesDir?: string[];
  /** Written to userDir/flows.json before the start. */
  flows?: unknown[];
  httpNodeRoot?: string;
  credentialSecret?: string | false;
  /** More settings (editorTheme merged one level deep). */
  extra?: Record<string, unknown>;
  timeoutMs?: number;
  port?: number;
}

export interface EmbeddedOptions extends StartOptions {
  /** false: runtime only, no editor and no HTTP nodes. */
  http?: boolean;
  web?: Web;
  logging?: Record<string, unknown>;
}

export interface NodeRedRuntime {
  init(server: http.Server | undefined, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  events: EventEmitter;
  nodes: { getNode(id: string): unknown; getNodeList(): Array<{ module: string; types: string[] }> };
  [k: string]: unknown;
}

export interface EmbeddedNodeRed {
  RED: NodeRedRuntime;
  version: string;
  userDir: string;
  /** The editor, e.g. http://127.0.0.1:41234/ (null without HTTP). */
  url: string | null;
  port: number | null;
  /** Why the flows did not start, or null. */
  flowsProblem: string | null;
  node(id: string): unknown;
  /** Resolves at the next start of the flows: call before deploying, await after. */
  flowsStarted(timeoutMs?: number): Promise<void>;
  deploy(flows: unknown[], type?: string, credentials?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export interface ChildOptions extends StartOptions {
  /** Default true here: this package installed into userDir/node_modules (kept when already there). */
  install?: boolean;
  /** Node-RED's console log level: info (default), debug or trace. */
  logLevel?: 'info' | 'debug' | 'trace';
  env?: NodeJS.ProcessEnv;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildNodeRed {
  child: ChildProcess;
  pid: number;
  userDir: string;
  version: string;
  url: string;
  port: number;
  exited: Promise<Exit>;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpExecArray & { end: number }>;
  waitForFlowsStart(count: number, timeoutMs?: number): Promise<void>;
  /** POST /flows (with credentials inside the nodes, as the editor sends them); resolves once they started. */
  deploy(flows: unknown[], options?: { type?: string; timeoutMs?: number }): Promise<void>;
  /** SIGINT, then SIGKILL after timeoutMs. */
  stop(timeoutMs?: number): Promise<Exit>;
  /** SIGKILL (default) at once: no close handler runs. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

export function nodeRedDir(): string;
export function nodeRedVersion(dir?: string): string;
export function packageRoot(from?: string): { dir: string; pkg: Record<string, unknown> };
export function tempUserDir(prefix?: string): string;
export function installPackage(userDir: string, options?: { dist?: string }): void;
export function settings(options: Record<string, unknown>): Record<string, unknown>;
export function logTo(onEntry: (entry: LogEntry) => void, level?: string): Record<string, unknown>;
export function formatEntry(entry: LogEntry): string;
export function listen(options?: { port?: number; host?: string; dir?: string }): Promise<Web>;
export function startEmbedded(options?: EmbeddedOptions): Promise<EmbeddedNodeRed>;
export function startChild(options?: ChildOptions): Promise<ChildNodeRed>;
