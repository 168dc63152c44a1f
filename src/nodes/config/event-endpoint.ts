import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Node, NodeAPI } from 'node-red';
import type { NextFunction, Request, Response } from 'express';
import type { Push } from '../services/poll/push-feed';
import { PUSH_LIMITS, RateLimit, pushParams, type PushBody } from './push-params';

/** The route under Node-RED's httpNodeRoot; the token is the last path segment. */
export const EVENT_ROUTE = '/metasec-webtapi/events/:token';
/** What a token may be: url-safe, long enough not to be guessed (the editor makes 32 characters). */
export const EVENT_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const PUSHES_PER_SECOND = 50;
/** A body that does not arrive within this time is refused: a slow sender holds no socket for long. */
const BODY_TIMEOUT_MS = 5000;

interface Endpoint {
  digest: Buffer;
  owner: Node;
  limit: RateLimit;
  deliver(push: Push): void;
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * The endpoints of one Node-RED runtime. Express cannot remove a route, so the route is added once
 * and a request is dispatched by its token to the config node that joined with it: config nodes
 * join when they start and leave when they close, and with none left the path answers 404 again.
 */
class EventEndpoints {
  private readonly endpoints: Endpoint[] = [];

  /** The endpoint, or the config node that already uses the token. */
  join(token: string, owner: Node, deliver: (push: Push) => void): Endpoint | { taken: Node } {
    const found = this.find(token);
    if (found) return { taken: found.owner };
    const endpoint = { digest: digest(token), owner, limit: new RateLimit(PUSHES_PER_SECOND, Date.now()), deliver };
    this.endpoints.push(endpoint);
    return endpoint;
  }

  leave(endpoint: Endpoint): void {
    const i = this.endpoints.indexOf(endpoint);
    if (i >= 0) this.endpoints.splice(i, 1);
  }

  /** The endpoint of `token`: every token is compared in full (equal-length digests), so the time taken tells nothing. */
  find(token: string): Endpoint | undefined {
    const wanted = digest(token);
    let found: Endpoint | undefined;
    for (const e of this.endpoints) if (timingSafeEqual(e.digest, wanted) && !found) found = e;
    return found;
  }
}

const TOO_LARGE = Symbol('too large');
const TOO_SLOW = Symbol('too slow');
type Body = PushBody | null | typeof TOO_LARGE | typeof TOO_SLOW;

/** A body a middleware (httpNodeMiddleware with a body parser) has already read, as bytes again. */
function parsedBody(req: Request, type: string): PushBody | null {
  const b: unknown = req.body;
  if (b === undefined || b === null) return null;
  if (Buffer.isBuffer(b)) return { type, bytes: b };
  if (typeof b === 'string') return { type, bytes: Buffer.from(b, 'utf8') };
  if (typeof b === 'object' && Object.keys(b).length === 0) return null;
  return { type: 'application/json', bytes: Buffer.from(JSON.stringify(b), 'utf8') };
}

/** The request's body, at most PUSH_LIMITS.bytes, within BODY_TIMEOUT_MS. */
function readBody(req: Request): Promise<Body> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if ((req as Request & { _body?: boolean })._body || req.readableEnded) return Promise.resolve(parsedBody(req, type));
  // Most pushes are a GET without a body: answered in the tick they arrive in.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return Promise.resolve(null);
  if (Number(req.headers['content-length']) > PUSH_LIMITS.bytes) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (body: Body): void => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > PUSH_LIMITS.bytes) finish(TOO_LARGE);
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(size === 0 ? null : { type, bytes: Buffer.concat(chunks) });
    const onError = (): void => finish(TOO_SLOW);
    const timer = setTimeout(() => finish(TOO_SLOW), BODY_TIMEOUT_MS);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function answer(res: Response, status: number, text: string, close = false): void {
  res.set('Cache-Control', 'no-store');
  if (close) res.set('Connection', 'close');
  res.status(status).type('text/plain').send(text);
}

function remoteOf(req: Request): string {
  return req.ip ?? (req as IncomingMessage).socket?.remoteAddress ?? '';
}

/** The route's handler: an unknown token goes on to the next route, ending in the same 404 as any unknown path. */
function handler(endpoints: EventEndpoints) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const endpoint = endpoints.find(String(req.params.token ?? ''));
    if (!endpoint) {
      next();
      return;
    }
    if (!endpoint.limit.take(Date.now())) {
      answer(res, 429, 'too many requests');
      return;
    }
    readBody(req)
      .then((body) => {
        if (body === TOO_LARGE || body === TOO_SLOW) {
          answer(res, 400, body === TOO_LARGE ? 'request too large' : 'request body incomplete', true);
          return;
        }
        const url = req.originalUrl ?? req.url ?? '';
        const q = url.indexOf('?');
        const params = pushParams(q < 0 ? '' : url.slice(q + 1), body);
        if (!params.ok) {
          answer(res, 400, params.reason);
          return;
        }
        endpoint.deliver({ event: params.event, fields: params.fields, remote: remoteOf(req), at: Date.now() });
        answer(res, 200, '1');
      })
      .catch(() => {
        if (!res.headersSent) answer(res, 500, 'error', true);
      });
  };
}

const runtimes = new WeakMap<object, EventEndpoints>();

/** The endpoints of the runtime serving `app`, the route added on first use. */
function endpointsOf(app: NodeAPI['httpNode']): EventEndpoints {
  let endpoints = runtimes.get(app);
  if (!endpoints) {
    endpoints = new EventEndpoints();
    runtimes.set(app, endpoints);
    app.get(EVENT_ROUTE, handler(endpoints));
    app.post(EVENT_ROUTE, handler(endpoints));
  }
  return endpoints;
}

/**
 * The config node `node` serves pushes with `token` (none: no endpoint). Answers the function that
 * takes the endpoint away. The token is never part of a text: the messages say which node, not what.
 */
export function joinEventEndpoint(RED: NodeAPI, node: Node, token: unknown, deliver: (push: Push) => void): (() => void) | null {
  if (token === undefined || token === null || token === '') return null;
  if (typeof token !== 'string' || !EVENT_TOKEN.test(token)) {
    node.error('the event token must be 16 to 128 characters A-Z, a-z, 0-9, _ and -; the event endpoint is off');
    return null;
  }
  const settings = RED.settings as unknown as { httpNodeRoot?: unknown };
  if (!RED.httpNode || settings.httpNodeRoot === false) {
    node.warn('Node-RED serves no HTTP endpoints (httpNodeRoot is false); the event endpoint is off');
    return null;
  }
  const endpoints = endpointsOf(RED.httpNode);
  const joined = endpoints.join(token, node, deliver);
  if ('taken' in joined) {
    const other = joined.taken;
    node.error(
      `the event token is already used by webtapi-config node ${other.name ? `"${other.name}" ` : ''}(${other.id}); the event endpoint of this node is off: generate a new token`,
    );
    return null;
  }
  return () => endpoints.leave(joined);
}
