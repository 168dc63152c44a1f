import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import {
  AbortedError, ClosedError, HttpStatusError, InvalidInputError, OutcomeUnknownError, ResponseTooLargeError,
  TimeoutError, TlsError, UnreachableError, WebTapiError,
} from './errors';

export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  servername?: string;
  /** Only an explicit user choice (the tls-config node's "verify server certificate" box) turns this off. */
  rejectUnauthorized?: boolean;
}

export interface TransportOptions {
  url: string;
  timeoutMs: number;
  concurrency: number;
  tls?: TlsOptions;
  maxTextBytes: number;
  maxBinaryBytes: number;
  /** Replaces the connection pool (tests inject faults a socket cannot produce). */
  dispatcher?: Dispatcher;
}

export interface Exchange {
  action: string;
  method: 'GET' | 'POST';
  /** Already URL-encoded. */
  query: string;
  body?: string;
  binary: boolean;
  /** Read a never-ending body for this long, then stop and keep what came. */
  streamMs?: number;
  sideEffect: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** An answer whose body is still to be read (a camera stream). close() ends it and frees the socket. */
export interface OpenAnswer {
  contentType: string;
  body: Dispatcher.ResponseData['body'];
  close(): void;
}

/** Failures that happen before a single byte reaches the PBX. */
const NOT_REACHED = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT', 'ENETDOWN', 'EHOSTDOWN',
]);

/** Failures after the request may have been written. */
const CONNECTION_LOST = new Set([
  'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'ECONNABORTED', 'ETIMEDOUT', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

function isTlsFailure(code: string, message: string): boolean {
  return code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    /certificate|ssl|tls/i.test(message);
}

/** Why a request was stopped on this side; null when close() stopped it (close() sets `closed` first). */
type DeadlineReason = 'timeout' | 'aborted';

/**
 * What stops one request: its deadline, the caller's signal or close(). undici takes an
 * EventEmitter with `aborted` as a signal, which costs far less per request than an
 * AbortController (one request's whole budget is a few microseconds).
 */
class Stop extends EventEmitter {
  aborted = false;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/** Counts requests in flight; the rest wait in order. */
class Slots {
  private free: number;
  private readonly waiting: Array<{ grant: () => void; fail: (err: Error) => void }> = [];
  constructor(size: number) {
    this.free = size;
  }
  take(signal: AbortSignal | undefined, action: string): Promise<void> | void {
    if (this.free > 0) {
      this.free--;
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => { signal?.removeEventListener('abort', onAbort); resolve(); },
        fail: (err: Error) => { signal?.removeEventListener('abort', onAbort); reject(err); },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new AbortedError(action));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.free++;
  }
  failAll(makeError: () => Error): void {
    for (const w of this.waiting.splice(0)) w.fail(makeError());
  }
}

/**
 * HTTP for one PBX: a keep-alive pool, a bounded number of requests in flight, a total deadline per
 * request, a cap on every answer, and failures sorted by whether the PBX may have seen the request.
 */
export class Transport {
  readonly origin: string;
  readonly path: string;
  private readonly opts: TransportOptions;
  private pool: Dispatcher | null;
  private streamPool: Dispatcher | null = null;
  private readonly ownsDispatcher: boolean;
  private readonly slots: Slots;
  private readonly inFlight = new Set<Stop>();
  private closed = false;

  /** Why the URL cannot be used (every request fails with WEBTAPI_INVALID_INPUT), or null. */
  readonly urlProblem: string | null = null;

  constructor(opts: TransportOptions) {
    this.opts = opts;
    const target = parseUrl(opts.url);
    if (typeof target === 'string') {
      this.urlProblem = target;
      this.origin = '';
      this.path = '';
    } else {
      this.origin = target.origin;
      this.path = target.pathname || '/';
    }
    this.slots = new Slots(opts.concurrency);
    this.ownsDispatcher = !opts.dispatcher;
    this.pool = opts.dispatcher ?? null;
  }

  /**
   * The connection pool, made at the first request: undici takes longer to load than the rest of
   * the package, so Node-RED does not pay for it until a node needs it.
   */
  private get dispatcher(): Dispatcher {
    if (this.pool) return this.pool;
    const { Pool } = require('undici') as typeof import('undici');
    const https = this.origin.startsWith('https:');
    this.pool = new Pool(this.origin, {
      connections: this.opts.concurrency,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      connectTimeout: Math.min(this.opts.timeoutMs, 10_000),
      headersTimeout: this.opts.timeoutMs + 1_000,
      bodyTimeout: this.opts.timeoutMs + 1_000,
      connect: https ? { ...this.opts.tls, rejectUnauthorized: this.opts.tls?.rejectUnauthorized !== false } : undefined,
    });
    return this.pool;
  }

  /**
   * Streams get a pool of their own without a connection limit: a stream open for hours must not
   * hold one of the connections the requests share.
   */
  private get streamDispatcher(): Dispatcher {
    if (!this.ownsDispatcher) return this.dispatcher;
    if (this.streamPool) return this.streamPool;
    const { Pool } = require('undici') as typeof import('undici');
    const https = this.origin.startsWith('https:');
    this.streamPool = new Pool(this.origin, {
      pipelining: 1,
      keepAliveTimeout: 1_000,
      connectTimeout: Math.min(this.opts.timeoutMs, 10_000),
      headersTimeout: this.opts.timeoutMs + 1_000,
      bodyTimeout: 0, // the reader applies its own no-frame timeout
      connect: https ? { ...this.opts.tls, rejectUnauthorized: this.opts.tls?.rejectUnauthorized !== false } : undefined,
    });
    return this.streamPool;
  }

  /**
   * Sends a read and hands over the body unread once the headers are in (the deadline covers the
   * headers only). The body stays subject to close() and the caller's signal.
   */
  async open(exchange: Exchange): Promise<OpenAnswer> {
    if (this.closed) throw new ClosedError(exchange.action);
    if (exchange.signal?.aborted) throw new AbortedError(exchange.action);
    const stop = new Stop();
    let reason: DeadlineReason | null = null;
    const timeoutMs = exchange.timeoutMs ?? this.opts.timeoutMs;
    const timer = setTimeout(() => { reason = 'timeout'; stop.abort(); }, timeoutMs);
    const onUserAbort = () => { reason = 'aborted'; stop.abort(); };
    exchange.signal?.addEventListener('abort', onUserAbort, { once: true });
    this.inFlight.add(stop);
    const release = () => {
      exchange.signal?.removeEventListener('abort', onUserAbort);
      this.inFlight.delete(stop);
    };
    try {
      const res = await this.streamDispatcher.request({
        origin: this.origin,
        path: `${this.path}?${exchange.query}`,
        method: 'GET',
        headers: { accept: '*/*' },
        signal: stop,
      });
      clearTimeout(timer);
      if (res.statusCode < 200 || res.statusCode >= 300) {
        discard(res.body);
        throw new HttpStatusError(exchange.action, res.statusCode);
      }
      const ct = res.headers['content-type'];
      res.body.on('error', () => undefined); // the reader listens too; an abort must never go uncaught
      return {
        contentType: (Array.isArray(ct) ? ct[0] : ct) ?? '',
        body: res.body,
        close: () => { release(); discard(res.body); },
      };
    } catch (err) {
      clearTimeout(timer);
      release();
      throw this.classify(err, exchange, reason, timeoutMs);
    }
  }

  async send(exchange: Exchange): Promise<Answer> {
    try {
      return await this.attempt(exchange);
    } catch (err) {
      // A read that lost its connection (often a keep-alive socket the PBX had just closed) is
      // safe to send once more. A side effect never is.
      if (!exchange.sideEffect && err instanceof UnreachableError && err.connectionLost && !this.closed) {
        return this.attempt(exchange);
      }
      throw err;
    }
  }

  private async attempt(exchange: Exchange): Promise<Answer> {
    if (this.closed) throw new ClosedError(exchange.action);
    if (this.urlProblem !== null) throw new InvalidInputError(exchange.action, 'url', this.urlProblem);
    if (exchange.signal?.aborted) throw new AbortedError(exchange.action);
    const waiting = this.slots.take(exchange.signal, exchange.action);
    if (waiting) await waiting;
    const stop = new Stop();
    let reason: DeadlineReason | null = null;
    const timeoutMs = exchange.timeoutMs ?? this.opts.timeoutMs;
    const timer = setTimeout(() => { reason = 'timeout'; stop.abort(); }, timeoutMs);
    const onUserAbort = () => { reason = 'aborted'; stop.abort(); };
    exchange.signal?.addEventListener('abort', onUserAbort, { once: true });
    this.inFlight.add(stop);
    try {
      return await this.roundTrip(exchange, stop);
    } catch (err) {
      throw this.classify(err, exchange, reason, timeoutMs);
    } finally {
      clearTimeout(timer);
      exchange.signal?.removeEventListener('abort', onUserAbort);
      this.inFlight.delete(stop);
      this.slots.give();
    }
  }

  private async roundTrip(exchange: Exchange, signal: Stop): Promise<Answer> {
    // A request granted its slot just as close() ran must not make a new pool.
    if (this.closed) throw new ClosedError(exchange.action);
    const res = await this.dispatcher.request({
      origin: this.origin,
      path: exchange.query ? `${this.path}?${exchange.query}` : this.path,
      method: exchange.method,
      headers: exchange.body !== undefined
        ? { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' }
        : { accept: '*/*' },
      body: exchange.body,
      signal,
    });
    const ct = res.headers['content-type'];
    const contentType = (Array.isArray(ct) ? ct[0] : ct) ?? '';
    if (res.statusCode < 200 || res.statusCode >= 300) {
      discard(res.body);
      throw new HttpStatusError(exchange.action, res.statusCode);
    }
    const limit = exchange.binary ? this.opts.maxBinaryBytes : this.opts.maxTextBytes;
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      discard(res.body);
      throw new ResponseTooLargeError(exchange.action, limit);
    }
    const body = await readBody(res.body, limit, exchange, signal);
    return { status: res.statusCode, contentType, body };
  }

  private classify(err: unknown, exchange: Exchange, reason: DeadlineReason | null, timeoutMs: number): WebTapiError {
    if (err instanceof WebTapiError) return err;
    if (reason === 'timeout') {
      return exchange.sideEffect ? new OutcomeUnknownError(exchange.action, 'timeout', `no answer within ${timeoutMs} ms`) : new TimeoutError(exchange.action, timeoutMs);
    }
    if (this.closed) return new ClosedError(exchange.action);
    if (reason === 'aborted') {
      return exchange.sideEffect ? new OutcomeUnknownError(exchange.action, 'aborted', 'aborted while the PBX was answering') : new AbortedError(exchange.action);
    }
    const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
    const code = String(e?.code ?? e?.cause?.code ?? '');
    const message = String(e?.message ?? '');
    if (NOT_REACHED.has(code)) return new UnreachableError(exchange.action, code, false, code);
    if (isTlsFailure(code, message)) return new TlsError(exchange.action, code || undefined, code || 'handshake failed');
    if (exchange.sideEffect) return new OutcomeUnknownError(exchange.action, 'connection-lost', CONNECTION_LOST.has(code) ? `connection lost: ${code}` : `transport error${code ? ': ' + code : ''}`);
    return new UnreachableError(exchange.action, code || undefined, true, `connection lost${code ? ': ' + code : ''}`);
  }

  /** Fails queued requests, aborts those in flight and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.slots.failAll(() => new ClosedError('request'));
    for (const c of this.inFlight) c.abort();
    if (this.ownsDispatcher && this.pool) await this.pool.destroy().catch(() => undefined);
    if (this.streamPool) await this.streamPool.destroy().catch(() => undefined);
  }
}

/** The endpoint, or why it cannot be one. */
function parseUrl(text: unknown): URL | string {
  let url: URL;
  try {
    url = new URL(String(text));
  } catch {
    return 'the server URL is not valid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'the server URL must start with http:// or https://';
  return url;
}

/**
 * Drops a body we will not read. undici reports a body destroyed before its end as an 'error'
 * event; without a listener that event would be an uncaught exception in the user's Node-RED.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Reads a body up to a limit; a stream is cut after `streamMs` and what came is the answer. */
function readBody(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  exchange: Exchange,
  signal: Stop,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let streamTimer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (streamTimer) clearTimeout(streamTimer);
      signal.removeListener('abort', onAbort);
      if (err) {
        body.destroy();
        reject(err);
      } else {
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      }
    };
    const endStream = () => {
      body.destroy();
      finish(null);
    };
    // classify() reads why from the deadline's reason, not from this error.
    const onAbort = () => finish(new Error('aborted'));
    if (exchange.streamMs !== undefined) streamTimer = setTimeout(endStream, exchange.streamMs);
    signal.once('abort', onAbort);
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (size + chunk.length > limit) {
        if (exchange.streamMs !== undefined) {
          chunks.push(chunk.subarray(0, limit - size));
          size = limit;
          endStream();
        } else {
          finish(new ResponseTooLargeError(exchange.action, limit));
        }
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    body.on('end', () => finish(null));
    body.on('error', (err) => finish(err));
  });
}
