// An in-process PBX that speaks METASEC WebTAPI over real HTTP(S), for tests, demos,
// benchmarks and fault injection. See docs/protocol.md for the contract it implements.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { CallControl } from './calls';
import { FaultQueue } from './faults';
import { normalizeOptions, type SimConfig } from './options';
import { RequestHandler } from './server';
import { Sessions } from './sessions';
import { SimState } from './state';
import { checkStreamOptions, defaultStreamOptions, OpenStreams, type StreamOptions } from './stream';
import { Timers } from './timers';
import type { Fault, SimRequest, SimStats, Simulator, SimulatorOptions } from './types';

export type { Answer, Fault, FaultKind, SimRequest, SimStats, Simulator, SimulatorOptions } from './types';
export type { ChannelState, SimCamera, SimChannel, SimExtension, SimQueue, SimRecording, SimRelay } from './state';
export { SimState, STATE_NAMES } from './state';
export { ACTION_NAMES } from './actions';
export { encodeJpeg, padJpeg } from './jpeg';
export { cameraJpeg, recordingWav } from './media';
export { MJPEG_BOUNDARY } from './stream';
export type { StreamOptions } from './stream';

class WebTapiSimulator implements Simulator {
  readonly state: SimState;
  readonly stats: SimStats = { logins: 0, loginFailures: 0, requests: 0, byAction: {}, executed: {} };
  readonly requests: SimRequest[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly sessionStore: Sessions;
  private readonly faults = new FaultQueue();
  private readonly pbxTimers = new Timers();
  private readonly ioTimers = new Timers();
  private readonly calls: CallControl;
  readonly stream: StreamOptions = defaultStreamOptions();
  private readonly streams = new OpenStreams();
  private listening = false;
  private closed = false;
  private boundPort: number;
  private readonly initialUsers: ReadonlyMap<string, string>;

  constructor(private readonly config: SimConfig) {
    this.boundPort = config.port;
    this.initialUsers = new Map(config.users);
    this.state = new SimState(config);
    this.sessionStore = new Sessions(config.sessionIdleMs);
    this.calls = new CallControl(this.state, this.pbxTimers, config.ringMs);
    const handler = new RequestHandler({
      config, state: this.state, calls: this.calls, sessions: this.sessionStore, faults: this.faults,
      stats: this.stats, requests: this.requests, ioTimers: this.ioTimers,
      stream: this.stream, openStreams: this.streams,
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

  ring(ext: string, from?: string): string {
    return this.calls.ring(ext, from);
  }

  answer(chan: string): void {
    if (!this.calls.answer(chan)) throw new Error(`unknown channel ${chan}`);
  }

  hangupAll(): void {
    this.state.hangupAll();
  }

  reset(): void {
    this.pbxTimers.clearAll();
    this.state.reset();
    this.calls.reset();
    this.faults.clear();
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
