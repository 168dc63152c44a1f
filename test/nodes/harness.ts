/*
 * The one harness of the node tests: the real Node-RED runtime (test helper) and the simulator over
 * HTTP; flows of one node under test with an output and a Catch node; sending a message and waiting
 * for its outcome (bounded); node status recorders; a capture of Node-RED's log at every level; a
 * recorder for what would stop a user's Node-RED (unhandled rejections, uncaught exceptions); and
 * the one polling wait, until() (scripts/lib/until.js), for state that sends no event.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { NodeAPI } from 'node-red';
import { Simulator, SimulatorOptions, startSimulator } from '../../dist/simulator';
import sinon from 'sinon';
import { until } from '../../scripts/lib/until';
import { DECLARED_TYPES, declaredFile } from '../declared-nodes';

export { until };

/**
 * For a runtime test that shows a poll has stopped: sinon's fake setTimeout, clearTimeout and Date,
 * installed before the flow loads so every poll timer is on it. It also moves with real time, so
 * HTTP and Node-RED's own work go on; `jumpPastPolls` jumps it ahead.
 */
export function pollClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({
    now: Date.now(),
    toFake: ['setTimeout', 'clearTimeout', 'Date'],
    shouldAdvanceTime: true,
    shouldClearNativeTimers: true,
  });
}

/** Real time a request a timer just sent needs to reach the simulator on 127.0.0.1 (the longest sleep that asserts absence). */
export const ABSENCE_MS = 100;

/**
 * Jumps the fake clock by `ms` twice (every timer due fires), each time followed by half of ABSENCE_MS
 * of real time: a poll in flight at the first jump schedules its next timer before the second one,
 * and what the timers sent reaches the simulator.
 */
export async function jumpPastPolls(clock: sinon.SinonFakeTimers, ms: number): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await clock.tickAsync(ms);
    await new Promise((resolve) => setTimeout(resolve, ABSENCE_MS / 2));
  }
}

/**
 * Shows that polling has stopped: jumps the fake clock by `ms` (jumpPastPolls; long enough that a
 * poll timer left running would have fired) and checks that `polls()`, the polls the simulator
 * answered, did not move.
 */
export async function assertNoMorePolls(clock: sinon.SinonFakeTimers, ms: number, polls: () => number): Promise<void> {
  const before = polls();
  await jumpPastPolls(clock, ms);
  assert.equal(polls(), before, `a poll within ${ms} ms of the fake clock`);
}

export const helper = require('node-red-node-test-helper') as {
  init(path: string, settings?: object): void;
  load(nodes: unknown[], flow: object[], credentials?: object): Promise<void>;
  setFlows(flow: object[], type?: string, credentials?: object): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode | null;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): any; // supertest against the admin app
  log(): any;
};

helper.init(require.resolve('node-red'));

/**
 * Node-RED copies `err.code` onto the Catch node's `msg.error` since 4.1.0 (node-red#5081); 3.1 and
 * 4.0 pass only message, source and stack. There the code is read from the error the node handed
 * to done(), so the matrix still checks which error each case raised.
 */
const [NR_MAJOR, NR_MINOR] = (require('node-red/package.json') as { version: string }).version.split('.').map(Number);
export const CATCH_HAS_CODE = NR_MAJOR > 4 || (NR_MAJOR === 4 && NR_MINOR >= 1);

type NodeModule = (RED: NodeAPI) => void;
/** Every node type package.json declares, loaded from the file it names (as Node-RED loads them). */
export const NODES: NodeModule[] = DECLARED_TYPES.map((type) => require(declaredFile(type)) as NodeModule);
const core = (p: string) => require(require.resolve(`@node-red/nodes/core/${p}`, { paths: [require.resolve('node-red')] })) as NodeModule;
export const CATCH = core('common/25-catch.js');
export const ALL = [...NODES, CATCH];
/** Node-RED's own tls-config node, and ALL with it. */
export const TLS_CONFIG = core('network/05-tls.js');
export const WITH_TLS = [...ALL, TLS_CONFIG];

export interface TestNode {
  id: string;
  type: string;
  on(event: string, fn: (...args: any[]) => void): void;
  once(event: string, fn: (...args: any[]) => void): void;
  receive(msg: Record<string, unknown>): void;
  status: any;
  [k: string]: any;
}

export const PASSWORD = 'secret';
export const CREDS = { cfg: { username: '1004', password: PASSWORD } };

export function config(sim: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'cfg', type: 'webtapi-config', name: 'pbx', url: sim.url, timeout: 2000, concurrency: 4, ...extra };
}

/**
 * A flow: config node, node `n1` of `type` wired to helper `out`, and a Catch node wired to
 * `caught` (for the whole tab, or for the nodes in `catchScope`).
 */
export function flow(
  sim: Simulator,
  type: string,
  props: Record<string, unknown> = {},
  cfgExtra: Record<string, unknown> = {},
  catchScope: string[] | null = null,
): object[] {
  return [
    config(sim, cfgExtra),
    { id: 'n1', type, name: 'under test', server: 'cfg', ...props, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'c1', type: 'catch', scope: catchScope, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

export async function loadFlow(
  sim: Simulator,
  type: string,
  props: Record<string, unknown> = {},
  cfgExtra: Record<string, unknown> = {},
  creds: object = CREDS,
  catchScope: string[] | null = null,
): Promise<Nodes> {
  await helper.load(ALL, flow(sim, type, props, cfgExtra, catchScope), creds);
  return { n1: helper.getNode('n1')!, out: helper.getNode('out')!, caught: helper.getNode('caught')! };
}

/** Every message `node` receives from now on, in order (the array fills as they arrive). */
export function received<T = Record<string, any>>(node: TestNode): T[] {
  const got: T[] = [];
  node.on('input', (m: T) => got.push(m));
  return got;
}

/** The next message a helper node receives. */
export function next(node: TestNode, limitMs = 15_000): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const onInput = (m: Record<string, any>) => {
      clearTimeout(timer);
      resolve(m);
    };
    const timer = setTimeout(() => {
      node.removeListener('input', onInput);
      reject(new Error(`${node.id}: no message within ${limitMs} ms`));
    }, limitMs);
    node.once('input', onInput);
  });
}

export interface Nodes {
  n1: TestNode;
  out: TestNode;
  caught: TestNode;
}

export interface Outcome {
  out?: Record<string, any>;
  error?: Record<string, any>;
}

/** Sends msg into n1 and waits for its output on `out` or its error on `caught` (a message left hanging fails after limitMs). */
export function outcome(nodes: Nodes, msg: Record<string, unknown>, limitMs = 15_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const onOut = (m: Record<string, any>) => {
      cleanup();
      resolve({ out: m });
    };
    const onErr = (m: Record<string, any>) => {
      cleanup();
      resolve({ error: m });
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no outcome within ${limitMs} ms for ${text(msg).slice(0, 200)}`));
    }, limitMs);
    const cleanup = () => {
      clearTimeout(timer);
      nodes.out.removeListener('input', onOut);
      nodes.caught.removeListener('input', onErr);
    };
    nodes.out.on('input', onOut);
    nodes.caught.on('input', onErr);
    nodes.n1.receive(msg);
  });
}

/** The same as outcome(). */
export const send = outcome;

/** Sends several messages at once; resolves with every outcome, keyed by the message's `tag` (bounded by limitMs). */
export function sendAll(nodes: Nodes, msgs: Array<Record<string, unknown>>, limitMs = 15_000): Promise<Map<string, Outcome>> {
  return new Promise((resolve, reject) => {
    const got = new Map<string, Outcome>();
    const cleanup = () => {
      clearTimeout(timer);
      nodes.out.removeListener('input', onOut);
      nodes.caught.removeListener('input', onErr);
    };
    const check = () => {
      if (got.size === msgs.length) {
        cleanup();
        resolve(got);
      }
    };
    const onOut = (m: Record<string, any>) => {
      got.set(m.tag, { out: m });
      check();
    };
    const onErr = (m: Record<string, any>) => {
      got.set(m.tag, { error: m });
      check();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${got.size} of ${msgs.length} outcomes within ${limitMs} ms`));
    }, limitMs);
    nodes.out.on('input', onOut);
    nodes.caught.on('input', onErr);
    for (const m of msgs) nodes.n1.receive(m);
  });
}

/**
 * `msg.error.code` of a message a Catch node passed on. Where the runtime does not copy the code
 * (CATCH_HAS_CODE false), the code of the error the failing node gave done() for that same
 * message (same _msgid, same node id): the matrix still tells which error each case raised.
 */
export function caughtCode(m: Record<string, any> | undefined): string | undefined {
  if (!m?.error) return undefined;
  if (CATCH_HAS_CODE) return m.error.code;
  // The test helper makes every node method a sinon spy shared by all nodes (its documented
  // `node.error.should.have.been.called...`): the calls are told apart by `this`.
  const source = helper.getNode(m.error.source?.id);
  const spy = source?.error as { getCalls(): { thisValue: { id?: string }; args: any[] }[] } | undefined;
  const call = spy
    ?.getCalls()
    .filter((c) => c.thisValue?.id === m.error.source?.id && c.args[1]?._msgid === m._msgid)
    .pop();
  return call?.args[0]?.code;
}

/** Resolves when the node's status matches (rejects after limitMs). */
export function statusMatching(node: TestNode, test: (s: Status) => boolean, limitMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (call: { args: any[] }) => {
      if (test(call.args[0] ?? {})) {
        node.removeListener('call:status', check);
        clearTimeout(timer);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      node.removeListener('call:status', check);
      reject(new Error(`${node.id}: no matching status within ${limitMs} ms`));
    }, limitMs);
    node.on('call:status', check);
  });
}

export async function withSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ port: 0, ...opts });
}

/**
 * A server the nodes talk to, for the enclosing describe(): started before its first test, closed
 * after its last; each test's flow unloaded after it. `server` is there from the before() hook on.
 */
export function useNodeServer<T extends { close(): Promise<void> }>(start: () => Promise<T>): { readonly server: T } {
  let server: T | undefined;
  before(async () => {
    server = await start();
  });
  after(async () => {
    await server?.close();
  });
  afterEach(async () => {
    await helper.unload();
  });
  return {
    get server(): T {
      if (!server) throw new Error('the server of this describe() has not started (used outside its tests?)');
      return server;
    },
  };
}

/** The simulator of useNodeSimulator(), for the tests of the describe() that called it. */
export interface NodeSimulator {
  readonly sim: Simulator;
}

/** One simulator for the enclosing describe() (useNodeServer), reset before each test. */
export function useNodeSimulator(opts: SimulatorOptions = {}): NodeSimulator {
  const started = useNodeServer(() => withSimulator(opts));
  beforeEach(() => started.server.reset());
  return {
    get sim(): Simulator {
      return started.server;
    },
  };
}

/** useNodeSimulator for camera tests: the camera sends a frame every `intervalMs`; each test ends with every stream closed. */
export function useStreamSimulator(intervalMs: number): NodeSimulator {
  const env = useNodeSimulator();
  beforeEach(() => {
    env.sim.stream.intervalMs = intervalMs;
  });
  afterEach(async () => {
    await until(() => env.sim.openStreams() === 0, 2000);
  });
  return env;
}

export const LEVEL = { ERROR: 20, WARN: 30, INFO: 40, DEBUG: 50, TRACE: 60 } as const;

// ---------------------------------------------------------------------------------------------
// What would stop a user's Node-RED. Mocha has its own handlers; these only record.
const incidents: string[] = [];
process.on('unhandledRejection', (reason) => {
  incidents.push(`unhandledRejection: ${errorText(reason)}`);
});
process.on('uncaughtException', (err) => {
  incidents.push(`uncaughtException: ${errorText(err)}`);
});

function errorText(x: unknown): string {
  if (x instanceof Error) return `${x.name}: ${x.message}\n${x.stack ?? ''}`;
  try {
    return JSON.stringify(x);
  } catch {
    return String(x);
  }
}

/** Forgets what happened before (in other suites): each test answers for its own time. */
export function watchCalm(): void {
  incidents.length = 0;
}

/** Fails when anything reached process-level handlers since watchCalm() or the last call. */
export function assertCalm(): void {
  const seen = incidents.splice(0);
  assert.deepEqual(seen, [], 'an unhandled rejection or uncaught exception happened');
}

// ---------------------------------------------------------------------------------------------
/** One line of Node-RED's log as its handlers get it. */
export interface LogEntry {
  level: number;
  msg: unknown;
  id?: string;
  type?: string;
}

/**
 * Node-RED's log at every level (trace included), through a handler added with RED.log's public
 * addHandler: unlike the helper's spy it stays in place while the helper unloads a flow.
 */
class LogCapture {
  readonly entries: LogEntry[] = [];
  private installed = false;

  install(): void {
    if (this.installed) return;
    this.installed = true;
    const handler = new EventEmitter();
    handler.on('log', (m: LogEntry) => this.entries.push(m));
    (require('node-red') as { log: { addHandler(h: EventEmitter): void } }).log.addHandler(handler);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Each entry as text (objects as JSON, errors with their stack). */
  texts(maxLevel = 60): string[] {
    return this.entries.filter((e) => e.level <= maxLevel).map((e) => `${e.level} ${e.type ?? ''}:${e.id ?? ''} ${text(e.msg)}`);
  }

  at(level: number, id?: string): string[] {
    return this.entries.filter((e) => e.level === level && (id === undefined || e.id === id)).map((e) => text(e.msg));
  }
}

export const LOG = new LogCapture();

/** Anything as text: strings as they are, errors with message, stack and fields, the rest as JSON. */
export function text(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof Error) return `${x.message}\n${x.stack ?? ''}\n${safeJson(x)}`;
  return safeJson(x);
}

function safeJson(x: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(x, (_k, v: unknown) => {
        if (typeof v === 'bigint') return String(v);
        if (v && typeof v === 'object') {
          if (seen.has(v)) return '[circular]';
          seen.add(v);
        }
        return v;
      }) ?? String(x)
    );
  } catch {
    return String(x);
  }
}

// ---------------------------------------------------------------------------------------------
export interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

/** Every status a node shows from now on (the helper reports them a tick after the call). */
export function statuses(node: TestNode): Status[] {
  const seen: Status[] = [];
  node.on('call:status', (call: { args: unknown[] }) => seen.push((call.args[0] ?? {}) as Status));
  return seen;
}

export function lastStatus(seen: Status[]): Status {
  return seen[seen.length - 1] ?? {};
}

/** Waits until the node's latest status passes the test. */
export async function settleStatus(seen: Status[], test: (s: Status) => boolean, what: string, timeoutMs = 3000): Promise<void> {
  try {
    await until(() => seen.length > 0 && test(lastStatus(seen)), timeoutMs);
  } catch {
    assert.fail(`status: expected ${what}, got ${JSON.stringify(lastStatus(seen))} after ${JSON.stringify(seen.slice(-5))}`);
  }
}
