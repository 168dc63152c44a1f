// Defaults and validation of SimulatorOptions.
import { Replay } from './replay';
import type { SimulatorOptions } from './types';

export interface SimConfig {
  port: number;
  host: string;
  path: string;
  /** Mutable: setUser() changes an account at run time. */
  users: Map<string, string>;
  sessionIdleMs: number;
  extensions: readonly string[];
  relays: ReadonlyArray<{ id: string; name: string; status: number }>;
  cameras: ReadonlyArray<{ id: string; name: string }>;
  queues: ReadonlyArray<{ name: string; agents: readonly string[] }>;
  ringMs: number;
  imageBytes: number;
  lineEnding: '\n' | '\r\n';
  statusSeparator: string;
  channelFields: 13 | 14;
  bridgeField: 'peer' | 'id';
  doorStation: string;
  control: boolean;
  tls?: { key: string | Buffer; cert: string | Buffer };
  replay?: Replay;
  /** Where to push events to (webtapi-sim --push). */
  push?: string;
  log?: (line: string) => void;
}

const DEFAULT_EXTENSIONS = Array.from({ length: 10 }, (_, i) => String(1001 + i));

function nonNegativeInt(name: string, value: number | undefined, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return dflt;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`webtapi simulator: option ${name} must be an integer 0..${max}, got ${String(value)}`);
  }
  return value;
}

/** Names appear in `id;name` lines: no separators or line breaks. */
function label(value: string): string {
  return String(value).replace(/[;|\t\r\n]/g, ' ');
}

function nonEmpty(name: string, value: string): string {
  if (typeof value !== 'string' || value === '' || /[\s!;|,]/.test(value)) {
    throw new TypeError(`webtapi simulator: ${name} must be a non-empty string without spaces or separators, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function normalizeOptions(o: SimulatorOptions = {}): SimConfig {
  const path = o.path ?? '/webtapi/webtapi.php';
  if (!path.startsWith('/')) throw new TypeError('webtapi simulator: option path must start with "/"');
  const channelFields = o.channelFields ?? 14;
  if (channelFields !== 13 && channelFields !== 14) throw new RangeError('webtapi simulator: channelFields must be 13 or 14');
  const bridgeField = o.bridgeField ?? 'peer';
  if (bridgeField !== 'peer' && bridgeField !== 'id') throw new RangeError('webtapi simulator: bridgeField must be "peer" or "id"');
  const lineEnding = o.lineEnding ?? '\n';
  if (lineEnding !== '\n' && lineEnding !== '\r\n') throw new RangeError('webtapi simulator: lineEnding must be "\\n" or "\\r\\n"');
  const users = new Map(Object.entries(o.users ?? { '1004': 'secret' }));
  const extensions = (o.extensions ?? DEFAULT_EXTENSIONS).map((e) => nonEmpty('extension', e));
  const relays = (
    o.relays ?? [
      { id: '17', name: 'Door' },
      { id: '18', name: 'Gate' },
      { id: '19', name: 'Light' },
    ]
  ).map((r) => ({ id: nonEmpty('relay id', r.id), name: label(r.name), status: nonNegativeInt('relay status', r.status, 0, 255) }));
  const cameras = (
    o.cameras ?? [
      { id: '44', name: 'Entrance' },
      { id: '45', name: 'Garage' },
    ]
  ).map((c) => ({ id: nonEmpty('camera id', c.id), name: label(c.name) }));
  const queues = Object.entries(o.queues ?? { VMX: ['1001'], SUPPORT: [] }).map(([name, agents]) => ({
    name: nonEmpty('queue name', name),
    agents: [...agents],
  }));
  return {
    port: nonNegativeInt('port', o.port, 0, 65535),
    host: o.host ?? '127.0.0.1',
    path,
    users,
    sessionIdleMs: nonNegativeInt('sessionIdleMs', o.sessionIdleMs, 30 * 60 * 1000),
    extensions,
    relays,
    cameras,
    queues,
    ringMs: nonNegativeInt('ringMs', o.ringMs, 0),
    imageBytes: nonNegativeInt('imageBytes', o.imageBytes, 0, 256 * 1024 * 1024),
    lineEnding,
    statusSeparator: o.statusSeparator ?? ':',
    channelFields,
    bridgeField,
    doorStation: nonEmpty('doorStation', o.doorStation ?? '1009'),
    control: o.control ?? true,
    tls: o.tls,
    replay: o.replay ? new Replay(o.replay) : undefined,
    push: o.push,
    log: o.log,
  };
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * What to tell the user who binds the simulator elsewhere: its password is public (the README
 * prints it) and its control API (/sim/) rings, answers and hangs up without a session; a relay
 * set there may be wired to nothing, but whoever reaches it drives the demo's door flows.
 */
export function exposureWarning(host: string): string | null {
  if (isLoopback(host)) return null;
  return (
    `warning: listening on ${host}, not a loopback address: anyone who can reach this machine can log in with the simulator's ` +
    'published credentials, set its relays and use its control API (/sim/). Bind 127.0.0.1 (the default) unless you mean it.'
  );
}
