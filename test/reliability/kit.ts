/*
 * Shared parts of the reliability suite: the real Node-RED runtime (test helper), a recorder for
 * everything that would stop a user's Node-RED (unhandled rejections, uncaught exceptions), a
 * capture of Node-RED's log at every level, node status recorders, and one "subject" per node type:
 * how to drive it, which WebTAPI action it sends, and whether that action has a side effect.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { NodeAPI } from 'node-red';
import type { Simulator } from '../../dist/simulator';
import { ALL, caughtCode, helper, TestNode, until } from '../nodes/harness';

/** `msg.error.code` of a caught message (Node-RED before 4.1 does not copy it: see the harness). */
export { ALL, caughtCode, helper, until };
export type { TestNode };

type NodeModule = (RED: NodeAPI) => void;
const core = (p: string) => require(require.resolve(`@node-red/nodes/core/${p}`, { paths: [require.resolve('node-red')] })) as NodeModule;
/** Node-RED's own tls-config node. */
export const TLS_CONFIG = core('network/05-tls.js');
export const WITH_TLS = [...ALL, TLS_CONFIG];

export const USER = '1004';
/** Characters a form encoder must escape: a password is never cut at `&` or `=`. */
export const PASSWORD = 'p&ss=w%rd+ü/../';
export const CREDS = { cfg: { username: USER, password: PASSWORD } };
/** The deadline every fault test runs with (the client's minimum is 100 ms). */
export const TIMEOUT_MS = 800;

// ---------------------------------------------------------------------------------------------
// What would stop a user's Node-RED. Mocha has its own handlers; these only record.
const incidents: string[] = [];
process.on('unhandledRejection', (reason) => { incidents.push(`unhandledRejection: ${describe(reason)}`); });
process.on('uncaughtException', (err) => { incidents.push(`uncaughtException: ${describe(err)}`); });

function describe(x: unknown): string {
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
 * Node-RED's log at every level (trace included), through a log handler of its own: unlike the
 * helper's spy it stays in place while the helper unloads a flow.
 */
class LogCapture {
  readonly entries: LogEntry[] = [];
  private installed = false;

  install(): void {
    if (this.installed) return;
    this.installed = true;
    const handler = new EventEmitter();
    handler.on('log', (m: LogEntry) => this.entries.push(m));
    (helper as unknown as { _log: { addHandler(h: EventEmitter): void } })._log.addHandler(handler);
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

export function text(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof Error) return `${x.message}\n${x.stack ?? ''}\n${safeJson(x)}`;
  return safeJson(x);
}

function safeJson(x: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(x, (_k, v: unknown) => {
      if (typeof v === 'bigint') return String(v);
      if (v && typeof v === 'object') {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    }) ?? String(x);
  } catch {
    return String(x);
  }
}

export const LOG = new LogCapture();
export const LEVEL = { ERROR: 20, WARN: 30, INFO: 40, DEBUG: 50, TRACE: 60 } as const;

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
export async function settleStatus(seen: Status[], test: (s: Status) => boolean, what: string): Promise<void> {
  try {
    await until(() => seen.length > 0 && test(lastStatus(seen)), 3000);
  } catch {
    assert.fail(`status: expected ${what}, got ${JSON.stringify(lastStatus(seen))} after ${JSON.stringify(seen.slice(-5))}`);
  }
}

/** The status words a failure shows: the code without its prefix, lower case. */
export function reasonText(code: string): string {
  return code.replace(/^WEBTAPI_/, '').toLowerCase().replace(/_/g, ' ');
}

// ---------------------------------------------------------------------------------------------
export interface Nodes {
  n1: TestNode;
  out: TestNode;
  caught: TestNode;
}

export function configNode(sim: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'cfg', type: 'webtapi-config', name: 'pbx', url: sim.url, timeout: TIMEOUT_MS, concurrency: 4, ...extra };
}

/** Config node, `n1` wired to helper `out`, and a Catch node for n1 wired to `caught`. */
export function subjectFlow(sim: Simulator, type: string, props: Record<string, unknown>, cfg: Record<string, unknown> = {}): object[] {
  return [
    configNode(sim, cfg),
    { id: 'n1', type, name: 'under test', server: 'cfg', ...props, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'c1', type: 'catch', scope: ['n1'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

export async function loadSubject(sim: Simulator, s: Subject, cfg: Record<string, unknown> = {}, creds: object = CREDS): Promise<Nodes> {
  await helper.load(ALL, subjectFlow(sim, s.type, s.props, cfg), creds);
  return { n1: helper.getNode('n1')!, out: helper.getNode('out')!, caught: helper.getNode('caught')! };
}

export interface Outcome {
  out?: Record<string, any>;
  error?: Record<string, any>;
}

/** Sends msg into n1 and waits for its output on `out` or its error on `caught` (a message left hanging fails). */
export function send(nodes: Nodes, msg: Record<string, unknown>, limitMs = 15_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const onOut = (m: Record<string, any>) => { cleanup(); resolve({ out: m }); };
    const onErr = (m: Record<string, any>) => { cleanup(); resolve({ error: m }); };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no outcome within ${limitMs} ms for ${text(msg).slice(0, 200)}`)); }, limitMs);
    const cleanup = () => { clearTimeout(timer); nodes.out.removeListener('input', onOut); nodes.caught.removeListener('input', onErr); };
    nodes.out.on('input', onOut);
    nodes.caught.on('input', onErr);
    nodes.n1.receive(msg);
  });
}

/** Sends several messages at once; resolves with every outcome, keyed by the message's `tag`. */
export function sendAll(nodes: Nodes, msgs: Array<Record<string, unknown>>): Promise<Map<string, Outcome>> {
  return new Promise((resolve) => {
    const got = new Map<string, Outcome>();
    const check = () => {
      if (got.size === msgs.length) {
        nodes.out.removeListener('input', onOut);
        nodes.caught.removeListener('input', onErr);
        resolve(got);
      }
    };
    const onOut = (m: Record<string, any>) => { got.set(m.tag, { out: m }); check(); };
    const onErr = (m: Record<string, any>) => { got.set(m.tag, { error: m }); check(); };
    nodes.out.on('input', onOut);
    nodes.caught.on('input', onErr);
    for (const m of msgs) nodes.n1.receive(m);
  });
}

// ---------------------------------------------------------------------------------------------
/** How to drive one node type through one WebTAPI action. */
export interface Subject {
  type: string;
  props: Record<string, unknown>;
  /** The action each message sends (the one faults are aimed at). */
  action: string;
  sideEffect: boolean;
  /** A fresh message that succeeds on a healthy PBX; `i` tells concurrent ones apart. */
  message(sim: Simulator, i: number): Record<string, unknown>;
}

/** Extensions of the simulator used by this suite (enough for one agent per concurrent message). */
export const EXTENSIONS = Array.from({ length: 40 }, (_, i) => String(1001 + i));

export const SUBJECTS: Subject[] = [
  {
    type: 'webtapi-call', props: { mode: 'call', src: '1001' }, action: 'call', sideEffect: true,
    message: (_sim, i) => ({ payload: EXTENSIONS[1 + (i % 30)] }),
  },
  {
    type: 'webtapi-hangup', props: {}, action: 'call_hangup', sideEffect: true,
    message: (sim, i) => ({ payload: sim.ring(EXTENSIONS[2 + (i % 30)]) }),
  },
  {
    type: 'webtapi-queue-agent', props: { operation: 'login', queue: 'SUPPORT' }, action: 'agent_login', sideEffect: true,
    message: (sim, i) => {
      const agent = EXTENSIONS[3 + (i % 30)];
      const q = sim.state.queues.get('SUPPORT')!;
      q.agents = q.agents.filter((a) => a !== agent);
      return { agent };
    },
  },
  {
    type: 'webtapi-relay-set', props: { relay: '17', status: 'on' }, action: 'relay_status_set', sideEffect: true,
    message: (_sim, i) => ({ payload: i % 2 === 0 ? 'on' : 'off' }),
  },
  {
    type: 'webtapi-cam-snapshot', props: { camera: '44' }, action: 'vmx_cam_get_pic', sideEffect: false,
    message: () => ({}),
  },
  {
    type: 'webtapi-request', props: { action: 'vmx_cam_p_save', params: '{"CAMID":"45"}' }, action: 'vmx_cam_p_save', sideEffect: true,
    message: () => ({}),
  },
];

/** PBX-side executions of the subject's action (reads count as 0). */
export function executed(sim: Simulator, s: Subject): number {
  return sim.stats.executed[s.action] ?? 0;
}

/** Resolves once the simulator has received a request for `action` (answered or not). */
export function arrived(sim: Simulator, action: string, count = 1): Promise<void> {
  return until(() => (sim.stats.byAction[action] ?? 0) >= count, 5000);
}
