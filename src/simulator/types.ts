// Public types of the WebTAPI simulator (see docs/protocol.md for the wire contract).
import type { CallOptions, SimState } from './state';
import type { StreamOptions } from './stream';
import type { Capture } from '../probe/capture';
import type { PushStats } from './push';

export interface SimulatorOptions {
  /** Port to listen on; default 0 (ephemeral). The CLI defaults to 9998. */
  port?: number;
  /** Interface to bind; default '127.0.0.1'. */
  host?: string;
  /** Endpoint path; default '/webtapi/webtapi.php'. */
  path?: string;
  /** username -> password; default { '1004': 'secret' }. The username is the user's own extension. */
  users?: Record<string, string>;
  /** Idle time after which a session id answers '0'; default 30 minutes. */
  sessionIdleMs?: number;
  /** Extensions of the PBX; default 1001..1010. */
  extensions?: string[];
  /** Relays; default 17 Door, 18 Gate, 19 Light (status 0). */
  relays?: Array<{ id: string; name: string; status?: number }>;
  /** Cameras; default 44 Entrance, 45 Garage. */
  cameras?: Array<{ id: string; name: string }>;
  /** queue name -> logged-in agent extensions; default { VMX: ['1001'], SUPPORT: [] }. */
  queues?: Record<string, string[]>;
  /** 0 (default): a called extension rings until answered/hung up; >0: answered after this many ms. */
  ringMs?: number;
  /** Pad each JPEG with COM segments to at least this many bytes; default: natural size. */
  imageBytes?: number;
  /** How vmx_cam_get_stream answers (also changeable later through `simulator.stream`). */
  stream?: Partial<StreamOptions>;
  /** Line separator of list answers; default '\n'. */
  lineEnding?: '\n' | '\r\n';
  /** call_status_get separator; default ':'. */
  statusSeparator?: string;
  /** Concise channel line layout; default 14 fields. */
  channelFields?: 13 | 14;
  /** What the bridged field of a channel line holds: the peer channel (Asterisk ≤ 11, default) or a bridge id (12+). */
  bridgeField?: 'peer' | 'id';
  /** The door station's extension, for doorbell(); default '1009'. */
  doorStation?: string;
  /** Serve the control API under /sim/ (ring, answer, reject, hang up; see docs/simulator.md); default true. */
  control?: boolean;
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** A webtapi-probe capture: its read-only actions are answered with the captured bytes. */
  replay?: Capture;
  /**
   * On each change (a phone rings, answers, hangs up; a relay switches) request this URL with
   * event=ring|answer|hangup (src, dst, chan) or event=relay (relay, status), as a dialplan would.
   */
  push?: string;
  /** One line per request (never contains a session id or a password). */
  log?: (line: string) => void;
}

export interface SimStats {
  logins: number;
  loginFailures: number;
  requests: number;
  /** Every request received on the endpoint, per action (login included). */
  byAction: Record<string, number>;
  /** Side effects that really happened, per action. */
  executed: Record<string, number>;
}

export interface SimRequest {
  method: string;
  action: string;
  /** Request parameters without SID, action and AUTH[...]. */
  params: Record<string, string>;
  at: number;
}

export type FaultKind = 'reset-before' | 'reset-after' | 'hang' | 'http500' | 'garbage' | 'oversize' | 'drip' | 'zero';

export type Fault = {
  kind: FaultKind;
  /** Only requests for this action ('login' included); default any. */
  action?: string;
  /** How many requests it applies to; default 1. */
  times?: number;
  /** Instead of `times`: every matching request for this many milliseconds from now (an outage). */
  forMs?: number;
  /** hang/http500/garbage/drip/oversize: run the action's side effect first (default false). */
  execute?: boolean;
  /** oversize: body size to stream (default 64 MiB). */
  bytes?: number;
  /** oversize: announce the size in a Content-Length header (default: chunked, size unknown up front). */
  declare?: boolean;
  /** drip: interval between single bytes (default 200 ms); the body never ends. */
  dripMs?: number;
  /** garbage: the body (default a PHP warning HTML snippet). */
  body?: string;
  /** garbage: its content type (default `text/html; charset=utf-8`). */
  contentType?: string;
};

export interface Simulator {
  /** The full endpoint URL, e.g. http://127.0.0.1:41234/webtapi/webtapi.php */
  readonly url: string;
  readonly port: number;
  /** The PBX model: extensions (with state codes), channels, relays, cameras, queues, recordings. */
  readonly state: SimState;
  /** Live counters (the same object for the simulator's lifetime). */
  readonly stats: SimStats;
  /** The last 1000 requests. */
  readonly requests: SimRequest[];
  /** How vmx_cam_get_stream answers (format, framing, rate, drop after N frames); change it at run time. */
  readonly stream: StreamOptions;
  /** Camera streams open now, of one camera or (no argument) of all. */
  openStreams(camera?: string): number;
  /** The session ids valid now (a snapshot). */
  readonly sessions: ReadonlySet<string>;
  /** Every session id answers '0' from now on. */
  expireSessions(): void;
  /** Add a user, change a password, or (null) remove a user: an account fixed or locked on the PBX. */
  setUser(user: string, password: string | null): void;
  /** Queue a fault for the next matching request(s). */
  injectFault(f: Fault): void;
  clearFaults(): void;
  /** Stop listening and destroy open sockets (clients get ECONNREFUSED); the PBX keeps its state. */
  pause(): Promise<void>;
  /** Listen again on the same port. */
  resume(): Promise<void>;
  /**
   * A call rings ext; answers the ringing channel's name. `from` an extension of the PBX (and no
   * `options.trunk`): an internal call (its channel dials ext); anything else: an outside caller on a
   * trunk (number `from`, name `options.name`). Throws for an unknown ext.
   */
  ring(ext: string, from?: string, options?: CallOptions): string;
  /** The door station (option doorStation, default 1009) calls flat `flat`; answers the flat's ringing channel. */
  doorbell(flat?: string): string;
  /**
   * A caller (an outside number by default) calls queue `queue`; the first logged-in agent that is
   * free rings through a Local channel pair. Answers the caller's channel.
   */
  queueCall(queue: string, from?: string, options?: CallOptions): string;
  /** The ringing channel goes off hook (chan: a channel name, or an extension: its ringing channel). Throws when nothing rings there. */
  answer(chan: string): void;
  /** The ringing channel refuses the call (busy): the caller hears busy and hangs up. Throws when nothing rings there. */
  reject(chan: string): void;
  /** Hang up the call chan is part of (chan: a channel name, or an extension: its first channel). Throws when there is none. */
  hangup(chan: string): void;
  /** Hang up every channel (queue callers included). */
  hangupAll(): void;
  /** Push events to `url` from now on (null: stop); the state now counts as seen. */
  setPush(url: string | null): void;
  /** Whether a push URL is set. */
  readonly pushing: boolean;
  /** What the pushes did (reset() clears it). */
  readonly pushes: PushStats;
  /** PBX model and users back to their initial state; stats, the request list and faults cleared. Sessions stay valid. */
  reset(): void;
  /** Close the server, destroy every socket (streams and hung requests too) and clear every timer. */
  close(): Promise<void>;
}

/** What an action answers. */
export type Answer =
  | { kind: 'text'; body: string }
  | { kind: 'binary'; type: string; body: Buffer }
  | { kind: 'stream'; camera: string }
  /** A replayed answer: status, content type and bytes as captured. */
  | { kind: 'raw'; status: number; type: string; body: Buffer };
