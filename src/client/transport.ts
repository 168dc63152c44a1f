import type { Dispatcher } from 'undici';
import { readAnswer } from './answer-reader';
import { Body, discard, headerValue } from './body';
import { Deadline } from './deadline';
import { AbortedError, ClosedError, HttpStatusError, InvalidInputError, UnreachableError } from './errors';
import { classify } from './failures';
import { makePool } from './pools';
import { Slots } from './slots';

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
  body: Body;
  close(): void;
}

const READ_HEADERS = { accept: '*/*' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' };

/**
 * HTTP for one PBX: a keep-alive pool, a bounded number of requests in flight, a total deadline per
 * request, a cap on every answer, and failures sorted by whether the PBX may have seen the request
 * (failures.ts).
 */
export class Transport {
  readonly origin: string;
  readonly path: string;
  private readonly opts: TransportOptions;
  private pool: Dispatcher | null;
  private streamPool: Dispatcher | null = null;
  private readonly ownsDispatcher: boolean;
  private readonly slots: Slots;
  private readonly inFlight = new Set<Deadline>();
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

  /** The requests' pool, made at the first request (see makePool). */
  private get dispatcher(): Dispatcher {
    return (this.pool ??= makePool(this.origin, this.opts, 'requests'));
  }

  /** The streams' pool; an injected dispatcher serves both. */
  private get streamDispatcher(): Dispatcher {
    if (!this.ownsDispatcher) return this.dispatcher;
    return (this.streamPool ??= makePool(this.origin, this.opts, 'streams'));
  }

  /**
   * Sends a read and hands over the body unread once the headers are in (the deadline covers the
   * headers only). The body stays subject to close() and the caller's signal.
   */
  async open(exchange: Exchange): Promise<OpenAnswer> {
    if (this.closed) throw new ClosedError(exchange.action);
    if (exchange.signal?.aborted) throw new AbortedError(exchange.action);
    const deadline = this.begin(exchange);
    try {
      const res = await this.streamDispatcher.request({
        origin: this.origin,
        path: `${this.path}?${exchange.query}`,
        method: 'GET',
        headers: { accept: '*/*' },
        signal: deadline.stop,
      });
      deadline.disarm();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        discard(res.body);
        throw new HttpStatusError(exchange.action, res.statusCode);
      }
      res.body.on('error', () => undefined); // the reader listens too; an abort must never go uncaught
      return {
        contentType: headerValue(res.headers['content-type']),
        body: res.body,
        close: () => {
          this.end(deadline);
          discard(res.body);
        },
      };
    } catch (err) {
      this.end(deadline);
      throw this.classify(err, exchange, deadline);
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
    const deadline = this.begin(exchange);
    try {
      return await this.roundTrip(exchange, deadline);
    } catch (err) {
      throw this.classify(err, exchange, deadline);
    } finally {
      this.end(deadline);
      this.slots.give();
    }
  }

  /** Starts a request's deadline; close() stops every request begun and not yet ended. */
  private begin(exchange: Exchange): Deadline {
    const deadline = new Deadline(exchange.timeoutMs ?? this.opts.timeoutMs, exchange.signal);
    this.inFlight.add(deadline);
    return deadline;
  }

  private end(deadline: Deadline): void {
    deadline.end();
    this.inFlight.delete(deadline);
  }

  private roundTrip(exchange: Exchange, deadline: Deadline): Promise<Answer> {
    // A request granted its slot just as close() ran must not make a new pool.
    if (this.closed) return Promise.reject(new ClosedError(exchange.action));
    const options: Dispatcher.DispatchOptions = {
      origin: this.origin,
      path: exchange.query ? `${this.path}?${exchange.query}` : this.path,
      method: exchange.method,
      headers: exchange.body !== undefined ? FORM_HEADERS : READ_HEADERS,
      body: exchange.body,
    };
    const limit = exchange.binary ? this.opts.maxBinaryBytes : this.opts.maxTextBytes;
    return readAnswer(this.dispatcher, options, { action: exchange.action, limit, streamMs: exchange.streamMs }, deadline);
  }

  private classify(err: unknown, exchange: Exchange, deadline: Deadline) {
    return classify(err, {
      action: exchange.action,
      sideEffect: exchange.sideEffect,
      stoppedBy: deadline.reason,
      timeoutMs: deadline.timeoutMs,
      closed: this.closed,
    });
  }

  /** Fails queued requests, aborts those in flight and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.slots.failAll(() => new ClosedError('request'));
    for (const d of this.inFlight) d.abort();
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
