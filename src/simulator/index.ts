// An in-process PBX that speaks METASEC WebTAPI over real HTTP(S), for tests, demos,
// benchmarks and fault injection. See docs/protocol.md for the contract it implements.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { CallControl } from './calls';
import { FaultQueue } from './faults';
import { normalizeOptions, type SimConfig } from './options';
import { PushNotifier, type PushStats } from './push';
import { RequestHandler } from './server';
import { Sessions } from './sessions';
import { SimState, type CallOptions } from './state';
import { checkStreamOptions, defaultStreamOptions, OpenStreams, type StreamOptions } from './stream';
import { Timers } from './timers';
import type { Fault, SimRequest, SimStats, Simulator, SimulatorOptions } from './types';

export type { Answer, Fault, FaultKind, SimRequest, SimStats, Simulator, SimulatorOptions } from './types';
export type { CallOptions, ChannelState, SimCamera, SimChannel, SimExtension, SimQueue, SimRecording, SimRelay } from './state';
export { SimState } from './state';
export { STATE_NAMES } from '../client/ext-states';
export { ACTION_NAMES } from './actions';
export { encodeJpeg, padJpeg } from './jpeg';
export { cameraJpeg, recordingWav } from './media';
export { MJPEG_BOUNDARY } from './stream';
export { CONTROL_PREFIX } from './control';
export type { StreamOptions } from './stream';
export type { PushStats } from './push';

class WebTapiSimulator implements Simulator {
  readonly state: SimState;
  readonly stats: SimStats = { logins: 0, loginFailures: 0, requests: 0, byAction: {}, executed: {} };
  readonly requests: SimRequest[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly sessionStore: Sessions;
  private readonly faults = new FaultQueue();
  private readonly pbxTimers = new Timers(() => this.pusher.check());
  private readonly ioTimers = new Timers();
  private readonly calls: CallControl;
  readonly stream: StreamOptions = defaultStreamOptions();
  private readonly streams = new OpenStreams();
  private listening = false;
  private closed = false;
  private boundPort: number;
  private readonly initialUsers: ReadonlyMap<string, string>;
  private readonly pusher: PushNotifier;

  constructor(private readonly config: SimConfig) {
    this.boundPort = config.port;
    this.initialUsers = new Map(config.users);
    this.state = new SimState(config);
    this.pusher = new PushNotifier(this.state, (line) => config.log?.(line));
    if (config.push) this.pusher.setUrl(config.push);
    this.sessionStore = new Sessions(config.sessionIdleMs);
    this.calls = new CallControl(this.state, this.pbxTimers, config.ringMs);
    const handler = new RequestHandler({
      config,
      state: this.state,
      calls: this.calls,
      sessions: this.sessionStore,
      faults: this.faults,
      stats: this.stats,
      requests: this.requests,
      ioTimers: this.ioTimers,
      control: this,
      stream: this.stream,
      openStreams: this.streams,
      changed: () => this.pusher.check(),
    });
    this.server = config.tls
      ? https.createServer({ key: config.tls.key, cert: config.tls.cert }, handler.handle)
      : http.createServer(handler.handle);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, duplex) => {
      // Malformed request line, headers too large (a huge query string), bad method token...:
      // answer 400, then read and drop what the client still sends so it sees the answer, not a reset.
      const socket = duplex as Socket;
      if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
        socket.destroy();
        return;
      }
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nBad Request\n');
      socket.resume();
      socket.setTimeout(2000, () => socket.destroy());
    });
    this.server.on('error', (err) => config.log?.(`server error: ${err.message}`));
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `${this.config.tls ? 'https' : 'http'}://${host}:${this.boundPort}${this.config.path}`;
  }

  openStreams(camera?: string): number {
    return camera === undefined ? this.streams.total : this.streams.of(camera);
  }

  get sessions(): ReadonlySet<string> {
    return this.sessionStore.valid();
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ port, host: this.config.host, exclusive: true }, () => {
        this.server.removeListener('error', onError);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.boundPort = addr.port;
        this.listening = true;
        resolve();
      });
    });
  }

  expireSessions(): void {
    this.sessionStore.expireAll();
  }

  setUser(user: string, password: string | null): void {
    if (typeof user !== 'string' || user === '') throw new TypeError('webtapi simulator: setUser needs a user name');
    if (password === null) this.config.users.delete(user);
    else this.config.users.set(user, String(password));
  }

  injectFault(f: Fault): void {
    this.faults.add(f);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  async pause(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  async resume(): Promise<void> {
    if (this.closed) throw new Error('webtapi simulator is closed');
    if (this.listening) return;
    await this.listen(this.boundPort);
  }

  get pushes(): PushStats {
    return this.pusher.stats;
  }

  get pushing(): boolean {
    return this.pusher.on;
  }

  setPush(url: string | null): void {
    this.pusher.setUrl(url);
  }

  /** `fn` changes the PBX model: the pushes report what it changed, also when it throws. */
  private changing<T>(fn: () => T): T {
    try {
      return fn();
    } finally {
      this.pusher.check();
    }
  }

  ring(ext: string, from?: string, options?: CallOptions): string {
    return this.changing(() => this.calls.ring(ext, from, options));
  }

  doorbell(flat = '1001'): string {
    return this.changing(() => this.calls.ring(flat, this.config.doorStation));
  }

  queueCall(queue: string, from?: string, options?: CallOptions): string {
    return this.changing(() => this.calls.queueCall(queue, from, options));
  }

  answer(chan: string): void {
    this.changing(() => {
      if (!this.calls.answer(this.ringing(chan))) throw new Error(`unknown channel ${chan}`);
    });
  }

  reject(chan: string): void {
    this.changing(() => {
      if (!this.calls.reject(this.ringing(chan))) throw new Error(`nothing rings on ${chan}`);
    });
  }

  hangup(chan: string): void {
    const name = this.state.channels.has(chan) ? chan : this.state.channelsOf(chan)[0]?.name;
    this.changing(() => {
      if (name === undefined || !this.state.hangup(name)) throw new Error(`no call on ${chan}`);
    });
  }

  /** A channel name as given, or an extension's ringing channel. */
  private ringing(chanOrExt: string): string {
    if (this.state.channels.has(chanOrExt)) return chanOrExt;
    const mine = this.state.channelsOf(chanOrExt);
    return (mine.find((c) => c.state === 'Ringing' || c.state === 'Down') ?? mine[0])?.name ?? chanOrExt;
  }

  hangupAll(): void {
    this.changing(() => this.state.hangupAll());
  }

  reset(): void {
    this.pbxTimers.clearAll();
    this.state.reset();
    this.calls.reset();
    this.faults.clear();
    this.pusher.resync();
    this.pusher.resetStats();
    delete this.stream.tap;
    Object.assign(this.stream, defaultStreamOptions());
    this.config.users.clear();
    for (const [u, p] of this.initialUsers) this.config.users.set(u, p);
    this.requests.length = 0;
    const s = this.stats;
    s.logins = 0;
    s.loginFailures = 0;
    s.requests = 0;
    for (const k of Object.keys(s.byAction)) delete s.byAction[k];
    for (const k of Object.keys(s.executed)) delete s.executed[k];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pusher.close();
    this.pbxTimers.clearAll();
    this.ioTimers.clearAll();
    this.faults.clear();
    await this.pause();
    for (const s of this.sockets) s.destroy();
  }
}

/** Start a simulator; resolves once it listens. */
export async function startSimulator(opts?: SimulatorOptions): Promise<Simulator> {
  const stream = checkStreamOptions(opts?.stream ?? {});
  const sim = new WebTapiSimulator(normalizeOptions(opts));
  Object.assign(sim.stream, stream);
  await sim.listen(sim.port);
  return sim;
}
