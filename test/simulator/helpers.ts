// The simulator suites' shared parts: one simulator per suite (reset and logged in again before
// each test), plain node:http requests (a fresh connection each, so paused servers and reset
// sockets are seen as they are), login and action shortcuts, and the one polling wait.
import * as http from 'node:http';
import * as https from 'node:https';
import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../dist/simulator';
import { until } from '../../scripts/lib/until';

export { until };

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: http.OutgoingHttpHeaders;
  /** Fail with code 'TIMEOUT' when no complete answer came within this time. */
  timeoutMs?: number;
  /** Default: a fresh connection per request. */
  agent?: http.Agent;
}

export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export function request(url: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: opts.agent ?? false,
        rejectUnauthorized: false,
      } as https.RequestOptions,
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'ERR', e.message));
        res.on('aborted', () => fail('ECONNRESET', 'response aborted'));
      },
    );
    let done = false;
    const fail = (code: string, message: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(new RequestError(message, code));
    };
    const timer = setTimeout(() => fail('TIMEOUT', `no answer within ${opts.timeoutMs} ms`), opts.timeoutMs ?? 10_000);
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'ERR', e.message));
    req.end(opts.body);
  });
}

/** Awaits a rejected request and answers its error code. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? 'ERR';
  }
  assert.fail('the request was expected to fail');
}

export function loginRequest(url: string, user: string, pass: string, method = 'POST'): Promise<Reply> {
  const body = `action=login&${encodeURIComponent('AUTH[user]')}=${encodeURIComponent(user)}&${encodeURIComponent('AUTH[pass]')}=${encodeURIComponent(pass)}`;
  return request(`${url}?action=login`, {
    method,
    body: method === 'POST' ? body : undefined,
    headers: method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : undefined,
  });
}

export async function login(sim: Simulator, user = '1004', pass = 'secret'): Promise<string> {
  const r = await loginRequest(sim.url, user, pass);
  assert.equal(r.status, 200);
  assert.match(r.text, /^[0-9a-f]{32}$/);
  return r.text;
}

export function actionUrl(sim: Simulator, sid: string, action: string, params: Record<string, string> = {}): string {
  const q = new URLSearchParams({ SID: sid, action, ...params });
  return `${sim.url}?${q.toString()}`;
}

/** Run an action; answers the body as text (asserting HTTP 200). */
export async function act(sim: Simulator, sid: string, action: string, params: Record<string, string> = {}): Promise<string> {
  const r = await request(actionUrl(sim, sid, action, params));
  assert.equal(r.status, 200, `${action}: HTTP ${r.status}`);
  return r.text;
}

export function lines(text: string): string[] {
  return text === '' ? [] : text.split(/\r?\n/);
}

/** Waits (polling the model, bounded) until cond() holds: until() under the name these suites used. */
export const waitFor = (cond: () => boolean, timeoutMs = 2000): Promise<void> => until(cond, { timeoutMs, everyMs: 5 });

/**
 * One simulator for the enclosing describe(): started before its tests, closed after them, and
 * before each test reset and logged in again; `fresh(sim, sid)` hands both to the suite.
 */
/** A suite's simulator and this test's session (see useSimulator). */
export interface SimulatorSession {
  readonly sim: Simulator;
  /** The session id of this test's login. */
  readonly sid: string;
  /** act() in this session. */
  act(action: string, params?: Record<string, string>): Promise<string>;
}

/**
 * One simulator for the suite, reset and logged in again before each test (then `fresh` runs, if
 * given); the answer reads the suite's simulator and the test's session.
 */
export function useSimulator(fresh?: (sim: Simulator, sid: string) => void, opts: SimulatorOptions = {}): SimulatorSession {
  let sim: Simulator | undefined;
  let sid = '';
  before(async () => {
    sim = await startSimulator(opts);
  });
  after(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    sim!.reset();
    sid = await login(sim!);
    fresh?.(sim!, sid);
  });
  return {
    get sim(): Simulator {
      return sim!;
    },
    get sid(): string {
      return sid;
    },
    act: (action, params) => act(sim!, sid, action, params),
  };
}
