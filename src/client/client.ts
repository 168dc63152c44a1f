import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { ACTIONS, ActionSpec, unknownAction } from './actions';
import { isDataAnswer, isZeroAnswer, parseAnswer } from './answer';
import { actionExchange, buildParams, encodeParams, openingExchange } from './build-request';
import { Calls } from './calls';
import { Cameras } from './cameras';
import { Channels } from './channels';
import { errorKind } from './codes';
import { ActionFailedError, BadResponseError, ClosedError, InvalidInputError, isWebTapiError } from './errors';
import { Queues } from './queues';
import { Relays } from './relays';
import { echoed, scrubBody, scrubError } from './secrets';
import { ConnectionState, Session } from './session';
import { isPbxText, streamHead } from './stream-head';
import { Answer, OpenAnswer, TlsOptions, Transport } from './transport';
import type { Execution, Params, RequestOptions, Requester } from './types';
import { validateActionName } from './validate';

export interface WebTapiClientOptions {
  /** The WebTAPI endpoint, e.g. http://192.168.1.1:9998/webtapi/webtapi.php */
  url: string;
  username: string;
  password: string;
  /** Total deadline of one request, ms (default 10000, 100..600000; see LIMITS). */
  timeoutMs?: number;
  /** Requests in flight at once (default 4, 1..64). */
  concurrency?: number;
  tls?: TlsOptions;
  /** Cap for text answers (default 4 MiB). */
  maxTextBytes?: number;
  /** Cap for pictures, recordings and stream excerpts (default 32 MiB). */
  maxBinaryBytes?: number;
  /** First wait after a rejected login, doubling up to loginBackoffMaxMs (defaults 2 s, 60 s). */
  loginBackoffMs?: number;
  loginBackoffMaxMs?: number;
  /**
   * A session proven valid this recently is trusted without a probe when an action answers 0
   * (default 0: always probe). Above 0 saves a probe per failed action, but a session the PBX drops
   * within that window (a restart, an expiry while requests are in flight) is then reported as
   * WEBTAPI_ACTION_FAILED instead of being renewed and the action resent.
   */
  freshSessionMs?: number;
  /** Default read time of vmx_cam_get_stream (default 3000 ms). */
  streamMs?: number;
  /** Replaces the connection pool; for fault tests. */
  dispatcher?: Dispatcher;
}

/** The bounds of the client's settings: a value outside is brought within, a missing or non-numeric one is the default. */
export const LIMITS = {
  timeoutMs: { min: 100, max: 600_000, default: 10_000 },
  concurrency: { min: 1, max: 64, default: 4 },
} as const;

function clamped(value: unknown, limit: { min: number; max: number; default: number }): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.min(limit.max, Math.max(limit.min, Math.floor(n))) : limit.default;
}

export interface WebTapiClientEvents {
  state: [ConnectionState];
}

/**
 * A WebTAPI client for one PBX: one session, one connection pool, every documented action.
 * It knows nothing of Node-RED.
 */
export class WebTapiClient extends EventEmitter<WebTapiClientEvents> implements Requester {
  readonly calls = new Calls(this);
  readonly queues = new Queues(this);
  readonly cameras = new Cameras(this);
  readonly channels = new Channels(this);
  readonly relays = new Relays(this);

  private readonly transport: Transport;
  private readonly session: Session;
  private readonly streamMs: number;
  /** Cap for pictures, recordings and one stream frame. */
  readonly maxBinaryBytes: number;
  private connection: ConnectionState;
  private closed = false;

  /**
   * A URL that cannot be used does not throw: the client is then `misconfigured` and every request
   * fails with WEBTAPI_INVALID_INPUT naming the URL, without opening a socket.
   */
  constructor(options: WebTapiClientOptions) {
    super();
    const concurrency = clamped(options.concurrency, LIMITS.concurrency);
    const timeoutMs = clamped(options.timeoutMs, LIMITS.timeoutMs);
    this.streamMs = options.streamMs ?? 3_000;
    this.maxBinaryBytes = options.maxBinaryBytes ?? 32 * 1024 * 1024;
    this.transport = new Transport({
      url: options.url,
      timeoutMs,
      concurrency,
      tls: options.tls,
      maxTextBytes: options.maxTextBytes ?? 4 * 1024 * 1024,
      maxBinaryBytes: this.maxBinaryBytes,
      dispatcher: options.dispatcher,
    });
    this.session = new Session(this.transport, {
      username: options.username ?? '',
      password: options.password ?? '',
      backoffMs: options.loginBackoffMs ?? 2_000,
      backoffMaxMs: options.loginBackoffMaxMs ?? 60_000,
      freshSessionMs: options.freshSessionMs ?? 0,
      onState: (s) => this.setState(s),
    });
    const problem = this.transport.urlProblem;
    this.connection = problem === null ? { state: 'idle' } : { state: 'misconfigured', reason: problem };
  }

  /** The connection as last seen (see ConnectionState). */
  get state(): ConnectionState {
    return this.connection;
  }

  /** Logins sent so far (a benchmark and test figure: one per session). */
  get loginCount(): number {
    return this.session.logins;
  }

  /** Logs in now (Test connection); resolves when a session exists. */
  async connect(options?: RequestOptions): Promise<void> {
    this.assertUsable('login');
    if (options?.signal?.aborted) throw new ClosedError('login');
    await this.session.current();
  }

  /** Any action, documented or not. Resolves to the parsed answer. */
  async request(action: string, params?: Params, options?: RequestOptions): Promise<unknown> {
    return (await this.execute(action, params, options)).result;
  }

  /** Like request(), also telling what was sent and how long it took. */
  async execute(action: string, params: Params = {}, options: RequestOptions = {}): Promise<Execution> {
    const started = performance.now();
    const name = validateActionName(action);
    this.assertUsable(name);
    const spec = ACTIONS.get(name) ?? unknownAction(name);
    const sent = buildParams(spec, params);
    const query = encodeParams(name, sent);
    let sid = await this.session.current();
    let answer = await this.send(spec, sid, query, options);
    if (!isZeroAnswer(spec, answer)) {
      this.session.proven(sid);
    } else if (await this.session.isExpired(sid)) {
      // The action did not run (no session): send it once more with a new one.
      sid = await this.session.renew(sid);
      answer = await this.send(spec, sid, query, options);
    }
    const secrets = this.session.secrets(sid);
    // Texts of the answer become results (names, list items), and a PBX may echo the request in
    // them (a PHP notice dumping $_GET). Scrubbed before parsing: the parser splits at `!`, `,`,
    // line breaks, and the pieces of a password split there would not be found afterwards. Looked
    // for in the raw bytes first, so a normal answer costs one search; pictures, recordings and
    // streams are data, passed on as they are.
    if (!isDataAnswer(spec, answer) && echoed(answer.body, secrets)) answer = { ...answer, body: scrubBody(answer.body, secrets) };
    let result: unknown;
    try {
      result = parseAnswer(spec, answer, sent);
    } catch (err) {
      // A parse error quotes the answer: the session id and the password must not travel on in it.
      throw scrubError(err, secrets);
    }
    return { action: name, params: sent, result, durationMs: Math.round((performance.now() - started) * 100) / 100 };
  }

  /**
   * Opens an endless answer (vmx_cam_get_stream) and hands over its body unread: readCameraStream()
   * turns it into frames. A text answer is the PBX's word: a `0` with an expired session is sent
   * once more with a new one, otherwise it fails the call.
   */
  async openStream(action: string, params: Params = {}, options: RequestOptions = {}): Promise<OpenAnswer & { head: Buffer }> {
    const name = validateActionName(action);
    this.assertUsable(name);
    const spec = ACTIONS.get(name) ?? unknownAction(name);
    const query = encodeParams(name, buildParams(spec, params));
    let sid = await this.session.current();
    for (let attempt = 0; ; attempt++) {
      const open = await this.track(this.transport.open(openingExchange(name, sid, query, options)));
      const head = await streamHead(open, options.timeoutMs ?? 10_000);
      if (!isPbxText(head, open.contentType)) {
        this.session.proven(sid);
        return { ...open, head };
      }
      open.close();
      if (head.toString('latin1').trim() !== '0') throw new BadResponseError(name, 'text instead of a stream');
      if (attempt > 0 || !(await this.session.isExpired(sid))) throw new ActionFailedError(name);
      sid = await this.session.renew(sid);
    }
  }

  /** The one place where a request's outcome updates the connection state. */
  private async track<T>(work: Promise<T>): Promise<T> {
    try {
      const result = await work;
      if (this.connection.state !== 'connected') this.setState({ state: 'connected' });
      return result;
    } catch (err) {
      if (isWebTapiError(err) && (err.code === 'WEBTAPI_UNREACHABLE' || errorKind(err.code) === 'no-answer')) {
        this.setState({ state: 'unreachable', code: err.code });
      }
      throw err;
    }
  }

  /** Refuses a request of a closed client, or of one whose URL cannot be used, before anything else. */
  private assertUsable(action: string): void {
    if (this.closed) throw new ClosedError(action);
    if (this.connection.state === 'misconfigured') throw new InvalidInputError(action, 'url', this.connection.reason);
  }

  private send(spec: ActionSpec, sid: string, query: string, options: RequestOptions): Promise<Answer> {
    return this.track(this.transport.send(actionExchange(spec, sid, query, options, this.streamMs)));
  }

  private setState(state: ConnectionState): void {
    const prev = this.connection;
    this.connection = state;
    if (prev.state !== state.state || state.state === 'login-failed') this.emit('state', state);
  }

  /** Aborts what is in flight and closes every connection. The PBX session is left to expire. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.session.clear();
    await this.transport.close();
  }
}
