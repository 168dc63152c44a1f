/*
 * The reliability suite's fixtures: one "subject" per node type (how to drive it, which WebTAPI
 * action it sends, whether that action has a side effect), a password with characters a form
 * encoder must escape, and the short deadline every fault test runs with. Everything else is the
 * node harness (test/nodes/harness.ts), re-exported here under the names this suite uses.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from '../../dist/simulator';
import { assertCalm, config, flow, loadFlow, LOG, until, useNodeServer, watchCalm, type Nodes } from '../nodes/harness';

export {
  ALL,
  assertCalm,
  caughtCode,
  helper,
  lastStatus,
  LEVEL,
  LOG,
  pollClock,
  send,
  sendAll,
  settleStatus,
  statuses,
  text,
  TLS_CONFIG,
  until,
  watchCalm,
  WITH_TLS,
} from '../nodes/harness';
export type { LogEntry, Nodes, Outcome, Status, TestNode } from '../nodes/harness';

export const USER = '1004';
/** Characters a form encoder must escape: a password is never cut at `&` or `=`. */
export const PASSWORD = 'p&ss=w%rd+ü/../';
export const CREDS = { cfg: { username: USER, password: PASSWORD } };
/** The deadline every fault test runs with (the client's minimum is 100 ms). */
export const TIMEOUT_MS = 800;

/**
 * The reliability suites' set-up for the enclosing describe(): one simulator with USER/PASSWORD,
 * Node-RED's log captured; before each test the simulator reset, the log and the incident record
 * cleared, then `hooks.fresh`; after each the flow unloaded, faults cleared, a paused simulator
 * resumed, `hooks.check`, and no unhandled rejection or exception. Returns the simulator, to be
 * used from the hooks and tests on (it starts in before(): until then any use of it throws).
 */
export function useSubjectSimulator(
  opts: SimulatorOptions = {},
  hooks: { fresh?(sim: Simulator): void; check?(sim: Simulator): void } = {},
): Simulator {
  const started = useNodeServer(() => startSimulator({ port: 0, users: { [USER]: PASSWORD }, ...opts }));
  before(() => LOG.install());
  beforeEach(() => {
    started.server.reset();
    LOG.clear();
    watchCalm();
    hooks.fresh?.(started.server);
  });
  // Registered after useNodeServer's hook, so this runs once the flow is unloaded.
  afterEach(async () => {
    const sim = started.server;
    sim.clearFaults();
    await sim.resume();
    hooks.check?.(sim);
    assertCalm();
  });
  // The describe() body runs before before(): what it is handed stands for the simulator to come.
  return new Proxy({} as Simulator, {
    get: (_target, key) => {
      const current = started.server;
      const value: unknown = Reflect.get(current, key);
      return typeof value === 'function' ? value.bind(current) : value;
    },
    set: (_target, key, value) => Reflect.set(started.server, key, value),
  });
}

/** The status words a failure shows: the code without its prefix, lower case. */
export function reasonText(code: string): string {
  return code
    .replace(/^WEBTAPI_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}

export function configNode(sim: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return config(sim, { timeout: TIMEOUT_MS, ...extra });
}

/** Config node (with TIMEOUT_MS), `n1` wired to helper `out`, and a Catch node for n1 wired to `caught`. */
export function subjectFlow(sim: Simulator, type: string, props: Record<string, unknown>, cfg: Record<string, unknown> = {}): object[] {
  return flow(sim, type, props, { timeout: TIMEOUT_MS, ...cfg }, ['n1']);
}

/** subjectFlow() of node `n1` of `type`, loaded with `creds`. */
export function loadNode(
  sim: Simulator,
  type: string,
  props: Record<string, unknown> = {},
  cfg: Record<string, unknown> = {},
  creds: object = CREDS,
): Promise<Nodes> {
  return loadFlow(sim, type, props, { timeout: TIMEOUT_MS, ...cfg }, creds, ['n1']);
}

export function loadSubject(sim: Simulator, s: Subject, cfg: Record<string, unknown> = {}, creds: object = CREDS): Promise<Nodes> {
  return loadNode(sim, s.type, s.props, cfg, creds);
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
    type: 'webtapi-call',
    props: { mode: 'call', src: '1001' },
    action: 'call',
    sideEffect: true,
    message: (_sim, i) => ({ payload: EXTENSIONS[1 + (i % 30)] }),
  },
  {
    type: 'webtapi-hangup',
    props: {},
    action: 'call_hangup',
    sideEffect: true,
    message: (sim, i) => ({ payload: sim.ring(EXTENSIONS[2 + (i % 30)]) }),
  },
  {
    type: 'webtapi-queue-agent',
    props: { operation: 'login', queue: 'SUPPORT' },
    action: 'agent_login',
    sideEffect: true,
    message: (sim, i) => {
      const agent = EXTENSIONS[3 + (i % 30)];
      const q = sim.state.queues.get('SUPPORT')!;
      q.agents = q.agents.filter((a) => a !== agent);
      return { agent };
    },
  },
  {
    type: 'webtapi-relay-set',
    props: { relay: '17', status: 'on' },
    action: 'relay_status_set',
    sideEffect: true,
    message: (_sim, i) => ({ payload: i % 2 === 0 ? 'on' : 'off' }),
  },
  {
    type: 'webtapi-cam-snapshot',
    props: { camera: '44' },
    action: 'vmx_cam_get_pic',
    sideEffect: false,
    message: () => ({}),
  },
  {
    type: 'webtapi-request',
    props: { action: 'vmx_cam_p_save', params: '{"CAMID":"45"}' },
    action: 'vmx_cam_p_save',
    sideEffect: true,
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
