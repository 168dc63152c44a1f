// The HTTP side of the simulator: parses a request, applies an injected fault or runs the
// action, and writes the answer. Never throws: bad input answers '0' or 400.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { messageOf } from '../client/errors';
import { ACTIONS, type ActionContext } from './actions';
import type { CallControl } from './calls';
import { CONTROL_PREFIX, handleControl, type ControlTarget } from './control';
import { applyFault, faultExecutes, type FaultQueue } from './faults';
import { cameraJpeg } from './media';
import type { SimConfig } from './options';
import type { Sessions } from './sessions';
import type { SimState } from './state';
import { OpenStreams, streamMjpeg, type StreamOptions } from './stream';
import type { Timers } from './timers';
import type { Answer, SimRequest, SimStats } from './types';

const MAX_BODY = 64 * 1024;
const MAX_LOGGED_REQUESTS = 1000;
const ZERO: Answer = { kind: 'text', body: '0' };
const isAuth = (key: string): boolean => /^AUTH(\[|$)/i.test(key);
/** Never logged or recorded: the session id, the action (recorded apart) and credentials. */
const HIDDEN = (key: string): boolean => key.toUpperCase() === 'SID' || key === 'action' || isAuth(key);

export interface ServerDeps {
  config: SimConfig;
  state: SimState;
  calls: CallControl;
  sessions: Sessions;
  faults: FaultQueue;
  stats: SimStats;
  requests: SimRequest[];
  /** Timers of responses (streams, drips); cleared by close(). */
  ioTimers: Timers;
  /** Serves the control API when config.control is on. */
  control: ControlTarget;
  stream: StreamOptions;
  openStreams: OpenStreams;
  /** After each action and control command: the model may have changed (pushes). */
  changed?: () => void;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err: Error | null, body = ''): void => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(body);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        settle(new BodyTooLarge('request body too large'));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => settle(null, Buffer.concat(chunks).toString('utf8')));
    req.on('error', (e) => settle(e));
    req.on('close', () => settle(new Error('request aborted')));
  });
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

function publicParams(params: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!HIDDEN(k)) out[k] = v;
  return out;
}

function describe(params: Record<string, string>): string {
  const clean = (s: string): string => {
    // eslint-disable-next-line no-control-regex -- control characters are what this replaces
    const t = s.replace(/[\x00-\x1f\x7f]/g, '?');
    return t.length > 64 ? `${t.slice(0, 61)}...` : t;
  };
  return Object.entries(params)
    .map(([k, v]) => `${clean(k)}=${clean(v)}`)
    .join(' ');
}

/** What the log says about an answer (never the session id a login answers). */
function summary(action: string, answer: Answer): string {
  if (answer.kind === 'binary') return `${answer.type} ${answer.body.length} bytes`;
  if (answer.kind === 'stream') return 'MJPEG stream';
  if (answer.kind === 'raw') return `replayed: HTTP ${answer.status} ${answer.body.length} bytes`;
  if (action === 'login') return answer.body === '0' ? 'login refused' : 'new session';
  return JSON.stringify(answer.body.length > 40 ? `${answer.body.slice(0, 37)}...` : answer.body);
}

function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length });
  res.end(buf);
}

export class RequestHandler {
  constructor(private readonly d: ServerDeps) {}

  /** The 'request' listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('error', () => undefined); // a client that went away is not our problem
    this.serve(req, res).catch((err: unknown) => {
      this.log(`internal error: ${messageOf(err)}`);
      if (!res.headersSent && !res.destroyed) sendText(res, 500, 'internal simulator error\n');
      else res.destroy();
    });
  };

  private log(line: string): void {
    try {
      this.d.config.log?.(line);
    } catch {
      // a throwing logger must not break the PBX
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { config, stats } = this.d;
    stats.requests++;
    res.setHeader('Server', 'Apache/2.2.22 (Debian)');
    res.setHeader('X-Powered-By', 'PHP/5.4.4-14+deb7u5');
    const method = req.method ?? '';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      this.log(`${method} (bad url) -> 400`);
      sendText(res, 400, 'Bad Request\n');
      return;
    }
    if (config.control && url.pathname.startsWith(CONTROL_PREFIX)) {
      const command = url.pathname.slice(CONTROL_PREFIX.length);
      const result = handleControl(this.d.control, method, command, url.searchParams, res);
      this.d.changed?.();
      this.log(`${method} control ${command.slice(0, 40)} -> ${result}`);
      return;
    }
    if (url.pathname !== config.path) {
      this.log(`${method} ${url.pathname.slice(0, 80)} -> 404`);
      sendText(
        res,
        404,
        '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n',
        'text/html; charset=iso-8859-1',
      );
      return;
    }
    if (method !== 'GET' && method !== 'POST') {
      this.log(`${method.slice(0, 16)} -> 400`);
      res.setHeader('Connection', 'close');
      sendText(res, 400, 'Bad Request\n');
      return;
    }
    const request = await this.parameters(req, res, method, url);
    if (!request) return;
    const { params, body } = request;
    const action = params.get('action') ?? '';
    const line = this.record(method, action, params);

    const fault = this.d.faults.take(action);
    if (fault) {
      if (faultExecutes(fault)) this.run(method, action, params, body);
      this.d.changed?.();
      this.log(`${line} -> fault ${fault.kind}`);
      applyFault(fault, res, this.d.ioTimers);
      return;
    }
    const answer = this.run(method, action, params, body);
    this.d.changed?.();
    this.respond(res, answer);
    this.log(`${line} -> ${summary(action, answer)}`);
  }

  /** Counts the action and keeps the request (without its secrets) in `sim.requests`; returns its log line. */
  private record(method: string, action: string, params: Map<string, string>): string {
    this.d.stats.byAction[action] = (this.d.stats.byAction[action] ?? 0) + 1;
    const shown = publicParams(params);
    this.d.requests.push({ method, action, params: shown, at: Date.now() });
    if (this.d.requests.length > MAX_LOGGED_REQUESTS) this.d.requests.splice(0, this.d.requests.length - MAX_LOGGED_REQUESTS);
    return `${method} ${action || '(no action)'}${Object.keys(shown).length ? ` ${describe(shown)}` : ''}`;
  }

  /** The query and (for POST) body parameters, or null when the answer is already given (body too large) or the client left. */
  private async parameters(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
  ): Promise<{ params: Map<string, string>; body: Map<string, string> } | null> {
    const params = new Map(url.searchParams);
    const body = new Map<string, string>();
    if (method !== 'POST') return { params, body };
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return null; // the client went away
      this.log('POST (body too large) -> 400');
      res.setHeader('Connection', 'close');
      sendText(res, 400, 'Bad Request\n');
      return null;
    }
    for (const [k, v] of new URLSearchParams(raw)) body.set(k, v);
    for (const [k, v] of body) if (!isAuth(k)) params.set(k, v); // like PHP's $_REQUEST, POST wins
    return { params, body };
  }

  /** Run an action as the PBX would (session check, parameters, side effect) and say what to answer. */
  run(method: string, action: string, params: ReadonlyMap<string, string>, body: ReadonlyMap<string, string>): Answer {
    const { stats } = this.d;
    if (action === 'login') return this.login(method, body);
    const user = this.d.sessions.use(params.get('SID') ?? null);
    if (user === undefined || !Object.hasOwn(ACTIONS, action)) return ZERO;
    const replayed = this.d.config.replay?.answer(action, params, user);
    if (replayed) return replayed;
    const ctx: ActionContext = {
      user,
      state: this.d.state,
      calls: this.d.calls,
      config: this.d.config,
      done: () => {
        stats.executed[action] = (stats.executed[action] ?? 0) + 1;
      },
    };
    return ACTIONS[action](ctx, params);
  }

  private login(method: string, body: ReadonlyMap<string, string>): Answer {
    const { stats, config } = this.d;
    stats.logins++;
    const user = body.get('AUTH[user]');
    const pass = body.get('AUTH[pass]');
    const expected = user === undefined ? undefined : config.users.get(user);
    // POST only (the document): a GET login, or credentials anywhere but the body, is refused.
    if (method !== 'POST' || user === undefined || pass === undefined || expected === undefined || !sameSecret(pass, expected)) {
      stats.loginFailures++;
      return ZERO;
    }
    return { kind: 'text', body: this.d.sessions.create(user) };
  }

  private respond(res: ServerResponse, answer: Answer): void {
    if (answer.kind === 'text') {
      sendText(res, 200, answer.body);
    } else if (answer.kind === 'raw') {
      res.writeHead(answer.status, { 'Content-Type': answer.type, 'Content-Length': answer.body.length });
      res.end(answer.body);
    } else if (answer.kind === 'binary') {
      res.writeHead(200, { 'Content-Type': answer.type, 'Content-Length': answer.body.length, 'Cache-Control': 'no-cache' });
      res.end(answer.body);
    } else {
      const id = answer.camera;
      streamMjpeg(
        res,
        id,
        () => {
          const cam = this.d.state.cameras.get(id);
          const frame = cam ? ++cam.frames : 0;
          return cameraJpeg(id, cam?.name ?? '', frame, cam?.recording ?? false, this.d.config.imageBytes);
        },
        this.d.ioTimers,
        { ...this.d.stream },
        this.d.openStreams,
      );
    }
  }
}
