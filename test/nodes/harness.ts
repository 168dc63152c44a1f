/* Shared set-up for node tests: the real Node-RED runtime (test helper) and the simulator over HTTP. */
import type { NodeAPI } from 'node-red';
import { Simulator, SimulatorOptions, startSimulator } from '../../dist/simulator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
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
const load = (name: string) => require(`../../dist/nodes/${name}.js`) as NodeModule;
export const NODES: NodeModule[] = [
  'webtapi-config', 'webtapi-call', 'webtapi-hangup', 'webtapi-queue-agent', 'webtapi-relay-set',
  'webtapi-cam-snapshot', 'webtapi-cam-stream', 'webtapi-status-watch', 'webtapi-request', 'webtapi-call-monitor',
].map(load);
const core = (p: string) => require(require.resolve(`@node-red/nodes/core/${p}`, { paths: [require.resolve('node-red')] })) as NodeModule;
export const CATCH = core('common/25-catch.js');
export const ALL = [...NODES, CATCH];

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

/** A flow: config node, node `n1` of `type` wired to helper `out`, and a catch node wired to `caught`. */
export function flow(sim: Simulator, type: string, props: Record<string, unknown> = {}, cfgExtra: Record<string, unknown> = {}): object[] {
  return [
    config(sim, cfgExtra),
    { id: 'n1', type, name: 'under test', server: 'cfg', ...props, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

export async function loadFlow(sim: Simulator, type: string, props: Record<string, unknown> = {}, cfgExtra: Record<string, unknown> = {}): Promise<{ n1: TestNode; out: TestNode; caught: TestNode }> {
  await helper.load(ALL, flow(sim, type, props, cfgExtra), CREDS);
  return { n1: helper.getNode('n1')!, out: helper.getNode('out')!, caught: helper.getNode('caught')! };
}

/** The next message a helper node receives. */
export function next(node: TestNode): Promise<Record<string, any>> {
  return new Promise((resolve) => node.once('input', resolve));
}

/** Sends msg into n1 and waits for either an output on `out` or an error on `caught`. */
export function outcome(nodes: { n1: TestNode; out: TestNode; caught: TestNode }, msg: Record<string, unknown>): Promise<{ out?: Record<string, any>; error?: Record<string, any> }> {
  return new Promise((resolve) => {
    const onOut = (m: Record<string, any>) => { cleanup(); resolve({ out: m }); };
    const onErr = (m: Record<string, any>) => { cleanup(); resolve({ error: m }); };
    const cleanup = () => { nodes.out.removeListener('input', onOut); nodes.caught.removeListener('input', onErr); };
    nodes.out.on('input', onOut);
    nodes.caught.on('input', onErr);
    nodes.n1.receive(msg);
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
  const spy = (helper as unknown as { _NodePrototype: { error: { getCalls(): { thisValue: { id?: string }; args: any[] }[] } } })._NodePrototype.error;
  const call = spy.getCalls().filter((c) => c.thisValue?.id === m.error.source?.id && c.args[1]?._msgid === m._msgid).pop();
  return call?.args[0]?.code;
}

/** Resolves when the node's status matches. */
export function statusMatching(node: TestNode, test: (s: { fill?: string; shape?: string; text?: string }) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (call: { args: any[] }) => {
      if (test(call.args[0] ?? {})) {
        node.removeListener('call:status', check);
        resolve();
      }
    };
    node.on('call:status', check);
  });
}

export async function withSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ port: 0, ...opts });
}

/** Waits for a condition on state this process can only look at (the simulator's counters). */
export function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(check, 2);
    };
    check();
  });
}
